/**
 * Loaded into `npm run restore-drill`'s process (startScript's `preload`) before the script.
 * moto does not implement the AWS Backup calls the drill makes (ListRecoveryPointsByResource,
 * DescribeRecoveryPoint, GetRecoveryPointRestoreMetadata, StartRestoreJob, DescribeRestoreJob:
 * unchecked in its IMPLEMENTATION_COVERAGE.md), so they stay mocked here, with
 * aws-sdk-client-mock, on top of moto's RDS state: an RDS recovery point of AWS Backup is a DB
 * snapshot (ARN `arn:aws:rds:<region>:<account>:snapshot:awsbackup:job-...`), so the stand-in
 * lists the instance's snapshots in moto as its recovery points, and a restore job restores one
 * through moto's RestoreDBInstanceFromDBSnapshot with the job's metadata, as AWS Backup does.
 * Also: the emulated instances' host names (`*.rds.amazonaws.com`) resolve to 127.0.0.1, where
 * nothing answers on the snapshot's port, so the drill's check is refused.
 */
import * as backupApi from "@aws-sdk/client-backup";
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import dns from "node:dns";

export const backupVault = "acme-staging-vault";
export const backupRole = "arn:aws:iam::123456789012:role/acme-staging-backup";

const rds = new RDSClient({ region: process.env.AWS_REGION ?? "eu-west-1" });
const backup = mockClient(backupApi.BackupClient);

async function snapshot(arn: string) {
  const { DBSnapshots } = await rds.send(new DescribeDBSnapshotsCommand({}));
  const found = DBSnapshots?.find((s) => s.DBSnapshotArn === arn);
  if (!found) throw new Error(`no recovery point ${arn}`);
  return found;
}

backup.on(backupApi.ListRecoveryPointsByResourceCommand).callsFake(async ({ ResourceArn }) => {
  const { DBInstances } = await rds.send(new DescribeDBInstancesCommand({}));
  const instance = DBInstances!.find((i) => i.DBInstanceArn === ResourceArn)!;
  const { DBSnapshots } = await rds.send(
    new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: instance.DBInstanceIdentifier }),
  );
  return {
    // AWS Backup's own snapshots, not the automated ones RDS (and moto) take by itself.
    RecoveryPoints: (DBSnapshots ?? [])
      .filter((s) => s.DBSnapshotIdentifier!.startsWith("awsbackup"))
      .map((s) => ({
        RecoveryPointArn: s.DBSnapshotArn,
        CreationDate: s.SnapshotCreateTime,
        Status: s.Status === "available" ? "COMPLETED" : "PARTIAL",
        BackupVaultName: backupVault,
        ResourceType: "RDS",
      })),
  };
});
backup.on(backupApi.DescribeRecoveryPointCommand).resolves({ IamRoleArn: backupRole });
backup
  .on(backupApi.GetRecoveryPointRestoreMetadataCommand)
  .callsFake(async ({ RecoveryPointArn }) => {
    const s = await snapshot(RecoveryPointArn);
    return {
      RestoreMetadata: { DBInstanceClass: "db.t4g.micro", Engine: s.Engine!, Port: String(s.Port) },
    };
  });
backup.on(backupApi.StartRestoreJobCommand).callsFake(async ({ RecoveryPointArn, Metadata }) => {
  const m = Metadata!;
  const s = await snapshot(RecoveryPointArn);
  await rds.send(
    new RestoreDBInstanceFromDBSnapshotCommand({
      DBSnapshotIdentifier: s.DBSnapshotIdentifier,
      DBInstanceIdentifier: m.DBInstanceIdentifier,
      DBInstanceClass: m.DBInstanceClass,
      DBSubnetGroupName: m.DBSubnetGroupName,
      VpcSecurityGroupIds: JSON.parse(m.VpcSecurityGroupIds) as string[],
      Port: Number(m.Port),
      MultiAZ: m.MultiAZ === "true",
      PubliclyAccessible: m.PubliclyAccessible === "true",
      DeletionProtection: m.DeletionProtection === "true",
    }),
  );
  return { RestoreJobId: `restore-${m.DBInstanceIdentifier}` };
});
backup.on(backupApi.DescribeRestoreJobCommand).callsFake(async ({ RestoreJobId }) => ({
  RestoreJobId,
  Status: "COMPLETED",
}));

const lookup = dns.lookup;
dns.lookup = ((hostname: string, ...rest: unknown[]) =>
  hostname.endsWith(".rds.amazonaws.com")
    ? (lookup as (...a: unknown[]) => void)("127.0.0.1", ...rest)
    : (lookup as (...a: unknown[]) => void)(hostname, ...rest)) as typeof dns.lookup;
