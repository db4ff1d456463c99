import assert from "node:assert/strict";
import { DescribeTasksCommand, ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { ofType, type ProgramRun, type RegisteredResource } from "../../scripts/offline/harness";
import { byId, one, serviceTask, stackRun } from "./stacks";

// The Lambda function's own file, run here as the Lambda runtime runs it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runBootstrap } = require("../../infra/role-bootstrap-runner.cjs") as {
  runBootstrap: (
    ecs: ECSClient,
    input: Record<string, unknown>,
    clock: { sleep: (ms: number) => Promise<void>; remainingMs: () => number },
  ) => Promise<{ taskArn: string; exitCode: number; starts: number }>;
};

interface Container {
  name: string;
  image: string;
  essential: boolean;
  user: string;
  readonlyRootFilesystem: boolean;
  command: string[];
  environment: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
}

const bootstrapTask = (run: ProgramRun) =>
  ofType(run, "aws:ecs/taskDefinition:TaskDefinition").find((t) => t !== serviceTask(run))!;
const statementsOf = (run: ProgramRun, role: RegisteredResource) =>
  ofType(run, "aws:iam/rolePolicy:RolePolicy")
    .filter((p) => p.inputs.role === role.id)
    .flatMap((p) => JSON.parse(p.inputs.policy as string).Statement);
const roleByArn = (run: ProgramRun, arn: unknown) =>
  ofType(run, "aws:iam/role:Role").find((r) => r.outputs.arn === arn)!;
const groupName = (run: ProgramRun, id: unknown) => byId(run, id).name.replace(`${run.stack}-`, "");

describe("role bootstrap", () => {
  for (const stack of ["dev", "staging", "prod"] as const) {
    describe(stack, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });

      it("runs `node dist/bootstrap.js` from the service's image as the master, on the instance itself", () => {
        const task = bootstrapTask(run);
        const [container, ...others] = JSON.parse(
          task.inputs.containerDefinitions as string,
        ) as Container[];
        assert.deepEqual(others, []);
        const [app] = JSON.parse(serviceTask(run).inputs.containerDefinitions as string);
        const instance = one(run, "aws:rds/instance:Instance");
        assert.equal(container.image, app.image);
        assert.deepEqual(container.command, ["node", "dist/bootstrap.js"]);
        assert.equal(container.user, "1000:1000");
        assert.equal(container.readonlyRootFilesystem, true);
        const env = new Map(container.environment.map((v) => [v.name, v.value]));
        assert.equal(env.get("PGHOST"), instance.outputs.address);
        assert.equal(env.get("PGUSER"), instance.inputs.username);
        assert.equal(env.get("PGDATABASE"), instance.inputs.dbName);
        assert.equal(env.get("DATABASE_OWNER_ROLE"), "notes_owner");
        assert.equal(env.get("DATABASE_APP_ROLE"), "notes_app");
        assert.ok(!env.has("PGPASSWORD") && !env.has("DATABASE_IAM_AUTH"));
        const [secret] = instance.outputs.masterUserSecrets as { secretArn: string }[];
        assert.deepEqual(container.secrets, [
          { name: "PGPASSWORD", valueFrom: `${secret.secretArn}:password::` },
        ]);
        // No task role: the code in it may call no AWS API.
        assert.equal(task.inputs.taskRoleArn, undefined);
      });

      it("is the only principal that may read the master secret: its execution role", () => {
        const [secret] = one(run, "aws:rds/instance:Instance").outputs.masterUserSecrets as {
          secretArn: string;
        }[];
        const readers = ofType(run, "aws:iam/rolePolicy:RolePolicy")
          .filter((p) => (p.inputs.policy as string).includes(secret.secretArn))
          .map((p) => byId(run, p.inputs.role));
        const execution = roleByArn(run, bootstrapTask(run).inputs.executionRoleArn);
        assert.deepEqual(
          readers.map((r) => r.urn),
          [execution.urn],
        );
        const [read, decrypt] = statementsOf(run, execution).slice(-2);
        assert.deepEqual(read, {
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: secret.secretArn,
        });
        assert.equal(decrypt.Action, "kms:Decrypt");
        assert.deepEqual(decrypt.Condition, {
          StringEquals: {
            "kms:ViaService": `secretsmanager.${run.config["aws:region"]}.amazonaws.com`,
          },
        });
      });

      it("runs in the private subnets from a group that admits nothing and reaches only the database and HTTPS", () => {
        const invocation = one(run, "aws:lambda/invocation:Invocation");
        const input = JSON.parse(invocation.inputs.input as string);
        assert.equal(input.taskDefinition, bootstrapTask(run).outputs.arn);
        assert.equal(input.containerName, "bootstrap");
        assert.deepEqual(input.subnets, run.stackOutputs.privateSubnetIds);
        const [group] = input.securityGroups as string[];
        assert.equal(groupName(run, group), "db-bootstrap");
        const rules = (type: string) =>
          ofType(run, type)
            .filter((r) => r.inputs.securityGroupId === group)
            .map((r) =>
              r.inputs.referencedSecurityGroupId
                ? `${r.inputs.fromPort} ${groupName(run, r.inputs.referencedSecurityGroupId)}`
                : `${r.inputs.fromPort} ${r.inputs.cidrIpv4}`,
            );
        assert.deepEqual(rules("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), []);
        assert.deepEqual(rules("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").sort(), [
          "443 0.0.0.0/0",
          "5432 database",
        ]);
        // The service's tasks have no path to the instance.
        const serviceGroup = (
          one(run, "aws:ecs/service:Service").inputs.networkConfiguration as {
            securityGroups: string[];
          }
        ).securityGroups[0];
        assert.notEqual(serviceGroup, group);
      });

      it("is run by a function that may start only this task definition and pass only its execution role", () => {
        const invocation = one(run, "aws:lambda/invocation:Invocation");
        const runner = one(run, "aws:lambda/function:Function");
        assert.equal(invocation.inputs.functionName, runner.outputs.name);
        assert.equal(runner.inputs.timeout, 900);
        const [runTask, describe, passRole] = statementsOf(run, roleByArn(run, runner.inputs.role));
        const cluster = ofType(run, "aws:ecs/cluster:Cluster").find(
          (c) => c.outputs.arn === JSON.parse(invocation.inputs.input as string).cluster,
        )!;
        assert.deepEqual(runTask, {
          Effect: "Allow",
          Action: "ecs:RunTask",
          Resource: bootstrapTask(run).outputs.arn,
          Condition: { ArnEquals: { "ecs:cluster": cluster.outputs.arn } },
        });
        assert.equal(describe.Action, "ecs:DescribeTasks");
        assert.deepEqual(passRole, {
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: bootstrapTask(run).inputs.executionRoleArn,
        });
        const logGroup = ofType(run, "aws:cloudwatch/logGroup:LogGroup").find(
          (g) => g.outputs.name === (runner.inputs.loggingConfig as { logGroup: string }).logGroup,
        )!;
        assert.ok(logGroup.inputs.retentionInDays);
      });
    });
  }
});

describe("role bootstrap runner", () => {
  const ecs = mockClient(ECSClient);
  const input = {
    cluster: "arn:aws:ecs:eu-west-1:111111111111:cluster/boot",
    taskDefinition: "arn:aws:ecs:eu-west-1:111111111111:task-definition/acme-dev-db-bootstrap:3",
    containerName: "bootstrap",
    subnets: ["subnet-a"],
    securityGroups: ["sg-b"],
  };
  const taskArn = (n: number) => `arn:aws:ecs:eu-west-1:111111111111:task/boot/task${n}`;
  const stopped = (n: number, exitCode?: number, stoppedReason = "Essential container exited") => ({
    tasks: [
      {
        taskArn: taskArn(n),
        lastStatus: "STOPPED",
        stoppedReason,
        containers: [{ name: "bootstrap", exitCode }],
      },
    ],
  });
  let sleeps: number;
  const clock = {
    sleep: async () => {
      sleeps++;
    },
    remainingMs: () => 600_000,
  };
  beforeEach(() => {
    ecs.reset();
    sleeps = 0;
  });

  it("answers once the task's container exited 0, having started it in the private network", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArn(1) }] });
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ taskArn: taskArn(1), lastStatus: "RUNNING" }] })
      .resolves(stopped(1, 0));
    const result = await runBootstrap(new ECSClient({}), input, clock);
    assert.deepEqual(result, { taskArn: taskArn(1), exitCode: 0, starts: 1 });
    const [call] = ecs.commandCalls(RunTaskCommand);
    assert.deepEqual(call.args[0].input.networkConfiguration, {
      awsvpcConfiguration: {
        subnets: ["subnet-a"],
        securityGroups: ["sg-b"],
        assignPublicIp: "DISABLED",
      },
    });
    assert.equal(call.args[0].input.launchType, "FARGATE");
  });

  it("fails when the bootstrap exits non-zero, naming the exit code and the log stream, without a second run", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArn(1) }] });
    ecs.on(DescribeTasksCommand).resolves(stopped(1, 1));
    await assert.rejects(
      runBootstrap(new ECSClient({}), input, clock),
      /task1 exited 1: see its log stream bootstrap\/bootstrap\/task1/,
    );
    assert.equal(ecs.commandCalls(RunTaskCommand).length, 1);
  });

  it("starts again a task that stopped before its container ran (the execution role not yet usable)", async () => {
    ecs
      .on(RunTaskCommand)
      .resolvesOnce({ tasks: [{ taskArn: taskArn(1) }] })
      .resolves({ tasks: [{ taskArn: taskArn(2) }] });
    ecs
      .on(DescribeTasksCommand, { tasks: [taskArn(1)] })
      .resolves(stopped(1, undefined, "ResourceInitializationError: unable to pull secrets"));
    ecs.on(DescribeTasksCommand, { tasks: [taskArn(2)] }).resolves(stopped(2, 0));
    const result = await runBootstrap(new ECSClient({}), input, clock);
    assert.equal(result.starts, 2);
  });

  it("gives up after three starts that never ran, saying why each failed", async () => {
    ecs
      .on(RunTaskCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    await assert.rejects(
      runBootstrap(new ECSClient({}), input, clock),
      /did not run after 3 starts: RunTask failed: AccessDeniedException: not authorized; .*; RunTask failed/,
    );
    assert.equal(ecs.commandCalls(RunTaskCommand).length, 3);
    assert.equal(sleeps, 2);
  });

  it("fails before the function's own timeout when the task never stops", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArn(1) }] });
    ecs
      .on(DescribeTasksCommand)
      .resolves({ tasks: [{ taskArn: taskArn(1), lastStatus: "RUNNING" }] });
    let remaining = 100_000;
    const ticking = {
      sleep: async (ms: number) => {
        remaining -= ms;
      },
      remainingMs: () => remaining,
    };
    await assert.rejects(
      runBootstrap(new ECSClient({}), input, ticking),
      /task1 still running when time ran out/,
    );
  });
});
