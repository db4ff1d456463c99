import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf } from "../lib/container-definitions";

/** No container runs privileged. */
export const taskDefinitionNotPrivileged: ResourceValidationPolicy = {
  name: "ecs-task-definition-not-privileged",
  description:
    "FSBP ECS.4: no container is privileged (root on the host when it runs on EC2; Fargate " +
    "refuses it).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    for (const container of containersOf(definition, report)) {
      if (container.privileged === true) {
        report(
          `${containerLabel(container)}: privileged is true: remove it (or set false); grant ` +
            "a specific Linux capability through linuxParameters if one is really needed.",
        );
      }
    }
  }),
};
