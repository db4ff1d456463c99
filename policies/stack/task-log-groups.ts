import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import type { ContainerDefinition } from "../lib/container-definitions";
import { notChecked, parseJson } from "../lib/report";
import { dependsOn, prop, unknown } from "../lib/stack";

/**
 * Every container of every ECS task definition logs to a CloudWatch log group that this stack
 * creates with a retention period, not to a group ECS would create on the fly and keep forever.
 */
export const taskLogGroups: StackValidationPolicy = {
  name: "stack-task-log-groups",
  description:
    "Logging 'centralized log collection' and 'log retention policy defined': every ECS container's awslogs group is a log group of the stack with retentionInDays set.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const groups = args.resources.filter((r) => r.isType(aws.cloudwatch.LogGroup));
    const retained = (group: PolicyResource) => (prop<number>(group, "retentionInDays") ?? 0) > 0;

    for (const task of args.resources.filter((r) => r.isType(aws.ecs.TaskDefinition))) {
      const text = prop<string>(task, "containerDefinitions");
      if (text === undefined || text === unknown) {
        // Not known in a preview: the log groups the definitions are built from must keep logs.
        const used = groups.filter((g) => dependsOn(task, "containerDefinitions", g));
        for (const group of used.filter((g) => !retained(g))) {
          report(
            `log group ${group.name} of task definition ${task.name} keeps logs forever: set ` +
              "retentionInDays.",
            task.urn,
          );
        }
        continue;
      }
      const parsed = parseJson(text);
      if ("error" in parsed || !Array.isArray(parsed.value)) {
        notChecked(
          report,
          `the containerDefinitions of task definition ${task.name} are not a JSON list`,
          task.urn,
        );
        continue;
      }
      for (const container of parsed.value as ContainerDefinition[]) {
        const where = `container ${container.name} of task definition ${task.name}`;
        const log = container.logConfiguration;
        if (!log) {
          report(
            `${where} ships no logs: set logConfiguration { logDriver: "awslogs", options: ` +
              '{ "awslogs-group": <a log group of the stack>, ... } }.',
            task.urn,
          );
          continue;
        }
        if (log.logDriver !== "awslogs") continue;
        const name = log.options?.["awslogs-group"];
        const group = groups.find((g) => prop(g, "name") === name);
        if (!group) {
          report(
            `${where} logs to "${name}", which is not a log group of this stack: create it as ` +
              "an aws.cloudwatch.LogGroup with retentionInDays and use its name.",
            task.urn,
          );
        } else if (!retained(group)) {
          report(
            `${where} logs to ${group.name}, which keeps logs forever: set retentionInDays.`,
            task.urn,
          );
        }
      }
    }
  },
};
