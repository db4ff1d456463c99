import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/**
 * Safe condition, for a replica service: deploymentMinimumHealthyPercent (unset: 100) is at least
 * 100, and deploymentMaximumPercent (unset: 200) leaves room for at least one new task beside the
 * desired count (unset: 1), so a deployment starts new tasks before it stops old ones and can
 * still proceed. ECS rounds the minimum up and the maximum down, so with a minimum of 100 and a
 * maximum whose rounded-down count is the desired count, the scheduler may neither stop a task
 * nor start one: the deployment never proceeds ("Deploy Amazon ECS services by replacing tasks",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html; the
 * defaults are @pulumi/aws 7.48.0's ecs/service.d.ts and ECS's DeploymentConfiguration).
 */
export const serviceMinimumHealthyPercent: ResourceValidationPolicy = {
  name: "ecs-service-minimum-healthy-percent",
  description:
    "Deploy stage 'deploy to production' without downtime: a rolling deployment keeps " +
    "deploymentMinimumHealthyPercent at 100, starting new tasks before stopping old ones.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
    // Unset, ECS uses 100 for a replica service.
    const minimum = service.deploymentMinimumHealthyPercent ?? 100;
    if (service.schedulingStrategy === "DAEMON") return;
    if (minimum < 100) {
      report(
        `deploymentMinimumHealthyPercent is ${minimum}: set 100 (with deploymentMaximumPercent ` +
          "200), so old tasks stop only once new ones are healthy.",
      );
      return;
    }
    const maximum = service.deploymentMaximumPercent ?? 200;
    const desired = service.desiredCount ?? 1;
    if (Math.floor((desired * maximum) / 100) <= desired) {
      report(
        `deploymentMaximumPercent is ${maximum}: with ${desired} desired task(s) and a minimum of ` +
          `${minimum}%, ECS can neither start a new task nor stop an old one, so a deployment ` +
          "never proceeds; set 200.",
      );
    }
  }),
};
