import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Tasks use the awsvpc network mode: their own network interface and security group. */
export const taskDefinitionAwsvpcNetworkMode: ResourceValidationPolicy = {
  name: "ecs-task-definition-awsvpc-network-mode",
  description:
    "FSBP ECS.17 (no host network mode) and ECS.1: task definitions use networkMode awsvpc, so " +
    "each task has its own interface and security group.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    if (definition.networkMode !== "awsvpc") {
      report(
        `networkMode is ${definition.networkMode ? `"${definition.networkMode}"` : "unset (bridge)"}: ` +
          'set networkMode "awsvpc" so each task gets its own network interface and security group.',
      );
    }
  }),
};
