import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf } from "../lib/container-definitions";

/**
 * Every container drops all Linux capabilities and adds none back. On Fargate a container may
 * drop any capability and add only SYS_PTRACE ("linuxParameters", task definition parameters).
 */
export const taskDefinitionDropAllCapabilities: ResourceValidationPolicy = {
  name: "ecs-task-definition-drop-all-capabilities",
  description:
    'Containers drop every Linux capability (linuxParameters.capabilities.drop ["ALL"]) and add none: a web service needs none, and each one widens what an attacker in the container may do.',
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    for (const container of containersOf(definition, report)) {
      const capabilities = container.linuxParameters?.capabilities;
      const dropped = (capabilities?.drop ?? []).map((c) => c.toUpperCase());
      const added = capabilities?.add ?? [];
      if (!dropped.includes("ALL")) {
        report(
          `${containerLabel(container)}: drops ${dropped.length ? dropped.join(", ") : "no capability"}: ` +
            'set linuxParameters.capabilities.drop to ["ALL"].',
        );
      }
      if (added.length > 0) {
        report(
          `${containerLabel(container)}: adds ${added.join(", ")} back: remove capabilities.add ` +
            "(the service needs no capability).",
        );
      }
    }
  }),
};
