import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import assert from "node:assert/strict";
import { startScript, type ScriptRun } from "../scripts/helpers/run";
import { MOTO_ACCOUNT, useMoto } from "./helpers/moto";

/**
 * `npm run rollback` end to end against moto: the script's own entry point in its own process,
 * its ECS and SSM calls answered by the emulator, the outcome read back from the emulator's state.
 * The staging stack file's region (eu-west-1) and the project name (acme) are the real ones.
 */
describe("rollback against moto (ECS, SSM)", function () {
  this.timeout(120_000);
  // moto reports this many running tasks, and a COMPLETED rollout, for every service.
  const moto = useMoto({ MOTO_ECS_SERVICE_RUNNING: "2" });
  const region = "eu-west-1";
  const cluster = "acme-staging";
  const service = "web";
  const parameter = "/acme/staging/last-good-release";
  const image = (digest: string) =>
    `${MOTO_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/app@sha256:${digest.repeat(64)}`;
  const arn = (revision: number) =>
    `arn:aws:ecs:${region}:${MOTO_ACCOUNT}:task-definition/acme-staging:${revision}`;
  let ecs: ECSClient;
  let ssm: SSMClient;

  before(() => {
    const config = {
      region,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    };
    ecs = new ECSClient(config);
    ssm = new SSMClient(config);
  });

  const register = (digest: string) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "acme-staging",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "512",
        memory: "1024",
        executionRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/exec`,
        containerDefinitions: [
          { name: "migrate", image: image(digest), essential: false },
          {
            name: "app",
            image: image(digest),
            essential: true,
            environment: [{ name: "LOG_LEVEL", value: "info" }],
          },
        ],
      }),
    );

  /** A cluster whose service runs revision 1 (image a, tested good). */
  async function deployed() {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await register("a");
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: service,
        taskDefinition: arn(1),
        desiredCount: 2,
        launchType: "FARGATE",
      }),
    );
  }
  const runningArn = async () =>
    (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]
      .taskDefinition;
  const recorded = async () =>
    JSON.parse(
      (await ssm.send(new GetParameterCommand({ Name: parameter }))).Parameter!.Value!,
    ) as { taskDefinitionArn: string; image: string; cluster: string; service: string };
  const run = (args: string[]): Promise<ScriptRun> =>
    startScript("rollback", ["--stack", "staging", ...args], moto.env).done;
  const recordArgs = ["--record-current", "--cluster", cluster, "--service", service];

  it("records the running release, then rolls a bad deploy back to it, re-registering it", async () => {
    await deployed();
    const record = await run(recordArgs);
    assert.equal(record.code, 0, record.stdout + record.stderr);
    const release = await recorded();
    assert.equal(release.taskDefinitionArn, arn(1));
    assert.equal(release.image, image("a"));
    assert.deepEqual([release.cluster, release.service], [cluster, service]);

    // A later `pulumi up`: revision 2 (image b) replaces 1, which it deregisters.
    await register("b");
    await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: arn(2) }));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn(1) }));

    const back = await run([]);
    assert.equal(back.code, 0, back.stdout + back.stderr);
    assert.equal(await runningArn(), arn(3), "a new revision of the good definition");
    const { taskDefinition } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: arn(3) }),
    );
    assert.equal(taskDefinition!.status, "ACTIVE");
    assert.deepEqual(
      taskDefinition!.containerDefinitions!.map((c) => [c.name, c.image]),
      [
        ["migrate", image("a")],
        ["app", image("a")],
      ],
    );
    assert.equal(taskDefinition!.cpu, "512");
    assert.match(back.stdout, /rolled back: service web is stable on .*acme-staging:3/);
  });

  it("--dry-run says what it would do and changes nothing", async () => {
    await deployed();
    assert.equal((await run(recordArgs)).code, 0);
    await register("b");
    await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: arn(2) }));
    const dry = await run(["--dry-run"]);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /^dry run: would update service web to it/m);
    assert.equal(await runningArn(), arn(2));
  });

  it("does nothing when the service already runs the recorded release", async () => {
    await deployed();
    assert.equal((await run(recordArgs)).code, 0);
    const again = await run([]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /already runs the last good release/);
    assert.equal(await runningArn(), arn(1));
  });

  it("records nothing when the service no longer runs the tested image", async () => {
    await deployed();
    const stale = await run([...recordArgs, "--expect-image", image("c")]);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /not the tested .*not recording it as good/);
    await assert.rejects(ssm.send(new GetParameterCommand({ Name: parameter })), {
      name: "ParameterNotFound",
    });
  });

  it("fails with one line when no release was ever recorded (SSM's ParameterNotFound)", async () => {
    await deployed();
    const none = await run([]);
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /^error: no good release recorded in \/acme\/staging\/last-good-release:/m,
    );
    assert.equal(await runningArn(), arn(1));
  });
});
