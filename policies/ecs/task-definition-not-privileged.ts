import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf } from "../lib/container-definitions";

/**
 * Capabilities that amount to privileged: ALL is every one Docker grants, and SYS_ADMIN alone
 * allows mounting file systems, namespaces and most of what privileged mode does. Spelt as the
 * ECS API's valid values (KernelCapabilities.add), which it checks.
 */
const privilegedCapabilities = ["ALL", "SYS_ADMIN"];

/**
 * Safe condition: no container has privileged true, and none adds ALL or SYS_ADMIN through
 * linuxParameters.capabilities.add. On EC2 either gives the container root over the host; on
 * Fargate privileged is refused and only SYS_PTRACE can be added ("Tasks launched on Fargate
 * only support adding the SYS_PTRACE kernel capability",
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html), so the
 * deployment would fail there instead.
 */
export const taskDefinitionNotPrivileged: ResourceValidationPolicy = {
  name: "ecs-task-definition-not-privileged",
  description:
    "FSBP ECS.4: no container is privileged or adds the ALL or SYS_ADMIN capability (root on " +
    "the host when it runs on EC2; Fargate refuses them).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    for (const container of containersOf(definition, report)) {
      if (container.privileged === true) {
        report(
          `${containerLabel(container)}: privileged is true: remove it (or set false); grant ` +
            "a specific Linux capability through linuxParameters if one is really needed.",
        );
      }
      const added = container.linuxParameters?.capabilities?.add ?? [];
      const broad = added.filter((c) => privilegedCapabilities.includes(c));
      if (broad.length > 0) {
        report(
          `${containerLabel(container)}: linuxParameters.capabilities.add has ` +
            `${broad.join(", ")}, as good as privileged: add only the narrow capability the ` +
            "process needs (on Fargate, SYS_PTRACE is the only one allowed).",
        );
      }
    }
  }),
};
