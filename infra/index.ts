/**
 * The Pulumi program: reads the stack's configuration once, then wires one component per concern.
 * Exported as a function so the offline harness can run it once per stack in one process.
 */
import * as aws from "@pulumi/aws";
import { Backup } from "./backup";
import { loadConfig } from "./config";
import { Database } from "./database";
import { Network } from "./network";

export = async () => {
  const config = loadConfig();

  // Every AWS resource goes through this provider (the stack files disable the default one), so
  // every taggable resource carries the same tags without anyone writing them by hand. It refuses
  // credentials of any account but the stack's: staging's can never change production.
  const provider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    allowedAccountIds: [config.accountId],
    defaultTags: { tags: config.tags },
  });

  const network = await Network.create(
    config.stack,
    {
      cidrBlock: config.network.cidrBlock,
      azCount: config.network.azCount,
      natGateways: config.network.natGateways,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
      servicePort: config.service.containerPort,
    },
    { provider },
  );

  const database = new Database(
    config.stack,
    {
      identifier: `${config.project}-${config.stack}`,
      subnetIds: network.isolatedSubnetIds,
      databaseSecurityGroupId: network.securityGroups.database.id,
      proxySecurityGroupId: network.securityGroups.proxy.id,
      engineVersion: config.database.engineVersion,
      instanceClass: config.database.instanceClass,
      allocatedStorageGb: config.database.allocatedStorageGb,
      maxAllocatedStorageGb: config.database.maxAllocatedStorageGb,
      multiAz: config.database.multiAz,
      backupRetentionDays: config.database.backupRetentionDays,
      backupWindow: config.database.backupWindow,
      maintenanceWindow: config.database.maintenanceWindow,
      deletionProtection: config.database.deletionProtection,
      finalSnapshot: config.database.finalSnapshot,
      performanceInsights: config.database.performanceInsights,
      monitoringIntervalSeconds: config.database.monitoringIntervalSeconds,
      slowQueryMs: config.database.slowQueryMs,
      logRetentionDays: config.service.logRetentionDays,
      proxyMaxConnectionsPercent: config.database.proxyMaxConnectionsPercent,
      proxyMaxIdleConnectionsPercent: config.database.proxyMaxIdleConnectionsPercent,
    },
    { provider },
  );

  // Off-site copies live in a second region, through a provider with the same default tags.
  const copyProvider = config.backup.copyRegion
    ? new aws.Provider("aws-backup-copy", {
        region: config.backup.copyRegion as aws.Region,
        defaultTags: { tags: config.tags },
      })
    : undefined;
  const backup = new Backup(
    config.stack,
    {
      resourceArns: [database.instance.arn],
      dailyRetentionDays: config.backup.dailyRetentionDays,
      weeklyRetentionDays: config.backup.weeklyRetentionDays,
      copyProvider,
    },
    { provider },
  );

  return {
    environment: config.environment,
    region: config.region,
    vpcId: network.vpc.id,
    availabilityZones: network.availabilityZones,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    isolatedSubnetIds: network.isolatedSubnetIds,
    /** RDS Proxy endpoint: TLS and IAM authentication required. */
    databaseEndpoint: database.proxyEndpoint,
    databaseName: database.databaseName,
    databaseUser: database.username,
    backupVaultArn: backup.vault.arn,
    /** EventBridge rule of failed backup/copy jobs; the alerting (issue 8) adds a target to it. */
    backupFailureRuleArn: backup.failureRule.arn,
  };
};
