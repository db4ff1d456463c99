/**
 * `npm run restore-drill -- --stack NAME [--output FILE] [--security-group-id SG] [--ssl-ca FILE]`
 *
 * Proves the stack's backups restore, and how long that takes: restores the latest completed
 * AWS Backup recovery point of the stack's database into a temporary instance, waits until it is
 * available, gives it a throw-away master password, checks it with a query through node-postgres,
 * prints the recovery time (from starting the restore to a correct answer) and writes it as JSON.
 * Whatever fails, it deletes the instance it created before exiting. The recovery drill workflow
 * runs it monthly against staging from a runner inside the VPC.
 */
import {
  BackupClient,
  DescribeRecoveryPointCommand,
  DescribeRestoreJobCommand,
  GetRecoveryPointRestoreMetadataCommand,
  ListRecoveryPointsByResourceCommand,
  StartRestoreJobCommand,
} from "@aws-sdk/client-backup";
import {
  DBInstanceNotFoundFault,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  InvalidDBInstanceStateFault,
  ModifyDBInstanceCommand,
  RDSClient,
  waitUntilDBInstanceAvailable,
  type DBInstance,
} from "@aws-sdk/client-rds";
import { randomBytes } from "node:crypto";
import { accessSync, constants, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { projectName } from "./offline/harness";
import { checkStackName, exitCodes, parseCommandLine, runScript, UsageError } from "./ops/cli";
import { fromUser } from "./lib/user-paths";
import { stackRegion } from "./ops/stack";

export const usage = `usage: npm run restore-drill -- --stack NAME [--output FILE] [--security-group-id SG]
                                 [--ssl-ca FILE] [--check-query SQL]

Restores the latest AWS Backup recovery point of the stack's database (<project>-<stack>) into a
temporary instance, checks it with a query, prints the recovery time and deletes the instance,
also when a step fails. Run it where the VPC's isolated subnets are reachable.
  --output FILE             write the result (recovery time, recovery point, outcome) as JSON
  --security-group-id SG    security group for the temporary instance (default: the database's,
                            which admits only the RDS Proxy: give one that admits this machine)
  --ssl-ca FILE             the RDS CA bundle, to verify the instance's certificate
  --check-query SQL         must return one row with a column n > 0
                            (default: the applied migrations, ${"`SELECT count(*)::int AS n FROM pgmigrations`"})
FILE: relative to the directory npm run was started in. Region: the stack file's aws:region.
Exit code: 0 restored and checked, 1 failed, 2 bad arguments.`;

export const defaultCheckQuery = "SELECT count(*)::int AS n FROM pgmigrations";

export interface DrillResult {
  stack: string;
  sourceInstance: string;
  recoveryPointArn?: string;
  recoveryPointCreatedAt?: string;
  restoredInstance?: string;
  startedAt?: string;
  /** Seconds from starting the restore job until it completed. */
  restoreJobSeconds?: number;
  /** Seconds from starting the restore until the check query answered correctly. */
  recoveryTimeSeconds?: number;
  checkResult?: number;
  /** True once the temporary instance is being deleted (or was never created). */
  cleanedUp: boolean;
  ok: boolean;
  error?: string;
}

export interface DrillOptions {
  rds: RDSClient;
  backup: BackupClient;
  log?: (line: string) => void;
  now?: () => Date;
  /** Seconds between restore job checks. Default 30. */
  pollSeconds?: number;
  /** Longest wait for the restore job, then for the instance (seconds each). Default 5400. */
  maxWaitSeconds?: number;
  securityGroupId?: string;
  /** TLS settings for the check connection. Default: TLS, certificate not verified. */
  ssl?: pg.ClientConfig["ssl"];
  checkQuery?: string;
}

/** The identifier infra/index.ts gives the stack's database. */
export function databaseIdentifier(project: string, stack: string): string {
  return `${project}-${stack}`;
}

async function describeInstance(rds: RDSClient, id: string): Promise<DBInstance> {
  const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  return out.DBInstances![0];
}

export async function restoreDrill(
  project: string,
  stack: string,
  options: DrillOptions,
): Promise<DrillResult> {
  const { rds, backup, log = console.log, now = () => new Date() } = options;
  const pollSeconds = options.pollSeconds ?? 30;
  const maxWaitSeconds = options.maxWaitSeconds ?? 5400;
  const sourceId = databaseIdentifier(project, stack);
  const result: DrillResult = { stack, sourceInstance: sourceId, cleanedUp: true, ok: false };
  const seconds = (from: Date) => Math.round((now().getTime() - from.getTime()) / 1000);

  try {
    const source = await describeInstance(rds, sourceId);
    const points = await backup.send(
      new ListRecoveryPointsByResourceCommand({ ResourceArn: source.DBInstanceArn }),
    );
    const latest = (points.RecoveryPoints ?? [])
      .filter((p) => p.Status === "COMPLETED")
      .sort((a, b) => b.CreationDate!.getTime() - a.CreationDate!.getTime())[0];
    if (!latest) throw new Error(`no completed AWS Backup recovery point of ${sourceId}`);
    result.recoveryPointArn = latest.RecoveryPointArn;
    result.recoveryPointCreatedAt = latest.CreationDate!.toISOString();
    log(`latest recovery point of ${sourceId}: ${latest.RecoveryPointArn}`);
    log(`  taken ${result.recoveryPointCreatedAt}, in vault ${latest.BackupVaultName}`);

    const point = {
      BackupVaultName: latest.BackupVaultName,
      RecoveryPointArn: latest.RecoveryPointArn,
    };
    // The role that made the recovery point; the stack's backup role may also restore.
    const { IamRoleArn } = await backup.send(new DescribeRecoveryPointCommand(point));
    const { RestoreMetadata } = await backup.send(
      new GetRecoveryPointRestoreMetadataCommand(point),
    );

    const restoredId = `${sourceId}-drill-${now().toISOString().replace(/\D/g, "").slice(0, 12)}`;
    const securityGroups = options.securityGroupId
      ? [options.securityGroupId]
      : (source.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId!);
    const metadata = {
      ...RestoreMetadata,
      DBInstanceIdentifier: restoredId,
      DBSubnetGroupName: source.DBSubnetGroup!.DBSubnetGroupName!,
      VpcSecurityGroupIds: JSON.stringify(securityGroups),
      // The cheapest shape that answers the question; never reachable from the internet.
      MultiAZ: "false",
      PubliclyAccessible: "false",
      DeletionProtection: "false",
    };
    const startedAt = now();
    result.startedAt = startedAt.toISOString();
    const { RestoreJobId } = await backup.send(
      new StartRestoreJobCommand({
        RecoveryPointArn: latest.RecoveryPointArn,
        IamRoleArn,
        Metadata: metadata,
        ResourceType: "RDS",
      }),
    );
    // From here on an instance may exist: it is deleted whatever happens next.
    result.restoredInstance = restoredId;
    result.cleanedUp = false;
    log(`restore job ${RestoreJobId} started: ${restoredId}`);

    await waitForRestoreJob(backup, RestoreJobId!, pollSeconds, maxWaitSeconds);
    result.restoreJobSeconds = seconds(startedAt);
    log(`restore job completed after ${result.restoreJobSeconds} s`);
    await waitUntilDBInstanceAvailable(
      { client: rds, maxWaitTime: maxWaitSeconds, minDelay: pollSeconds, maxDelay: 120 },
      { DBInstanceIdentifier: restoredId },
    );

    // The restored instance keeps the source's master user; its password (managed by RDS in
    // Secrets Manager for the source) is replaced by one that lives only in this process.
    const password = randomBytes(24).toString("base64url");
    await rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: restoredId,
        MasterUserPassword: password,
        ApplyImmediately: true,
      }),
    );
    const restored = await waitForPasswordApplied(rds, restoredId, pollSeconds, maxWaitSeconds);
    log(`${restoredId} available at ${restored.Endpoint!.Address}:${restored.Endpoint!.Port}`);

    result.checkResult = await check(restored, password, options);
    result.recoveryTimeSeconds = seconds(startedAt);
    result.ok = true;
    log(`check passed: ${options.checkQuery ?? defaultCheckQuery} -> ${result.checkResult}`);
    log(`recovery time: ${result.recoveryTimeSeconds} s (restore started ${result.startedAt})`);
  } catch (err) {
    result.error = (err as Error).message;
    log(`drill failed: ${result.error}`);
  } finally {
    if (!result.cleanedUp) result.cleanedUp = await deleteInstance(rds, result, log, options);
  }
  return result;
}

/**
 * Reads `read()` every `pollSeconds` until `state` says it is done (returns it), failed (throws
 * its reason) or `maxWaitSeconds` passed (throws, naming what it was still doing).
 */
async function pollUntil<T>(
  read: () => Promise<T>,
  state: (value: T) => { done: boolean; failure?: string; status: string },
  pollSeconds: number,
  maxWaitSeconds: number,
): Promise<T> {
  const deadline = Date.now() + maxWaitSeconds * 1000;
  for (;;) {
    const value = await read();
    const { done, failure, status } = state(value);
    if (done) return value;
    if (failure) throw new Error(failure);
    if (Date.now() > deadline) throw new Error(`${status} after ${maxWaitSeconds} s`);
    await sleep(pollSeconds * 1000);
  }
}

function waitForRestoreJob(backup: BackupClient, jobId: string, poll: number, max: number) {
  return pollUntil(
    () => backup.send(new DescribeRestoreJobCommand({ RestoreJobId: jobId })),
    (job) => ({
      done: job.Status === "COMPLETED",
      failure:
        job.Status === "FAILED" || job.Status === "ABORTED"
          ? `restore job ${jobId} ${job.Status}: ${job.StatusMessage ?? "no reason given"}`
          : undefined,
      status: `restore job ${jobId} still ${job.Status}`,
    }),
    poll,
    max,
  );
}

/** Waits until the instance is available with no master password change pending. */
function waitForPasswordApplied(rds: RDSClient, id: string, poll: number, max: number) {
  return pollUntil(
    () => describeInstance(rds, id),
    (instance) => ({
      done:
        instance.DBInstanceStatus === "available" &&
        instance.PendingModifiedValues?.MasterUserPassword === undefined,
      status: `${id} still ${instance.DBInstanceStatus}`,
    }),
    poll,
    max,
  );
}

/** Runs the check query on the restored instance; its `n` must be above zero. */
async function check(instance: DBInstance, password: string, options: DrillOptions) {
  const client = new pg.Client({
    host: instance.Endpoint!.Address,
    port: instance.Endpoint!.Port,
    user: instance.MasterUsername,
    password,
    database: instance.DBName ?? "postgres",
    ssl: options.ssl ?? { rejectUnauthorized: false },
    connectionTimeoutMillis: 30000,
    query_timeout: 60000,
  });
  await client.connect();
  try {
    const query = options.checkQuery ?? defaultCheckQuery;
    const { rows } = await client.query<{ n: number }>(query);
    const n = Number(rows[0]?.n);
    if (!(n > 0)) throw new Error(`check query returned ${rows[0]?.n ?? "no row"}, expected n > 0`);
    return n;
  } finally {
    await client.end();
  }
}

/**
 * Deletes the temporary instance, without a final snapshot. An instance still being created
 * cannot be deleted yet: then it waits for it first. Returns whether nothing is left behind.
 */
async function deleteInstance(
  rds: RDSClient,
  result: DrillResult,
  log: (line: string) => void,
  options: DrillOptions,
): Promise<boolean> {
  const id = result.restoredInstance!;
  const remove = () =>
    rds.send(
      new DeleteDBInstanceCommand({
        DBInstanceIdentifier: id,
        SkipFinalSnapshot: true,
        DeleteAutomatedBackups: true,
      }),
    );
  try {
    try {
      await remove();
    } catch (err) {
      if (!(err instanceof InvalidDBInstanceStateFault)) throw err;
      log(`${id} cannot be deleted yet (${err.message}); waiting until it is available`);
      await waitUntilDBInstanceAvailable(
        {
          client: rds,
          maxWaitTime: options.maxWaitSeconds ?? 5400,
          minDelay: options.pollSeconds ?? 30,
          maxDelay: 120,
        },
        { DBInstanceIdentifier: id },
      );
      await remove();
    }
    log(`deleting ${id}`);
    return true;
  } catch (err) {
    if (err instanceof DBInstanceNotFoundFault) {
      log(`${id} was never created: nothing to delete`);
      return true;
    }
    const message =
      `could not delete ${id}: ${(err as Error).message}; delete it by hand: ` +
      `aws rds delete-db-instance --db-instance-identifier ${id} --skip-final-snapshot`;
    log(message);
    result.error = result.error ? `${result.error}; ${message}` : message;
    return false;
  }
}

function isWritableDirectory(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine(
    argv,
    {
      stack: { type: "string", short: "s" },
      output: { type: "string", short: "o" },
      "security-group-id": { type: "string" },
      "ssl-ca": { type: "string" },
      "check-query": { type: "string" },
    },
    ["stack"],
    usage,
  );
  if (!args) return exitCodes.ok;
  const stack = checkStackName(args.stack!);
  const sg = args["security-group-id"];
  if (sg !== undefined && !/^sg-[0-9a-f]{8,17}$/.test(sg)) {
    throw new UsageError(`--security-group-id must be a security group id (sg-...), got "${sg}"`);
  }
  const region = stackRegion(stack);
  let ca: string | undefined;
  const caFile = args["ssl-ca"] === undefined ? undefined : fromUser(args["ssl-ca"]);
  try {
    ca = caFile === undefined ? undefined : readFileSync(caFile, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new UsageError(`--ssl-ca: no file ${caFile}`);
    }
    throw err;
  }
  const output = args.output === undefined ? undefined : fromUser(args.output);
  // Checked now: the drill takes a quarter of an hour, and its result is written at the end.
  if (output !== undefined && !isWritableDirectory(dirname(output))) {
    throw new UsageError(`--output: ${dirname(output)} is not a directory this user can write to`);
  }
  const result = await restoreDrill(projectName(), stack, {
    rds: new RDSClient({ region }),
    backup: new BackupClient({ region }),
    securityGroupId: sg,
    ssl: ca ? { rejectUnauthorized: true, ca } : undefined,
    checkQuery: args["check-query"],
  });
  if (output) writeFileSync(output, `${JSON.stringify(result, null, 2)}\n`);
  return result.ok && result.cleanedUp ? exitCodes.ok : exitCodes.failed;
}

if (require.main === module) runScript(main, usage);
