import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** A deployment never runs fewer healthy tasks than the service needs. */
export const serviceMinimumHealthyPercent: ResourceValidationPolicy = {
  name: "ecs-service-minimum-healthy-percent",
  description:
    "Deploy stage 'deploy to production' without downtime: a rolling deployment keeps " +
    "deploymentMinimumHealthyPercent at 100, starting new tasks before stopping old ones.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
    // Unset, ECS uses 100 for a replica service.
    const minimum = service.deploymentMinimumHealthyPercent ?? 100;
    if (service.schedulingStrategy !== "DAEMON" && minimum < 100) {
      report(
        `deploymentMinimumHealthyPercent is ${minimum}: set 100 (with deploymentMaximumPercent ` +
          "200), so old tasks stop only once new ones are healthy.",
      );
    }
  }),
};
