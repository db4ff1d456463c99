import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf } from "../lib/container-definitions";

/** Every container sends its output to CloudWatch Logs with the awslogs driver. */
export const taskDefinitionAwslogs: ResourceValidationPolicy = {
  name: "ecs-task-definition-awslogs",
  description:
    "FSBP ECS.9 and 'centralized log collection': every container logs with the awslogs " +
    "driver to a named log group.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    for (const container of containersOf(definition, report)) {
      const log = container.logConfiguration;
      const fix =
        'set logConfiguration {logDriver: "awslogs", options: {"awslogs-group": <a log group ' +
        'with retention>, "awslogs-region", "awslogs-stream-prefix"}}.';
      if (log?.logDriver !== "awslogs") {
        const where = log?.logDriver ? `to the ${log.logDriver} driver` : "nowhere";
        report(`${containerLabel(container)}: logs go ${where}: ${fix}`);
      } else if (!log.options?.["awslogs-group"]) {
        report(`${containerLabel(container)}: awslogs without an awslogs-group: ${fix}`);
      }
    }
  }),
};
