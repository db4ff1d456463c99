import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf } from "../lib/container-definitions";

/** Every essential container has a health check command. */
export const taskDefinitionHealthCheck: ResourceValidationPolicy = {
  name: "ecs-task-definition-health-check",
  description:
    "Container checklist 'health check defined': every essential container has a " +
    "healthCheck command, so ECS replaces a task that stops answering.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    for (const container of containersOf(definition, report)) {
      // ECS treats a container without `essential` as essential.
      if (container.essential === false) continue;
      if (!container.healthCheck?.command?.length) {
        report(
          `${containerLabel(container)} is essential but has no healthCheck: add ` +
            'healthCheck.command (for example ["CMD", "node", "dist/healthcheck.js"]).',
        );
      }
    }
  }),
};
