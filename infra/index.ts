/**
 * The Pulumi program: reads the stack's configuration once, then wires one component per concern.
 * Exported as a function so the offline harness can run it once per stack in one process.
 */
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as random from "@pulumi/random";
import { join } from "node:path";
import { Backup } from "./backup";
import { loadConfig } from "./config";
import { Database } from "./database";
import { LoadBalancer } from "./load-balancer";
import { Network } from "./network";
import { Registry } from "./registry";
import { Service } from "./service";

export = async () => {
  const config = loadConfig();
  const repoRoot = join(__dirname, "..");
  const domain =
    config.domainName && config.loadBalancer.hostedZoneName
      ? { name: config.domainName, hostedZoneName: config.loadBalancer.hostedZoneName }
      : undefined;

  // Every AWS resource goes through this provider (the stack files disable the default one), so
  // every taggable resource carries the same tags without anyone writing them by hand. It refuses
  // credentials of any account but the stack's: staging's can never change production.
  const provider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    allowedAccountIds: [config.accountId],
    defaultTags: { tags: config.tags },
  });
  // Explicit, like the AWS one, so every resource's provider is a resource of the stack.
  const imageBuilder = new dockerBuild.Provider("docker-build", {});
  const randomness = new random.Provider("random", {});

  const network = await Network.create(
    config.stack,
    {
      cidrBlock: config.network.cidrBlock,
      azCount: config.network.azCount,
      natGateways: config.network.natGateways,
      flowLogRetentionDays: config.network.flowLogRetentionDays,
      servicePort: config.service.containerPort,
      loadBalancerHttps: domain !== undefined,
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

  const registry = new Registry(
    config.stack,
    {
      imageTag: config.service.imageTag,
      // The Dockerfile builds from the repository root (npm workspaces share its lockfile).
      context: repoRoot,
      dockerfile: join(repoRoot, "app", "Dockerfile"),
      platform: config.service.imagePlatform,
      imagesKept: config.service.imagesKept,
      forceDelete: !config.deletionProtection,
    },
    { providers: [provider, imageBuilder] },
  );

  const loadBalancer = new LoadBalancer(
    config.stack,
    {
      vpcId: network.vpc.id,
      subnetIds: network.publicSubnetIds,
      securityGroupId: network.securityGroups.loadBalancer.id,
      targetPort: config.service.containerPort,
      deletionProtection: config.deletionProtection,
      accessLogRetentionDays: config.loadBalancer.accessLogRetentionDays,
      domain,
    },
    { providers: [provider, randomness] },
  );

  const service = new Service(
    config.stack,
    {
      // Two projects (or stacks) in one account must not share a task family or log group.
      family: `${config.project}-${config.stack}`,
      subnetIds: network.privateSubnetIds,
      securityGroupId: network.securityGroups.service.id,
      image: registry.imageRef,
      repositoryArn: registry.repository.arn,
      platform: config.service.imagePlatform,
      containerPort: config.service.containerPort,
      cpu: config.service.cpu,
      memory: config.service.memory,
      desiredCount: config.service.desiredCount,
      maxCount: config.service.maxCount,
      capacityProvider: config.service.capacityProvider,
      logRetentionDays: config.service.logRetentionDays,
      logLevel: config.service.logLevel,
      features: config.service.features,
      // Without a domain the public URL is CloudFront's, which does not exist yet.
      publicUrl: domain ? `https://${domain.name}` : undefined,
      targetGroup: loadBalancer.targetGroup,
      loadBalancerArnSuffix: loadBalancer.loadBalancer.arnSuffix,
      startAfter: [...loadBalancer.routing, database],
      database: {
        host: database.proxyEndpoint,
        port: database.port,
        name: database.databaseName,
        user: database.username,
        connectResourceArn: database.connectResourceArn,
      },
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
    serviceUrl: loadBalancer.url,
    loadBalancerDnsName: loadBalancer.loadBalancer.dnsName,
    image: registry.imageRef,
    imageTag: registry.imageTag,
    clusterName: service.cluster.name,
    serviceName: service.service.name,
    logGroupName: service.logGroup.name,
    /** RDS Proxy endpoint: TLS and IAM authentication required. */
    databaseEndpoint: database.proxyEndpoint,
    databaseName: database.databaseName,
    databaseUser: database.username,
    backupVaultArn: backup.vault.arn,
    /** EventBridge rule of failed backup/copy jobs; the alerting (issue 8) adds a target to it. */
    backupFailureRuleArn: backup.failureRule.arn,
  };
};
