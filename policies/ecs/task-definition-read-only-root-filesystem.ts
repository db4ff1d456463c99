import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf } from "../lib/container-definitions";

/** Every container's root filesystem is read-only. */
export const taskDefinitionReadOnlyRootFilesystem: ResourceValidationPolicy = {
  name: "ecs-task-definition-read-only-root-filesystem",
  description:
    "FSBP ECS.5: every container has readonlyRootFilesystem true, so an intruder cannot change " +
    "the code it runs.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    for (const container of containersOf(definition, report)) {
      if (container.readonlyRootFilesystem !== true) {
        report(
          `${containerLabel(container)}: readonlyRootFilesystem is not true: set it to true and ` +
            "mount a volume on each path the process writes (such as /tmp).",
        );
      }
    }
  }),
};
