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
  ModifyDBInstanceCommand,
  RDSClient,
  type DBInstance,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../../app/src/db/embedded";
import { main, restoreDrill, type DrillOptions } from "../../scripts/restore-drill";

const rdsMock = mockClient(RDSClient);
const backupMock = mockClient(BackupClient);

/**
 * A real PostgreSQL stands in for the restored instance: TEST_DATABASE_URL's server, or else the
 * service's embedded one, as the app's tests do.
 */
let local: URL;
let embedded: EmbeddedDatabase | undefined;
const schema = `restore_drill_${process.pid}`;

const source = (): DBInstance => ({
  DBInstanceIdentifier: "acme-staging",
  DBInstanceArn: "arn:aws:rds:eu-west-1:493817265012:db:acme-staging",
  DBSubnetGroup: { DBSubnetGroupName: "staging-db-subnets-5e1f" },
  VpcSecurityGroups: [{ VpcSecurityGroupId: "sg-0db0db0db0db0db01" }],
  MasterUsername: local.username,
  DBName: local.pathname.slice(1),
});

const vault = "staging-vault-77aa";
const pointArn = (n: number) => `arn:aws:rds:eu-west-1:493817265012:snapshot:awsbackup:job-${n}`;

/**
 * An account whose restored instance reaches `status` (and, when available, points at the local
 * PostgreSQL). The fake clock advances ten minutes while the restore job runs and two while the
 * password changes.
 */
function fakeAccount(opts: { status?: string; job?: "COMPLETED" | "FAILED"; created?: boolean }) {
  let clock = Date.parse("2026-12-01T06:00:00Z");
  const now = () => new Date(clock);
  let passwordPending = false;
  rdsMock.on(DescribeDBInstancesCommand).callsFake(({ DBInstanceIdentifier }) => {
    if (DBInstanceIdentifier === "acme-staging") return { DBInstances: [source()] };
    // The new password shows as pending once, as RDS reports it while resetting credentials.
    const pending = passwordPending;
    passwordPending = false;
    return {
      DBInstances: [
        {
          ...source(),
          DBInstanceIdentifier,
          DBInstanceStatus: opts.status ?? "available",
          PendingModifiedValues: pending ? { MasterUserPassword: "****" } : {},
          Endpoint: { Address: local.hostname, Port: Number(local.port || 5432) },
        },
      ],
    };
  });
  rdsMock.on(ModifyDBInstanceCommand).callsFake(() => {
    passwordPending = true;
    clock += 120_000;
    return {};
  });
  rdsMock.on(DeleteDBInstanceCommand).callsFake(() => {
    if (opts.created === false) {
      throw new DBInstanceNotFoundFault({ message: "DBInstance not found", $metadata: {} });
    }
    return {};
  });
  backupMock.on(ListRecoveryPointsByResourceCommand).resolves({
    RecoveryPoints: [
      {
        RecoveryPointArn: pointArn(1),
        BackupVaultName: vault,
        Status: "COMPLETED",
        CreationDate: new Date("2026-11-29T05:00:00Z"),
      },
      {
        RecoveryPointArn: pointArn(3),
        BackupVaultName: vault,
        Status: "PARTIAL",
        CreationDate: new Date("2026-12-01T05:00:00Z"),
      },
      {
        RecoveryPointArn: pointArn(2),
        BackupVaultName: vault,
        Status: "COMPLETED",
        CreationDate: new Date("2026-11-30T05:00:00Z"),
      },
    ],
  });
  backupMock
    .on(DescribeRecoveryPointCommand)
    .resolves({ IamRoleArn: "arn:aws:iam::493817265012:role/staging-backup" });
  backupMock.on(GetRecoveryPointRestoreMetadataCommand).resolves({
    RestoreMetadata: {
      DBInstanceIdentifier: "acme-staging",
      DBInstanceClass: "db.t4g.micro",
      Engine: "postgres",
    },
  });
  backupMock.on(StartRestoreJobCommand).resolves({ RestoreJobId: "job-42" });
  backupMock.on(DescribeRestoreJobCommand).callsFake(() => {
    clock += 600_000;
    return opts.job === "FAILED"
      ? { Status: "FAILED", StatusMessage: "The snapshot is not compatible" }
      : { Status: "COMPLETED" };
  });
  return now;
}

describe("restore-drill", () => {
  const rds = new RDSClient({ region: "eu-west-1" });
  const backup = new BackupClient({ region: "eu-west-1" });
  let lines: string[];
  const options = (now: () => Date, extra: Partial<DrillOptions> = {}): DrillOptions => ({
    rds,
    backup,
    now,
    log: (l) => lines.push(l),
    pollSeconds: 1,
    maxWaitSeconds: 5,
    ssl: false,
    checkQuery: `SELECT count(*)::int AS n FROM ${schema}.pgmigrations`,
    ...extra,
  });
  const deleted = () => rdsMock.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input);

  before(async function () {
    // The embedded server (WebAssembly) takes seconds to start on a busy machine.
    this.timeout(120000);
    if (process.env.TEST_DATABASE_URL) local = new URL(process.env.TEST_DATABASE_URL);
    else {
      embedded = await startEmbeddedDatabase();
      local = new URL(embedded.url);
    }
    const client = new pg.Client({ connectionString: local.href });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`CREATE TABLE ${schema}.pgmigrations (id serial, name text)`);
    await client.query(`INSERT INTO ${schema}.pgmigrations (name) VALUES ('a'), ('b')`);
    await client.end();
  });

  after(async () => {
    if (local === undefined) return;
    const client = new pg.Client({ connectionString: local.href });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    } finally {
      await embedded?.stop();
    }
  });

  beforeEach(() => {
    rdsMock.reset();
    backupMock.reset();
    lines = [];
  });

  it("restores the latest completed recovery point, checks it, measures, and deletes it", async () => {
    const now = fakeAccount({});
    const result = await restoreDrill("acme", "staging", options(now));
    assert.equal(result.error, undefined);
    assert.equal(result.ok, true);
    assert.equal(result.recoveryPointArn, pointArn(2));
    assert.equal(result.checkResult, 2);
    assert.equal(result.restoreJobSeconds, 600);
    assert.equal(result.recoveryTimeSeconds, 720);

    const start = backupMock.commandCalls(StartRestoreJobCommand)[0].args[0].input;
    assert.equal(start.RecoveryPointArn, pointArn(2));
    assert.equal(start.IamRoleArn, "arn:aws:iam::493817265012:role/staging-backup");
    assert.deepEqual(start.Metadata, {
      DBInstanceIdentifier: "acme-staging-drill-202612010600",
      DBInstanceClass: "db.t4g.micro",
      Engine: "postgres",
      DBSubnetGroupName: "staging-db-subnets-5e1f",
      VpcSecurityGroupIds: '["sg-0db0db0db0db0db01"]',
      MultiAZ: "false",
      PubliclyAccessible: "false",
      DeletionProtection: "false",
    });
    const modify = rdsMock.commandCalls(ModifyDBInstanceCommand)[0].args[0].input;
    assert.equal(modify.DBInstanceIdentifier, "acme-staging-drill-202612010600");
    assert.ok((modify.MasterUserPassword ?? "").length >= 24);
    assert.deepEqual(deleted(), [
      {
        DBInstanceIdentifier: "acme-staging-drill-202612010600",
        SkipFinalSnapshot: true,
        DeleteAutomatedBackups: true,
      },
    ]);
    assert.equal(result.cleanedUp, true);
    assert.match(lines.join("\n"), /recovery time: 720 s/);
  });

  it("deletes the instance when the wait for it fails", async () => {
    const now = fakeAccount({ status: "incompatible-restore" });
    const result = await restoreDrill("acme", "staging", options(now));
    assert.equal(result.ok, false);
    assert.match(result.error!, /FAILURE/);
    assert.equal(rdsMock.commandCalls(ModifyDBInstanceCommand).length, 0);
    assert.deepEqual(
      deleted().map((d) => d.DBInstanceIdentifier),
      ["acme-staging-drill-202612010600"],
    );
    assert.equal(result.cleanedUp, true);
  });

  it("deletes the instance when the check query finds nothing", async () => {
    const now = fakeAccount({});
    const result = await restoreDrill(
      "acme",
      "staging",
      options(now, {
        checkQuery: `SELECT count(*)::int AS n FROM ${schema}.pgmigrations WHERE false`,
      }),
    );
    assert.equal(result.ok, false);
    assert.match(result.error!, /check query returned 0, expected n > 0/);
    assert.equal(deleted().length, 1);
  });

  it("reports a failed restore job, and that it left no instance behind", async () => {
    const now = fakeAccount({ job: "FAILED", created: false });
    const result = await restoreDrill("acme", "staging", options(now));
    assert.equal(result.ok, false);
    assert.match(result.error!, /restore job job-42 FAILED: The snapshot is not compatible/);
    assert.equal(deleted().length, 1);
    assert.equal(result.cleanedUp, true);
    assert.match(lines.join("\n"), /was never created: nothing to delete/);
  });

  it("says how to delete by hand when the delete itself fails", async () => {
    const now = fakeAccount({ status: "incompatible-restore" });
    rdsMock.on(DeleteDBInstanceCommand).rejects(new Error("AccessDenied"));
    const result = await restoreDrill("acme", "staging", options(now));
    assert.equal(result.cleanedUp, false);
    assert.match(
      result.error!,
      /could not delete acme-staging-drill-202612010600: AccessDenied; delete it by hand: aws rds delete-db-instance/,
    );
  });

  it("starts nothing when there is no completed recovery point", async () => {
    const now = fakeAccount({});
    backupMock.on(ListRecoveryPointsByResourceCommand).resolves({ RecoveryPoints: [] });
    const result = await restoreDrill("acme", "staging", options(now));
    assert.match(result.error!, /no completed AWS Backup recovery point of acme-staging/);
    assert.equal(backupMock.commandCalls(StartRestoreJobCommand).length, 0);
    assert.equal(deleted().length, 0);
  });

  it("rejects bad arguments as usage errors; --help exits 0", async () => {
    assert.equal(await main(["--help"]), 0);
    await assert.rejects(main([]), { name: "UsageError", message: "--stack is required" });
    await assert.rejects(
      main(["--stack", "staging", "--security-group-id", "default"]),
      /--security-group-id must be a security group id/,
    );
    await assert.rejects(
      main(["--stack", "staging", "--ssl-ca", "/nonexistent/ca.pem"]),
      /--ssl-ca: no file/,
    );
    await assert.rejects(main(["--stack", "qa"]), /Pulumi.qa.yaml: file not found/);
  });

  it("resolves --ssl-ca and --output from where npm run was started, and refuses an --output directory it cannot write before the drill", async () => {
    const started = mkdtempSync(join(tmpdir(), "drill-user-"));
    const saved = process.env.INIT_CWD;
    process.env.INIT_CWD = started;
    try {
      await assert.rejects(main(["--stack", "staging", "--ssl-ca", "ca.pem"]), {
        name: "UsageError",
        message: `--ssl-ca: no file ${join(started, "ca.pem")}`,
      });
      await assert.rejects(main(["--stack", "staging", "--output", "results/drill.json"]), {
        name: "UsageError",
        message: `--output: ${join(started, "results")} is not a directory this user can write to`,
      });
      writeFileSync(join(started, "results"), "a file, not a directory");
      await assert.rejects(main(["--stack", "staging", "--output", "results/drill.json"]), {
        name: "UsageError",
        message: `--output: ${join(started, "results")} is not a directory this user can write to`,
      });
      // Nothing was asked of AWS: the drill never started.
      assert.equal(backupMock.calls().length + rdsMock.calls().length, 0);
    } finally {
      if (saved === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = saved;
      rmSync(started, { recursive: true, force: true });
    }
  });
});
