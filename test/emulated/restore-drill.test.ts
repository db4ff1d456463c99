import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  CreateDBSubnetGroupCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DrillResult } from "../../scripts/restore-drill";
import { startScript } from "../scripts/helpers/run";
import { useMoto } from "./helpers/moto";

/**
 * `npm run restore-drill` end to end: the script's entry point in its own process, its RDS calls
 * (DescribeDBInstances, ModifyDBInstance, DeleteDBInstance, the available-waiter) answered by
 * moto, its AWS Backup calls by the stand-in (moto has none of them; helpers/backup-stand-in.ts),
 * which restores through moto's RestoreDBInstanceFromDBSnapshot. moto runs no database, so the
 * drill's check is refused: what this proves against the emulator is everything up to the check,
 * and that the temporary instance is deleted after a failure. The check itself, against a real
 * PostgreSQL, is in test/scripts/restore-drill.test.ts.
 */
describe("restore-drill against moto (RDS; AWS Backup stood in)", function () {
  this.timeout(120_000);
  const moto = useMoto();
  const region = "eu-west-1";
  const standIn = path.join(__dirname, "helpers", "backup-stand-in.ts");
  let rds: RDSClient;
  let dir: string;
  /** A port nothing listens on: where the emulated instance "listens". */
  let closedPort: number;

  before(async () => {
    rds = new RDSClient({
      region,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    dir = mkdtempSync(path.join(tmpdir(), "restore-drill-moto-"));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closedPort = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** An EC2 Query API call to moto (its server routes on the signature's service name). */
  async function ec2(params: Record<string, string>): Promise<string> {
    const res = await fetch(moto.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: new URLSearchParams({ Version: "2016-11-15", ...params }).toString(),
    });
    const text = await res.text();
    assert.ok(res.ok, text);
    return text;
  }

  /** The stack's database in its subnet group, with `snapshots` recovery points. */
  async function database(snapshots: number) {
    const vpc = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(
      await ec2({ Action: "CreateVpc", CidrBlock: "10.0.0.0/16" }),
    )![1];
    const subnets: string[] = [];
    for (const [i, az] of ["a", "b"].entries()) {
      const out = await ec2({
        Action: "CreateSubnet",
        VpcId: vpc,
        CidrBlock: `10.0.${i}.0/24`,
        AvailabilityZone: `${region}${az}`,
      });
      subnets.push(/<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/.exec(out)![1]);
    }
    await rds.send(
      new CreateDBSubnetGroupCommand({
        DBSubnetGroupName: "acme-staging-db",
        DBSubnetGroupDescription: "isolated subnets",
        SubnetIds: subnets,
      }),
    );
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: "acme-staging",
        DBInstanceClass: "db.t4g.micro",
        Engine: "postgres",
        DBName: "acme",
        MasterUsername: "acme",
        MasterUserPassword: "not-used-by-the-drill",
        AllocatedStorage: 20,
        Port: closedPort,
        DBSubnetGroupName: "acme-staging-db",
        VpcSecurityGroupIds: ["sg-0db0db0db0db0db01"],
      }),
    );
    for (let n = 1; n <= snapshots; n++) {
      await rds.send(
        new CreateDBSnapshotCommand({
          DBInstanceIdentifier: "acme-staging",
          DBSnapshotIdentifier: `awsbackup-job-${n}`,
        }),
      );
    }
  }
  const instances = async () =>
    ((await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? []).map(
      (i) => i.DBInstanceIdentifier,
    );
  const drill = async () => {
    const output = path.join(dir, `drill-${Date.now()}.json`);
    const run = await startScript(
      "restore-drill",
      ["--stack", "staging", "--output", output],
      moto.env,
      [standIn],
    ).done;
    const result = JSON.parse(readFileSync(output, "utf8")) as DrillResult;
    return { run, result };
  };

  it("restores the recovery point into a new instance, then deletes it when the check fails", async () => {
    await database(1);
    const { run, result } = await drill();
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(result.recoveryPointArn!, /:snapshot:awsbackup-job-1$/);
    assert.match(result.restoredInstance!, /^acme-staging-drill-\d{12}$/);
    // The restored instance was available at the snapshot's port; only the connection failed.
    assert.match(
      run.stdout,
      new RegExp(`${result.restoredInstance}.*\\.rds\\.amazonaws\\.com:${closedPort}`),
    );
    assert.match(result.error!, new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${closedPort}`));
    assert.equal(result.ok, false);
    assert.equal(result.cleanedUp, true);
    assert.match(run.stdout, new RegExp(`deleting ${result.restoredInstance}`));
    assert.deepEqual(await instances(), ["acme-staging"], "only the source is left");
  });

  it("creates nothing when the database has no recovery point", async () => {
    await database(0);
    const { run, result } = await drill();
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(result.error, "no completed AWS Backup recovery point of acme-staging");
    assert.equal(result.restoredInstance, undefined);
    assert.deepEqual(await instances(), ["acme-staging"]);
  });
});
