/**
 * `npm run rollback -- --stack NAME [--dry-run]`
 * `npm run rollback -- --stack NAME --record-current --cluster CLUSTER --service SERVICE`
 *
 * Returns a stack's ECS service to its last good release. A release is good once the deploy
 * workflow's smoke tests passed against it; the workflow then records it (`--record-current`):
 * the service and the task definition it runs, whose app image is pinned by digest, go into the
 * SSM parameter `/<project>/<stack>/last-good-release` (its history is the list of good
 * releases). Rolling back points the service at that task definition again, re-registering it
 * first if a later `pulumi up` has deregistered it, waits until the service is stable, and says
 * what it did. The database schema is not touched: see docs/runbooks/rollback.md.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  waitUntilServicesStable,
  type Service,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { projectName } from "./offline/harness";
import { checkStackName, exitCodes, parseCommandLine, runScript, UsageError } from "./ops/cli";
import { stackRegion } from "./ops/stack";

export const usage = `usage: npm run rollback -- --stack NAME [--dry-run]
       npm run rollback -- --stack NAME --record-current --cluster CLUSTER --service SERVICE
                           [--expect-image IMAGE]

Without --record-current: points the stack's ECS service back at the last good release recorded
for it (SSM parameter /<project>/<stack>/last-good-release) and waits until it is stable.
--dry-run prints what it would do and changes nothing.
With --record-current: records the release the service runs now as the last good one (the
deploy workflow does this after the smoke tests pass); with --expect-image, only if its app
image is that one (a newer deploy may have replaced the release that was tested).
Region: the stack file's aws:region. Exit code: 0 done (or nothing to do), 1 failed, 2 bad arguments.`;

/** What `--record-current` stores, as JSON, in the stack's parameter. */
export interface Release {
  cluster: string;
  service: string;
  taskDefinitionArn: string;
  /** The app container's image, `<repository>@sha256:<digest>`. */
  image: string;
  recordedAt: string;
}

export interface RollbackOptions {
  ecs: ECSClient;
  ssm: SSMClient;
  log?: (line: string) => void;
  /** How long to wait for the service to be stable again (seconds). Default 900. */
  maxWaitSeconds?: number;
  /** Seconds between checks while waiting. Default 15. */
  pollSeconds?: number;
  now?: () => Date;
}

/** The app container: the one the load balancer sends traffic to. */
const appContainer = "app";

export function parameterName(project: string, stack: string): string {
  return `/${project}/${stack}/last-good-release`;
}

async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = out.services?.[0];
  if (!found || found.status !== "ACTIVE") {
    const reason = out.failures?.[0]?.reason ?? found?.status ?? "not found";
    throw new Error(`ECS service ${service} in cluster ${cluster}: ${reason}`);
  }
  return found;
}

async function describeTaskDefinition(ecs: ECSClient, arn: string): Promise<TaskDefinition> {
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
  if (!out.taskDefinition) throw new Error(`task definition ${arn} not found`);
  return out.taskDefinition;
}

function imageOf(taskDefinition: TaskDefinition): string {
  const image = taskDefinition.containerDefinitions?.find((c) => c.name === appContainer)?.image;
  if (!image) {
    throw new Error(
      `task definition ${taskDefinition.taskDefinitionArn} has no "${appContainer}" container`,
    );
  }
  return image;
}

/** Records what the service runs now as the stack's last good release. */
export async function recordCurrent(
  project: string,
  stack: string,
  target: { cluster: string; service: string; expectImage?: string },
  { ecs, ssm, log = console.log, now = () => new Date() }: RollbackOptions,
): Promise<Release> {
  const { cluster, service, expectImage } = target;
  const current = await describeService(ecs, cluster, service);
  const primary = current.deployments?.find((d) => d.status === "PRIMARY");
  // A release still rolling out (or rolled back by the circuit breaker) is not known to be good.
  if (!primary || primary.rolloutState !== "COMPLETED" || current.deployments!.length > 1) {
    throw new Error(
      `service ${service} is not steady (rollout ${primary?.rolloutState ?? "unknown"}, ` +
        `${current.deployments?.length ?? 0} deployment(s)): not recording it as good`,
    );
  }
  const taskDefinition = await describeTaskDefinition(ecs, primary.taskDefinition!);
  if (expectImage !== undefined && imageOf(taskDefinition) !== expectImage) {
    throw new Error(
      `service ${service} runs ${imageOf(taskDefinition)}, not the tested ${expectImage} ` +
        `(a newer deploy replaced it): not recording it as good`,
    );
  }
  const release: Release = {
    cluster,
    service,
    taskDefinitionArn: taskDefinition.taskDefinitionArn!,
    image: imageOf(taskDefinition),
    recordedAt: now().toISOString(),
  };
  const name = parameterName(project, stack);
  await ssm.send(
    new PutParameterCommand({
      Name: name,
      Value: JSON.stringify(release),
      Type: "String",
      Overwrite: true,
      Description: `Last release of ${project}/${stack} that passed the deploy workflow's smoke tests`,
    }),
  );
  log(
    `recorded ${release.taskDefinitionArn} (${release.image}) as the last good release in ${name}`,
  );
  return release;
}

export async function readRelease(ssm: SSMClient, name: string): Promise<Release> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return JSON.parse(out.Parameter!.Value!) as Release;
  } catch (err) {
    if (err instanceof ParameterNotFound) {
      throw new Error(
        `no good release recorded in ${name}: nothing to roll back to (the deploy workflow records ` +
          `one after its smoke tests pass; see docs/runbooks/rollback.md to roll back by hand)`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** The task definition's registration input: everything ECS lets a new revision repeat. */
function registrationOf(td: TaskDefinition) {
  return {
    family: td.family,
    taskRoleArn: td.taskRoleArn,
    executionRoleArn: td.executionRoleArn,
    networkMode: td.networkMode,
    containerDefinitions: td.containerDefinitions,
    volumes: td.volumes,
    placementConstraints: td.placementConstraints,
    requiresCompatibilities: td.requiresCompatibilities,
    cpu: td.cpu,
    memory: td.memory,
    pidMode: td.pidMode,
    ipcMode: td.ipcMode,
    proxyConfiguration: td.proxyConfiguration,
    ephemeralStorage: td.ephemeralStorage,
    runtimePlatform: td.runtimePlatform,
  };
}

export type RollbackResult = "rolled-back" | "already-current" | "dry-run";

/** Points the service back at the recorded release and waits until it is stable. */
export async function rollback(
  project: string,
  stack: string,
  options: RollbackOptions & { dryRun?: boolean },
): Promise<RollbackResult> {
  const { ecs, ssm, log = console.log, maxWaitSeconds = 900, pollSeconds = 15 } = options;
  const name = parameterName(project, stack);
  const release = await readRelease(ssm, name);
  log(`last good release (${name}, recorded ${release.recordedAt}):`);
  log(`  ${release.taskDefinitionArn}\n  ${release.image}`);

  const service = await describeService(ecs, release.cluster, release.service);
  const currentArn = service.taskDefinition!;
  const current = await describeTaskDefinition(ecs, currentArn);
  log(`service ${release.service} runs ${currentArn}\n  ${imageOf(current)}`);
  if (currentArn === release.taskDefinitionArn || imageOf(current) === release.image) {
    log("the service already runs the last good release: nothing to do");
    return "already-current";
  }

  const target = await describeTaskDefinition(ecs, release.taskDefinitionArn);
  // `pulumi up` deregisters the revisions it replaces, and ECS will not deploy an INACTIVE one:
  // register the same definition again (same image digest, roles and settings) as a new revision.
  const reregister = target.status !== "ACTIVE";
  if (options.dryRun) {
    log(
      `dry run: would ${reregister ? `re-register ${release.taskDefinitionArn} (${target.status}) and ` : ""}` +
        `update service ${release.service} to it, then wait until it is stable`,
    );
    return "dry-run";
  }
  let arn = release.taskDefinitionArn;
  if (reregister) {
    const out = await ecs.send(new RegisterTaskDefinitionCommand(registrationOf(target)));
    arn = out.taskDefinition!.taskDefinitionArn!;
    log(`re-registered ${release.taskDefinitionArn} (${target.status}) as ${arn}`);
  }
  await ecs.send(
    new UpdateServiceCommand({
      cluster: release.cluster,
      service: release.service,
      taskDefinition: arn,
    }),
  );
  log(`updated service ${release.service} to ${arn}; waiting until it is stable`);
  const started = Date.now();
  await waitUntilServicesStable(
    {
      client: ecs,
      maxWaitTime: maxWaitSeconds,
      minDelay: pollSeconds,
      maxDelay: Math.max(pollSeconds, 30),
    },
    { cluster: release.cluster, services: [release.service] },
  );
  const after = await describeService(ecs, release.cluster, release.service);
  if (after.taskDefinition !== arn) {
    throw new Error(
      `service ${release.service} is stable but runs ${after.taskDefinition}, not ${arn}: ` +
        `the deployment circuit breaker may have rolled the rollback back`,
    );
  }
  log(
    `rolled back: service ${release.service} is stable on ${arn} ` +
      `(${Math.round((Date.now() - started) / 1000)} s)`,
  );
  return "rolled-back";
}

export async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine(
    argv,
    {
      stack: { type: "string", short: "s" },
      "record-current": { type: "boolean" },
      cluster: { type: "string" },
      service: { type: "string" },
      "dry-run": { type: "boolean" },
      "expect-image": { type: "string" },
    },
    ["stack"],
    usage,
  );
  if (!args) return exitCodes.ok;
  const stack = checkStackName(args.stack!);
  const record = args["record-current"] === true;
  if (record && (!args.cluster || !args.service)) {
    throw new UsageError("--record-current needs --cluster and --service");
  }
  if (!record && (args.cluster || args.service || args["expect-image"])) {
    throw new UsageError("--cluster, --service and --expect-image go with --record-current only");
  }
  if (record && args["dry-run"]) throw new UsageError("--dry-run goes without --record-current");
  const region = stackRegion(stack);
  const clients = { ecs: new ECSClient({ region }), ssm: new SSMClient({ region }) };
  const project = projectName();
  if (record) {
    const target = {
      cluster: args.cluster!,
      service: args.service!,
      expectImage: args["expect-image"],
    };
    await recordCurrent(project, stack, target, clients);
  } else {
    await rollback(project, stack, { ...clients, dryRun: args["dry-run"] });
  }
  return exitCodes.ok;
}

if (require.main === module) runScript(main, usage);
