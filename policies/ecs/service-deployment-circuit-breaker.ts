import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** A failed rolling deployment rolls itself back. */
export const serviceDeploymentCircuitBreaker: ResourceValidationPolicy = {
  name: "ecs-service-deployment-circuit-breaker",
  description:
    "Deploy stage 'rollback on failure': services deployed by ECS have the deployment " +
    "circuit breaker on with rollback, so tasks that never get healthy bring back the last " +
    "working version.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
    // CodeDeploy and external controllers roll back by their own rules.
    const controller = service.deploymentController?.type ?? "ECS";
    if (controller !== "ECS") return;
    const breaker = service.deploymentCircuitBreaker;
    if (breaker?.enable !== true || breaker.rollback !== true) {
      report(
        "the deployment circuit breaker does not roll back: set deploymentCircuitBreaker " +
          "{enable: true, rollback: true}.",
      );
    }
  }),
};
