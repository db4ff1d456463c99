// The Lambda function `pulumi up` invokes (aws.lambda.Invocation, infra/role-bootstrap.ts): it
// starts the role bootstrap task, waits for it to stop and answers only if its container exited 0,
// so a failed bootstrap fails the deployment before any service task signs in. Plain CommonJS:
// the Lambda Node.js runtime runs it as is, with the AWS SDK for JavaScript v3 it bundles.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html

/** Starts that fail before the container runs (IAM not yet propagated, image pull): retried. */
const maxStarts = 3;
const pollMs = 10_000;
/** Left for the error answer before the function's own timeout. */
const marginMs = 20_000;

/**
 * @param ecs an ECSClient (or anything with its `send`)
 * @param input {cluster, taskDefinition, containerName, subnets, securityGroups}
 * @param clock {sleep(ms), remainingMs()}
 */
async function runBootstrap(ecs, input, clock) {
  const { RunTaskCommand, DescribeTasksCommand } = require("@aws-sdk/client-ecs");
  const { cluster, taskDefinition, containerName, subnets, securityGroups } = input;
  const problems = [];
  for (let start = 1; start <= maxStarts; start++) {
    let taskArn;
    try {
      const run = await ecs.send(
        new RunTaskCommand({
          cluster,
          taskDefinition,
          launchType: "FARGATE",
          platformVersion: "1.4.0",
          count: 1,
          startedBy: "role-bootstrap",
          networkConfiguration: {
            awsvpcConfiguration: { subnets, securityGroups, assignPublicIp: "DISABLED" },
          },
        }),
      );
      taskArn = run.tasks?.[0]?.taskArn;
      if (!taskArn) problems.push(`RunTask failed: ${JSON.stringify(run.failures ?? [])}`);
    } catch (err) {
      problems.push(`RunTask failed: ${err.name}: ${err.message}`);
    }
    while (taskArn) {
      if (clock.remainingMs() < pollMs + marginMs) {
        throw new Error(`role bootstrap task ${taskArn} still running when time ran out`);
      }
      await clock.sleep(pollMs);
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
      const task = tasks?.[0];
      if (task?.lastStatus !== "STOPPED") continue;
      const container = task.containers?.find((c) => c.name === containerName);
      if (container?.exitCode === 0) return { taskArn, exitCode: 0, starts: start };
      if (container?.exitCode !== undefined && container.exitCode !== null) {
        // The bootstrap ran and refused (a role with too much power, say): its log says why.
        throw new Error(
          `role bootstrap task ${taskArn} exited ${container.exitCode}: see its log stream ` +
            `${containerName}/${containerName}/${taskArn.split("/").pop()}`,
        );
      }
      problems.push(
        `task ${taskArn} stopped before ${containerName} ran: ${task.stoppedReason ?? "no reason"}` +
          (container?.reason ? ` (${container.reason})` : ""),
      );
      taskArn = undefined;
    }
    if (start < maxStarts) await clock.sleep(pollMs);
  }
  throw new Error(`role bootstrap did not run after ${maxStarts} starts: ${problems.join("; ")}`);
}

exports.runBootstrap = runBootstrap;
exports.handler = async (event, context) => {
  const { ECSClient } = require("@aws-sdk/client-ecs");
  return runBootstrap(new ECSClient({}), event, {
    sleep: (ms) => require("node:timers/promises").setTimeout(ms),
    remainingMs: () => context.getRemainingTimeInMillis(),
  });
};
