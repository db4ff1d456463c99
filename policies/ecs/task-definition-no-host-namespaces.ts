import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Tasks do not share the host's process or IPC namespace. */
export const taskDefinitionNoHostNamespaces: ResourceValidationPolicy = {
  name: "ecs-task-definition-no-host-namespaces",
  description:
    "FSBP ECS.3: task definitions do not share the host's process namespace (pidMode host), nor " +
    "its IPC namespace (ipcMode host).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    for (const mode of ["pidMode", "ipcMode"] as const) {
      if (definition[mode] === "host") {
        report(
          `${mode} is "host": remove it (or set "task"), so a container cannot see or signal ` +
            "the host's processes.",
        );
      }
    }
  }),
};
