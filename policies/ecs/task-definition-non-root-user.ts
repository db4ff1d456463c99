import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf } from "../lib/container-definitions";

/** `root`, `0`, `root:root`, `0:0`, `0:1000`: the user part is root. */
const isRoot = (user: string) => ["root", "0"].includes(user.split(":")[0].trim());

/** Every container names a non-root user. */
export const taskDefinitionNonRootUser: ResourceValidationPolicy = {
  name: "ecs-task-definition-non-root-user",
  description:
    "FSBP ECS.20 and 'running as non-root user': every Linux container sets `user` to a " +
    "non-root uid:gid.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    for (const container of containersOf(definition, report)) {
      const fix = 'set "user" to a non-root uid:gid such as "1000:1000" (the image\'s node user).';
      if (container.user === undefined || container.user === "") {
        report(
          `${containerLabel(container)} sets no user, so it runs as the image's user (root ` +
            `unless the image says otherwise): ${fix}`,
        );
      } else if (isRoot(container.user)) {
        report(`${containerLabel(container)} runs as root (user "${container.user}"): ${fix}`);
      }
    }
  }),
};
