import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import assert from "node:assert/strict";
import { main, recordCurrent, rollback, type Release } from "../../scripts/rollback";

const ecsMock = mockClient(ECSClient);
const ssmMock = mockClient(SSMClient);

const family = "acme-prod";
const arn = (revision: number) =>
  `arn:aws:ecs:eu-west-1:493817265012:task-definition/${family}:${revision}`;
const image = (digest: string) =>
  `493817265012.dkr.ecr.eu-west-1.amazonaws.com/prod-repo@sha256:${digest.repeat(64)}`;

const containers = (digest: string): ContainerDefinition[] => [
  { name: "migrate", image: image(digest), essential: false },
  {
    name: "app",
    image: image(digest),
    essential: true,
    environment: [{ name: "LOG_LEVEL", value: "info" }],
  },
];

/** An account with revisions 7 (good, image a) and 8 (bad, image b) of the task family. */
function fakeEcs(options: {
  running: number;
  goodStatus?: "ACTIVE" | "INACTIVE";
  stable?: boolean;
}) {
  let running = arn(options.running);
  const definitions: Record<string, TaskDefinition> = {
    [arn(7)]: {
      taskDefinitionArn: arn(7),
      family,
      revision: 7,
      status: options.goodStatus ?? "ACTIVE",
      containerDefinitions: containers("a"),
      cpu: "512",
      memory: "1024",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
      executionRoleArn: "arn:aws:iam::493817265012:role/exec",
      taskRoleArn: "arn:aws:iam::493817265012:role/task",
      volumes: [{ name: "tmp" }],
    },
    [arn(8)]: {
      taskDefinitionArn: arn(8),
      family,
      revision: 8,
      status: "ACTIVE",
      containerDefinitions: containers("b"),
    },
  };
  ecsMock.on(DescribeTaskDefinitionCommand).callsFake(({ taskDefinition }) => ({
    taskDefinition: definitions[taskDefinition],
  }));
  ecsMock.on(DescribeServicesCommand).callsFake(() => {
    const deployments = [
      {
        status: "PRIMARY",
        rolloutState: "COMPLETED",
        taskDefinition: running,
        runningCount: 3,
        desiredCount: 3,
      },
    ];
    // A deployment that never finishes: the old one stays beside it.
    if (options.stable === false) deployments.push({ ...deployments[0], status: "ACTIVE" });
    return {
      services: [
        {
          serviceName: "prod-service-1a2b3c",
          status: "ACTIVE",
          taskDefinition: running,
          deployments,
          runningCount: 3,
          desiredCount: 3,
        },
      ],
      failures: [],
    };
  });
  ecsMock.on(RegisterTaskDefinitionCommand).callsFake((input) => {
    const registered = { ...input, taskDefinitionArn: arn(9), revision: 9, status: "ACTIVE" };
    definitions[arn(9)] = registered;
    return { taskDefinition: registered };
  });
  ecsMock.on(UpdateServiceCommand).callsFake(({ taskDefinition }) => {
    running = taskDefinition;
    return { service: { taskDefinition } };
  });
}

const good: Release = {
  cluster: "prod-cluster-9f8e",
  service: "prod-service-1a2b3c",
  taskDefinitionArn: arn(7),
  image: image("a"),
  recordedAt: "2026-11-20T10:00:00.000Z",
};

function recorded(release: Release | undefined) {
  if (release) {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(release) } });
  } else {
    ssmMock
      .on(GetParameterCommand)
      .rejects(new ParameterNotFound({ message: "not found", $metadata: {} }));
  }
}

describe("rollback", () => {
  const ecs = new ECSClient({ region: "eu-west-1" });
  const ssm = new SSMClient({ region: "eu-west-1" });
  let lines: string[];
  const options = () => ({
    ecs,
    ssm,
    log: (l: string) => lines.push(l),
    pollSeconds: 1,
    maxWaitSeconds: 3,
  });

  beforeEach(() => {
    ecsMock.reset();
    ssmMock.reset();
    lines = [];
  });

  it("records the release a steady service runs as the stack's last good one", async () => {
    fakeEcs({ running: 7 });
    const now = () => new Date("2026-11-26T12:00:00Z");
    const target = { cluster: good.cluster, service: good.service, expectImage: image("a") };
    await recordCurrent("acme", "prod", target, { ...options(), now });
    const put = ssmMock.commandCalls(PutParameterCommand)[0].args[0].input;
    assert.equal(put.Name, "/acme/prod/last-good-release");
    assert.equal(put.Overwrite, true);
    assert.deepEqual(JSON.parse(put.Value!), { ...good, recordedAt: "2026-11-26T12:00:00.000Z" });
  });

  it("refuses to record a service that is still rolling out", async () => {
    fakeEcs({ running: 8, stable: false });
    await assert.rejects(
      recordCurrent("acme", "prod", { cluster: good.cluster, service: good.service }, options()),
      /is not steady .*not recording it as good/,
    );
    assert.equal(ssmMock.commandCalls(PutParameterCommand).length, 0);
  });

  it("refuses to record a release other than the one that was tested", async () => {
    fakeEcs({ running: 8 });
    const target = { cluster: good.cluster, service: good.service, expectImage: image("a") };
    await assert.rejects(
      recordCurrent("acme", "prod", target, options()),
      /runs .*sha256:b+, not the tested .*sha256:a+ \(a newer deploy replaced it\)/,
    );
    assert.equal(ssmMock.commandCalls(PutParameterCommand).length, 0);
  });

  it("points the service back at the recorded revision and waits until it is stable", async () => {
    fakeEcs({ running: 8 });
    recorded(good);
    assert.equal(await rollback("acme", "prod", options()), "rolled-back");
    assert.deepEqual(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input, {
      cluster: good.cluster,
      service: good.service,
      taskDefinition: arn(7),
    });
    assert.equal(ecsMock.commandCalls(RegisterTaskDefinitionCommand).length, 0);
    assert.match(lines.join("\n"), /rolled back: service prod-service-1a2b3c is stable on .*:7/);
  });

  it("re-registers a revision `pulumi up` deregistered, unchanged, and deploys the copy", async () => {
    fakeEcs({ running: 8, goodStatus: "INACTIVE" });
    recorded(good);
    await rollback("acme", "prod", options());
    const registered = ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    assert.equal(registered.family, family);
    assert.deepEqual(registered.containerDefinitions, containers("a"));
    assert.equal(registered.executionRoleArn, "arn:aws:iam::493817265012:role/exec");
    assert.deepEqual(registered.runtimePlatform, {
      cpuArchitecture: "ARM64",
      operatingSystemFamily: "LINUX",
    });
    assert.equal(
      ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input.taskDefinition,
      arn(9),
    );
    assert.match(lines.join("\n"), /re-registered .*:7 \(INACTIVE\) as .*:9/);
  });

  it("does nothing when the service already runs the last good release", async () => {
    fakeEcs({ running: 7 });
    recorded(good);
    assert.equal(await rollback("acme", "prod", options()), "already-current");
    assert.equal(ecsMock.commandCalls(UpdateServiceCommand).length, 0);
  });

  it("changes nothing on a dry run", async () => {
    fakeEcs({ running: 8, goodStatus: "INACTIVE" });
    recorded(good);
    assert.equal(await rollback("acme", "prod", { ...options(), dryRun: true }), "dry-run");
    assert.equal(ecsMock.commandCalls(RegisterTaskDefinitionCommand).length, 0);
    assert.equal(ecsMock.commandCalls(UpdateServiceCommand).length, 0);
    assert.match(
      lines.join("\n"),
      /dry run: would re-register .*:7 \(INACTIVE\) and update service/,
    );
  });

  it("fails, saying so, when nothing was recorded", async () => {
    fakeEcs({ running: 8 });
    recorded(undefined);
    await assert.rejects(
      rollback("acme", "prod", options()),
      /no good release recorded in \/acme\/prod\/last-good-release/,
    );
  });

  it("fails when the service does not become stable in time", async function () {
    this.timeout(20000);
    fakeEcs({ running: 8, stable: false });
    recorded(good);
    await assert.rejects(rollback("acme", "prod", options()), /timed out|TIMEOUT|exceeded/i);
  });

  it("rejects bad arguments as usage errors; --help exits 0", async () => {
    assert.equal(await main(["--help"]), 0);
    await assert.rejects(main([]), { name: "UsageError", message: "--stack is required" });
    await assert.rejects(
      main(["--stack", "prod", "--record-current"]),
      /needs --cluster and --service/,
    );
    await assert.rejects(main(["--stack", "prod", "--cluster", "c"]), /with --record-current only/);
    await assert.rejects(
      main(["--stack", "prod", "--expect-image", "x"]),
      /with --record-current only/,
    );
    await assert.rejects(main(["--stack", "nope"]), /Pulumi.nope.yaml: file not found/);
    await assert.rejects(main(["--stack", "prod", "--force"]), /Unknown option '--force'/);
  });
});
