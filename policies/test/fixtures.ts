/**
 * Compliant stand-ins for what the program does not declare yet: the edge (CloudFront, WAF, the
 * static and CDN-log buckets) and the alerting (topics, alarms, dashboard). They follow the
 * @pulumi/aws 7.48.0 input names and the alerting contract of lib/alerts.ts, and are added to
 * the real program's resources, wired to its load balancer and backup rule through property
 * dependencies as the engine would report them. Tests change one thing of them at a time.
 */
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { RegisteredResource } from "../../scripts/offline/harness";
import { addBeside, find, set } from "./gate";
import { valueCases } from "./value-cases";

type Resources = RegisteredResource[];

/** Adds a resource with known outputs and the URNs each property depends on. */
function add(
  resources: Resources,
  type: string,
  name: string,
  props: Record<string, unknown>,
  dependsOn: Record<string, RegisteredResource[]> = {},
  outputs: Record<string, unknown> = {},
): RegisteredResource {
  // Beside the VPC: same stack, parent and tagged provider as the program's resources.
  const added = addBeside(resources, find(resources, "aws:ec2/vpc:Vpc"), type, name, props);
  Object.assign(added.outputs, outputs);
  for (const [key, targets] of Object.entries(dependsOn)) {
    added.propertyDependencies[key] = targets.map((t) => t.urn);
    added.dependencies.push(...targets.map((t) => t.urn));
  }
  return added;
}

const arn = (service: string, resource: string) =>
  `arn:aws:${service}:eu-west-1:222222222222:${resource}`;

/** A private, encrypted bucket with a TLS-only policy; `extra` adds versioning or expiry. */
function privateBucket(
  resources: Resources,
  name: string,
  extra: { versioned?: boolean; expireDays?: number },
): RegisteredResource {
  const id = `acme-${name}-1a2b3c4`;
  const bucket = add(
    resources,
    "aws:s3/bucket:Bucket",
    name,
    {},
    {},
    {
      id,
      bucket: id,
      arn: `arn:aws:s3:::${id}`,
      bucketDomainName: `${id}.s3.amazonaws.com`,
      bucketRegionalDomainName: `${id}.s3.eu-west-1.amazonaws.com`,
    },
  );
  const of = { bucket: [bucket] };
  add(
    resources,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    name,
    {
      bucket: id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    of,
  );
  add(
    resources,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    name,
    { bucket: id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] },
    of,
  );
  add(
    resources,
    "aws:s3/bucketPolicy:BucketPolicy",
    name,
    {
      bucket: id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "TlsOnly",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [`arn:aws:s3:::${id}`, `arn:aws:s3:::${id}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    of,
  );
  if (extra.versioned) {
    add(
      resources,
      "aws:s3/bucketVersioning:BucketVersioning",
      name,
      { bucket: id, versioningConfiguration: { status: "Enabled" } },
      of,
    );
  }
  if (extra.expireDays) {
    add(
      resources,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      name,
      {
        bucket: id,
        rules: [
          { id: "expire", status: "Enabled", filter: {}, expiration: { days: extra.expireDays } },
        ],
      },
      of,
    );
  }
  return bucket;
}

/** CloudFront in front of the program's load balancer and a static bucket, with its WAF. */
export function addEdge(resources: Resources): void {
  const alb = find(resources, "aws:lb/loadBalancer:LoadBalancer");
  const assets = privateBucket(resources, "static", { versioned: true });
  const logs = privateBucket(resources, "cdn-logs", { expireDays: 90 });
  // Standard logging (legacy) writes with ACLs, which bucket-owner-enforced turns off.
  add(
    resources,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "cdn-logs",
    { bucket: logs.outputs.id, rule: { objectOwnership: "BucketOwnerPreferred" } },
    { bucket: [logs] },
  );

  const oac = add(
    resources,
    "aws:cloudfront/originAccessControl:OriginAccessControl",
    "static",
    { originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" },
    {},
    { id: "E2OAC0EXAMPLE" },
  );
  const headers = add(
    resources,
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "security-headers",
    {
      securityHeadersConfig: {
        strictTransportSecurity: {
          accessControlMaxAgeSec: 31_536_000,
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
      },
    },
    {},
    { id: "rhp-0example" },
  );
  const visibility = (metricName: string) => ({
    cloudwatchMetricsEnabled: true,
    sampledRequestsEnabled: true,
    metricName,
  });
  const managed = (priority: number, name: string) => ({
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: "AWS", name } },
    visibilityConfig: visibility(name),
  });
  const acl = add(
    resources,
    "aws:wafv2/webAcl:WebAcl",
    "waf",
    {
      scope: "CLOUDFRONT",
      defaultAction: { allow: {} },
      rules: [
        managed(1, "AWSManagedRulesCommonRuleSet"),
        managed(2, "AWSManagedRulesKnownBadInputsRuleSet"),
        {
          name: "rate-limit",
          priority: 3,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP" } },
          visibilityConfig: visibility("rate-limit"),
        },
      ],
      visibilityConfig: visibility("waf"),
    },
    {},
    { arn: arn("wafv2", "global/webacl/waf/0example") },
  );
  add(
    resources,
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    "waf",
    {
      resourceArn: acl.outputs.arn,
      logDestinationConfigs: [arn("logs", "log-group:aws-waf-logs-acme")],
      redactedFields: [
        { singleHeader: { name: "authorization" } },
        { singleHeader: { name: "cookie" } },
      ],
    },
    { resourceArn: [acl] },
  );

  const behaviour = {
    allowedMethods: ["GET", "HEAD"],
    cachedMethods: ["GET", "HEAD"],
    viewerProtocolPolicy: "redirect-to-https",
    responseHeadersPolicyId: "rhp-0example",
  };
  add(
    resources,
    "aws:cloudfront/distribution:Distribution",
    "cdn",
    {
      enabled: true,
      origins: [
        {
          originId: "service",
          domainName: alb.outputs.dnsName,
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: "http-only",
            originSslProtocols: ["TLSv1.2"],
          },
          customHeaders: [{ name: "X-Origin-Verify", value: "secret" }],
        },
        {
          originId: "static",
          domainName: assets.outputs.bucketRegionalDomainName,
          originAccessControlId: "E2OAC0EXAMPLE",
        },
      ],
      defaultCacheBehavior: { ...behaviour, targetOriginId: "service" },
      orderedCacheBehaviors: [{ ...behaviour, pathPattern: "/assets/*", targetOriginId: "static" }],
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: { cloudfrontDefaultCertificate: true },
      webAclId: acl.outputs.arn,
      loggingConfig: { bucket: logs.outputs.bucketDomainName, includeCookies: false },
    },
    {
      origins: [alb, assets, oac],
      defaultCacheBehavior: [headers],
      orderedCacheBehaviors: [headers],
      webAclId: [acl],
      loggingConfig: [logs],
    },
  );
}

const runbooks = "https://github.com/acme/platform/blob/main/docs/runbooks";

/** The alert topics, one alarm per row of the alert table, and a dashboard. */
export function addObservability(resources: Resources): void {
  const topic = (route: "page" | "team") => {
    const created = add(
      resources,
      "aws:sns/topic:Topic",
      `alerts-${route}`,
      { kmsMasterKeyId: arn("kms", "key/0example"), tags: { "alert-route": route } },
      {},
      { arn: arn("sns", `acme-alerts-${route}`) },
    );
    add(
      resources,
      "aws:sns/topicSubscription:TopicSubscription",
      `alerts-${route}`,
      { topic: created.outputs.arn, protocol: "email", endpoint: "oncall@example.com" },
      { topic: [created] },
    );
    return created;
  };
  const topics = { page: topic("page"), team: topic("team") };

  const alarm = (
    condition: string,
    severity: "Critical" | "High" | "Medium",
    route: "page" | "team",
    runbook: string,
  ) => {
    const to = [topics[route].outputs.arn];
    add(
      resources,
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      condition,
      {
        comparisonOperator: "GreaterThanThreshold",
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        threshold: 1,
        treatMissingData: "notBreaching",
        alarmActions: to,
        okActions: to,
        alarmDescription: `[${severity}] ${condition}: look at the dashboard first. Runbook: ${runbooks}/${runbook}`,
        tags: { "alert-condition": condition, severity: severity.toLowerCase() },
      },
      { alarmActions: [topics[route]], okActions: [topics[route]] },
      { name: `acme-${condition}`, arn: arn("cloudwatch", `alarm:acme-${condition}`) },
    );
  };
  alarm("service-down", "Critical", "page", "incident-response.md#service-down");
  alarm("error-rate", "High", "page", "common-issues.md#error-rate");
  alarm("latency-p95-high", "High", "team", "common-issues.md#latency");
  alarm("latency-p95-review", "Medium", "team", "common-issues.md#latency");
  alarm("database-disk", "Medium", "team", "database-recovery.md#disk");
  alarm("memory", "High", "team", "scaling.md#memory");

  // The program's rule for failed backups, as the alerting will tag and target it.
  const backupRule = find(resources, "aws:cloudwatch/eventRule:EventRule", "backup-failures");
  set(
    backupRule,
    "description",
    `[High] A backup or copy job failed. Runbook: ${runbooks}/database-recovery.md#failed-backup`,
  );
  set(backupRule, "tags", { "alert-condition": "backup-failed", severity: "high" });
  add(
    resources,
    "aws:cloudwatch/eventTarget:EventTarget",
    "backup-failures",
    { rule: backupRule.outputs.name, arn: topics.team.outputs.arn },
    { rule: [backupRule], arn: [topics.team] },
  );

  add(resources, "aws:cloudwatch/dashboard:Dashboard", "dashboard", {
    dashboardName: "acme",
    dashboardBody: JSON.stringify({ widgets: [{ type: "metric", properties: { metrics: [] } }] }),
  });
}

/**
 * Removes what the program's `Cdn`, `Alerting` and `Monitoring` components declared (the
 * components too), so a spec can put the fixtures in their place, or test a stack without them.
 */
export function withoutComponents(...kinds: ("cdn" | "alerting" | "monitoring")[]) {
  const tokens = kinds.map((k) => `::acme:${k}:`);
  return (resources: Resources) => {
    const gone = resources.filter((r) =>
      tokens.some((t) => r.urn.includes(t) || r.parent?.includes(t)),
    );
    for (const r of gone) resources.splice(resources.indexOf(r), 1);
  };
}

/** The program plus both fixtures, then `change`. */
export function withFixtures(change: (resources: Resources) => void = () => {}) {
  return (resources: Resources) => {
    // The fixtures stand in for the program's own edge and alerting, one of each kind.
    withoutComponents("cdn", "alerting", "monitoring")(resources);
    addEdge(resources);
    addObservability(resources);
    valueCases.checkpoint(resources);
    change(resources);
  };
}

/**
 * Makes `resources` look like a first `pulumi preview`: ids, ARNs and DNS names of resources
 * are unknown, and so is every value built from them (references, policy documents).
 */
export function asPreview(resources: Resources): void {
  const keys = [
    "id",
    "arn",
    "arnSuffix",
    "dnsName",
    "bucketDomainName",
    "bucketRegionalDomainName",
  ];
  const unknowable = new Set(
    resources
      .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
      .flatMap((r) => keys.map((k) => r.outputs[k]))
      .filter((v): v is string => typeof v === "string" && v.length > 3),
  );
  const blank = (value: unknown): unknown => {
    if (typeof value === "string") {
      return [...unknowable].some((u) => value.includes(u)) ? unknownValue : value;
    }
    if (Array.isArray(value)) return value.map(blank);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, blank(v)]));
    }
    return value;
  };
  for (const r of resources.filter((r) => !r.type.startsWith("pulumi:providers:"))) {
    r.inputs = blank(r.inputs) as Record<string, unknown>;
    r.outputs = blank(r.outputs) as Record<string, unknown>;
  }
}
