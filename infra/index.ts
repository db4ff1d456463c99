/**
 * The Pulumi program: reads the stack's configuration once, then wires one component per concern.
 * Exported as a function so the offline harness can run it once per stack in one process.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as dockerBuild from "@pulumi/docker-build";
import * as random from "@pulumi/random";
import { join } from "node:path";
import { planAssets } from "../app/scripts/build-assets";
import { ASSETS_PREFIX, ENTRY_PAGE, cacheControlOf, contentTypeOf } from "../app/src/assets";
import { contract } from "../app/src/contract";
import { Alerting } from "./alerting";
import {
  alertDescription,
  alertTags,
  eventRuleDescriptionLimit,
  formatAlertText,
  runbookSectionUrl,
} from "./alerts";
import { Backup } from "./backup";
import { Cdn, type StaticFile } from "./cdn";
import { loadConfig } from "./config";
import { Database } from "./database";
import { RoleBootstrap } from "./role-bootstrap";
import { LoadBalancer, originHeaderName } from "./load-balancer";
import { Monitoring, type MetricDimensions, type MonitoredService } from "./monitoring";
import { Network } from "./network";
import { Registry } from "./registry";
import { Service } from "./service";

export = async () => {
  const config = loadConfig();
  // Starts every name that must be unique in the account: two projects, or two stacks, can share
  // one (infra/config/load.ts checks it against the strictest AWS name rule it meets).
  const namePrefix = `${config.project}-${config.stack}`;
  const repoRoot = join(__dirname, "..");
  const domain = config.domain;

  // Every AWS resource goes through this provider (the stack files disable the default one), so
  // every taggable resource carries the same tags without anyone writing them by hand. It refuses
  // credentials of any account but the stack's: staging's can never change production.
  const provider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    allowedAccountIds: [config.accountId],
    defaultTags: { tags: config.tags },
  });
  // CloudFront takes certificates, web ACLs and log deliveries from us-east-1 only.
  const edgeProvider = new aws.Provider("aws-us-east-1", {
    region: "us-east-1",
    allowedAccountIds: [config.accountId],
    defaultTags: { tags: config.tags },
  });
  // Explicit, like the AWS one, so every resource's provider is a resource of the stack.
  const imageBuilder = new dockerBuild.Provider("docker-build", {});
  const randomness = new random.Provider("random", {});

  const alerting = new Alerting(
    config.stack,
    {
      namePrefix,
      teamEmails: config.alerting.emails,
      pagingEndpoint: config.alerting.pagingEndpoint,
    },
    { provider },
  );

  const network = await Network.create(
    config.stack,
    {
      ...config.network,
      servicePort: contract.port,
      loadBalancerHttps: domain !== undefined,
      natAlarm: {
        topicArn: alerting.topics.team.arn,
        description: formatAlertText("the NAT instance alarm's description", {
          severity: "medium",
          what:
            "The NAT instance fails its status check (hung OS) and is being rebooted; " +
            "private subnets have no internet egress meanwhile",
          firstStep: "check that it comes back within 5 minutes",
          runbookUrl: runbookSectionUrl(config.alerting.runbookBaseUrl, {
            file: "common-issues.md",
            anchor: "the-nat-instance-is-down-dev-and-staging",
          }),
        }),
      },
    },
    { provider },
  );

  const database = new Database(
    config.stack,
    {
      identifier: namePrefix,
      subnetIds: network.isolatedSubnetIds,
      databaseSecurityGroupId: network.securityGroups.database.id,
      proxySecurityGroupId: network.securityGroups.proxy.id,
      ...config.database,
      logRetentionDays: config.service.logRetentionDays,
    },
    { providers: [provider, randomness] },
  );

  // Off-site copies live in a second region, through a provider with the same default tags, and,
  // like every provider here, refusing credentials of another account.
  const { copyRegion, ...backupSettings } = config.backup;
  const copyProvider = copyRegion
    ? new aws.Provider("aws-backup-copy", {
        region: copyRegion as aws.Region,
        allowedAccountIds: [config.accountId],
        defaultTags: { tags: config.tags },
      })
    : undefined;
  const backup = new Backup(
    config.stack,
    {
      ...backupSettings,
      resourceArns: [database.instance.arn],
      copyProvider,
      failureRuleTags: alertTags("backup-failed"),
      failureRuleDescription: alertDescription(
        config.alerting.runbookBaseUrl,
        "backup-failed",
        "An AWS Backup backup or copy job failed, aborted or expired",
        eventRuleDescriptionLimit,
      ),
    },
    { provider },
  );

  const registry = new Registry(
    config.stack,
    {
      ...config.registry,
      // The Dockerfile builds from the repository root (npm workspaces share its lockfile).
      context: repoRoot,
      dockerfile: join(repoRoot, "app", "Dockerfile"),
      forceDelete: !config.loadBalancer.deletionProtection,
    },
    { providers: [provider, imageBuilder] },
  );

  const loadBalancer = new LoadBalancer(
    config.stack,
    {
      vpcId: network.vpc.id,
      subnetIds: network.publicSubnetIds,
      securityGroupId: network.securityGroups.loadBalancer.id,
      ...config.loadBalancer,
      targetPort: contract.port,
      healthCheckPath: contract.health.readiness,
      domain,
    },
    { providers: [provider, randomness] },
  );

  const cdn = new Cdn(
    config.stack,
    {
      namePrefix,
      originDomainName: loadBalancer.originDomainName,
      originHttps: loadBalancer.https,
      originHeader: { name: originHeaderName, value: loadBalancer.originSecret },
      staticFiles: staticFiles(join(repoRoot, "app", contract.assets.sourceDir)),
      assetsPrefix: ASSETS_PREFIX,
      rootObject: ENTRY_PAGE,
      pageContentSecurityPolicy: contract.assets.contentSecurityPolicy,
      apiPaths: [...contract.apiPaths, contract.health.liveness, contract.health.readiness],
      readinessPath: contract.health.readiness,
      domain,
      ...config.cdn,
      forceDestroy: !config.loadBalancer.deletionProtection,
      edgeProvider,
    },
    { provider },
  );

  network.limitS3Endpoint([
    loadBalancer.accessLogBucket.arn,
    cdn.staticBucket.arn,
    cdn.accessLogBucket.arn,
  ]);

  // The business metrics' dimensions: the service sets them in the task, the dashboard reads them.
  const metricDimensions: MetricDimensions = {
    service: config.project,
    environment: config.environment,
  };

  // The monitoring is declared before the service, which takes its rollback alarms; what it
  // needs of the service is resolved once the service exists.
  const [monitoredService, resolveMonitoredService] = pulumi.deferredOutput<MonitoredService>();
  const monitoring = new Monitoring(
    config.stack,
    {
      namePrefix,
      region: config.region,
      usEast1Provider: edgeProvider,
      topicArns: { page: alerting.topics.page.arn, team: alerting.topics.team.arn },
      runbookBaseUrl: config.alerting.runbookBaseUrl,
      loadBalancer: {
        arnSuffix: loadBalancer.loadBalancer.arnSuffix,
        targetGroupArnSuffix: loadBalancer.targetGroup.arnSuffix,
      },
      service: monitoredService,
      businessMetrics: { ...metricDimensions, spec: contract.metrics },
      serviceLogPatterns: contract.logPatterns,
      database: {
        instanceIdentifier: database.instance.identifier,
        proxyName: database.proxy.name,
        allocatedStorageGb: config.database.allocatedStorageGb,
        maxAllocatedStorageGb: config.database.maxAllocatedStorageGb,
        postgresLogGroupName: database.postgresLogGroup.name,
      },
      backupFailureRuleName: backup.failureRule.name,
      // From outside, through the CDN, as users reach it.
      readinessUrl: cdn.readinessUrl,
      certificateArns: loadBalancer.certificateArn ? [loadBalancer.certificateArn] : [],
      usEast1CertificateArns: cdn.certificateArns,
      cdn: {
        distributionId: cdn.distributionId,
        webAclName: cdn.webAclName,
        additionalMetrics: cdn.additionalMetrics,
      },
      logRetentionDays: config.service.logRetentionDays,
    },
    { provider },
  );

  // The database roles exist before the service's first task signs in as them.
  const roleBootstrap = new RoleBootstrap(
    `${config.stack}-db-bootstrap`,
    {
      family: `${namePrefix}-db-bootstrap`,
      image: registry.imageRef,
      repositoryArn: registry.repository.arn,
      platform: config.registry.platform,
      subnetIds: network.privateSubnetIds,
      securityGroupId: network.securityGroups.bootstrap.id,
      logRetentionDays: config.service.logRetentionDays,
      logLevel: config.service.logLevel,
      database: {
        host: database.instance.address,
        port: database.port,
        name: database.databaseName,
        masterUser: database.username,
        masterSecretArn: database.masterSecretArn,
        secretKeyArn: database.kmsKey.arn,
        ownerUser: database.users.owner,
        appUser: database.users.app,
      },
    },
    { provider },
  );

  const service = new Service(
    config.stack,
    {
      // Two projects (or stacks) in one account must not share a task family or log group.
      family: namePrefix,
      subnetIds: network.privateSubnetIds,
      securityGroupId: network.securityGroups.service.id,
      image: registry.imageRef,
      repositoryArn: registry.repository.arn,
      ...config.service,
      platform: config.registry.platform,
      publicUrl: cdn.url,
      metricDimensions,
      deploymentAlarmNames: monitoring.deploymentAlarmNames,
      targetGroup: loadBalancer.targetGroup,
      loadBalancerArnSuffix: loadBalancer.loadBalancer.arnSuffix,
      startAfter: [...loadBalancer.routing, database, roleBootstrap.invocation],
      database: {
        host: database.proxyEndpoint,
        port: database.port,
        name: database.databaseName,
        ownerUser: database.users.owner,
        appUser: database.users.app,
        connectResourceArns: [database.connectResourceArns.owner, database.connectResourceArns.app],
      },
    },
    { provider },
  );
  resolveMonitoredService(
    pulumi.output({
      clusterName: service.cluster.name,
      serviceName: service.service.name,
      serviceArn: service.service.arn,
      logGroupName: service.logGroup.name,
    }),
  );

  return {
    environment: config.environment,
    region: config.region,
    vpcId: network.vpc.id,
    availabilityZones: network.availabilityZones,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    isolatedSubnetIds: network.isolatedSubnetIds,
    /** The CDN: `https://<domainName>`, else `https://<id>.cloudfront.net`. */
    serviceUrl: cdn.url,
    loadBalancerDnsName: loadBalancer.loadBalancer.dnsName,
    image: registry.imageRef,
    imageTag: registry.imageTag,
    /** Where deploy.yml copies the image staging tested before `pulumi up` runs it here. */
    repositoryUrl: registry.repository.repositoryUrl,
    clusterName: service.cluster.name,
    serviceName: service.service.name,
    logGroupName: service.logGroup.name,
    /** RDS Proxy endpoint: TLS and IAM authentication required. */
    databaseEndpoint: database.proxyEndpoint,
    databaseName: database.databaseName,
    /** The service's database role (`PGUSER` of the `app` container). */
    databaseUser: database.users.app,
    /** The migrations' role, owner of the schema (`PGUSER` of the `migrate` container). */
    databaseOwnerUser: database.users.owner,
    backupVaultArn: backup.vault.arn,
    /** EventBridge rule of failed backup/copy jobs; the monitoring adds its target. */
    backupFailureRuleArn: backup.failureRule.arn,
    distributionId: cdn.distributionId,
    distributionDomainName: cdn.distribution.domainName,
    staticBucketName: cdn.staticBucket.bucket,
    ...(cdn.webAcl ? { webAclArn: cdn.webAcl.arn } : {}),
    pageTopicArn: alerting.topics.page.arn,
    teamTopicArn: alerting.topics.team.arn,
    dashboardName: monitoring.dashboard.dashboardName,
    readinessHealthCheckId: monitoring.healthCheck.id,
  };
};

/** The app's page and hashed assets as the CDN publishes them (read from source: no build step). */
function staticFiles(publicDir: string): StaticFile[] {
  const { assets, entryPage } = planAssets(publicDir);
  const file = (key: string) => ({
    key,
    contentType: contentTypeOf(key),
    cacheControl: cacheControlOf(key),
  });
  return [
    ...assets.map(({ key, source }) => ({ ...file(key), sourcePath: source })),
    { ...file(ENTRY_PAGE), content: entryPage },
  ];
}
