/**
 * What AWS, or the AWS provider before it calls AWS, refuses in the fields this program sets:
 * character sets, lengths, ranges, enumerations, fields that conflict or need each other. The
 * offline mocks accept anything, so without these a refused value is found only by a deploy that
 * fails half-way. Each rule names where it comes from: the AWS API reference (or a service's
 * documented quota) or the terraform-provider-aws file whose schema enforces it.
 *
 * Keyed by every resource type the stacks create; a type with nothing to check says why. Tags are
 * checked for every AWS resource that has them (see `tagRules`).
 */
import type { RegisteredResource } from "./harness";

/** Pulumi's wire signature of a secret value. */
const secretSignature = "4dabf18193072939515e22adb298388d";
/** The engine's stand-in for a value not known until the deployment (preview runs only). */
const unknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A secret's value, as the engine receives it once decrypted. */
function reveal(value: unknown): unknown {
  return typeof value === "object" && value !== null && secretSignature in value
    ? (value as { value?: unknown; plaintext?: unknown }).value
    : value;
}

const isUnknown = (value: unknown) => value === unknownSentinel;

/** Whether `value` is, or holds anywhere inside, a value the engine does not know yet. */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (typeof value !== "object" || value === null) return false;
  return Object.values(value).some(containsUnknown);
}

export interface Found {
  /** Where the value is, with array indexes: `rules[1].lifecycle.deleteAfter`. */
  field: string;
  value: unknown;
}

export interface Context {
  resource: RegisteredResource;
  /** Every resource of the same run: for limits across resources (a role's inline policies). */
  resources: RegisteredResource[];
}

export interface Rule {
  /** The field the rule reads, as written in the table. */
  path: string;
  /** What AWS or the provider requires, in words. */
  text: string;
  /** The AWS API reference page, documented quota or provider file the rule comes from. */
  source: string;
  /**
   * The inputs whose unknown values (a preview's) leave the rule unjudged; none when the rule
   * skips unknowns itself; absent: every input.
   */
  reads?: string[];
  /** The values that break the rule; none when it holds. */
  test(ctx: Context): Found[];
}

export type TypeRules = { rules: Rule[] } | { none: string };

export interface Violation extends Found {
  rule: Rule;
}

/** Auto-named resources get `<logical name>-<7 hex characters>` from Pulumi. */
const autoNameSuffix = "-0000000";

/**
 * The values at `path` in a resource's inputs. A segment ending in `[]` walks each element of an
 * array, `{}` parses a JSON string (policies, container definitions) and `{}[]` walks the parsed
 * array. A path starting with `~` is a physical name: the input when the program set it, else the
 * name Pulumi's auto-naming gives (as the mocks record it in the outputs).
 */
export function valuesAt(resource: RegisteredResource, path: string): Found[] {
  if (path.startsWith("~")) {
    const key = path.slice(1);
    const input = reveal(resource.inputs[key]);
    if (input !== undefined) return isUnknown(input) ? [] : [{ field: key, value: input }];
    const output = resource.outputs[key];
    const value = typeof output === "string" ? output : `${resource.name}${autoNameSuffix}`;
    return [{ field: `${key} (auto-named)`, value }];
  }
  let found: Found[] = [{ field: "", value: resource.inputs }];
  for (const segment of path.split(".")) {
    const match = /^([^.[\]{}]+)(\{\})?(\[\])?$/.exec(segment);
    if (!match) throw new Error(`bad rule path ${path}`);
    const [, key, json, each] = match;
    const next: Found[] = [];
    for (const { field, value } of found) {
      const container = reveal(value);
      if (typeof container !== "object" || container === null) continue;
      let child = reveal((container as Record<string, unknown>)[key]);
      const at = field ? `${field}.${key}` : key;
      if (child === undefined || child === null || isUnknown(child)) continue;
      if (json) {
        if (typeof child !== "string") continue;
        try {
          child = JSON.parse(child);
        } catch {
          continue; // `isJson` reports it
        }
      }
      if (each) {
        if (!Array.isArray(child)) continue;
        child.forEach((element, i) => {
          const item = reveal(element);
          if (item !== undefined && item !== null && !isUnknown(item))
            next.push({ field: `${at}[${i}]`, value: item });
        });
      } else {
        next.push({ field: at, value: child });
      }
    }
    found = next;
  }
  return found;
}

const isSet = (resource: RegisteredResource, path: string) =>
  valuesAt(resource, path).some(({ value }) =>
    Array.isArray(value) ? value.length > 0 : value !== "" && value !== false,
  );

/** A rule that holds for each value at `path` that `ok` accepts. */
export function each(
  path: string,
  text: string,
  ok: (value: unknown, ctx: Context) => boolean,
  source: string,
): Rule {
  return {
    path,
    text,
    source,
    reads: [],
    test: (ctx) => valuesAt(ctx.resource, path).filter(({ value }) => !ok(value, ctx)),
  };
}

/** A rule over the whole resource; `find` returns the offending fields. */
export function check(
  text: string,
  find: (inputs: Record<string, unknown>, ctx: Context) => Found[],
  source: string,
  path = "",
  reads?: string[],
): Rule {
  return { path, text, source, reads, test: (ctx) => find(ctx.resource.inputs, ctx) };
}

export const pattern = (path: string, regex: RegExp, text: string, source: string) =>
  each(path, text, (v) => typeof v === "string" && regex.test(v), source);

/** Length in characters (UTF-16 code units, as AWS counts for these ASCII-only fields). */
export const length = (path: string, min: number, max: number, source: string) =>
  each(
    path,
    min > 0 ? `${min} to ${max} characters` : `at most ${max} characters`,
    (v) => typeof v === "string" && v.length >= min && v.length <= max,
    source,
  );

/** Size in bytes of the UTF-8 text. */
export const bytes = (path: string, max: number, text: string, source: string) =>
  each(path, text, (v) => typeof v === "string" && Buffer.byteLength(v, "utf8") <= max, source);

/** A number, or a string of one (the provider takes some numbers as strings: `cpu: "512"`). */
const asNumber = (v: unknown): number =>
  typeof v === "number" ? v : typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? +v : NaN;

export const range = (path: string, min: number, max: number, source: string) =>
  each(
    path,
    `a number from ${min} to ${max}`,
    (v) => asNumber(v) >= min && asNumber(v) <= max,
    source,
  );

export const oneOf = (path: string, values: readonly (string | number)[], source: string) =>
  each(path, `one of ${values.join(", ")}`, (v) => values.includes(v as string | number), source);

/** At most `max` elements (array) or keys (object). */
export const count = (path: string, max: number, what: string, source: string) =>
  each(
    path,
    `at most ${max} ${what}`,
    (v) =>
      (Array.isArray(v) ? v.length : typeof v === "object" && v ? Object.keys(v).length : 0) <= max,
    source,
  );

export const isJson = (path: string, source: string) =>
  each(
    path,
    "valid JSON",
    (v) => {
      try {
        JSON.parse(String(v));
        return true;
      } catch {
        return false;
      }
    },
    source,
  );

/** When `path` is set, none of `others` may be (the provider's ConflictsWith). */
export function conflicts(path: string, others: string[], source: string): Rule {
  return check(
    `${path} conflicts with ${others.join(", ")}`,
    (_inputs, { resource }) =>
      isSet(resource, path)
        ? others.filter((o) => isSet(resource, o)).flatMap((o) => valuesAt(resource, o))
        : [],
    source,
    path,
    // Only values that are set (known) conflict: an unknown one is judged once known.
    [],
  );
}

/** When `path` is set, each of `others` must be too. */
export function requires(path: string, others: string[], source: string): Rule {
  return check(
    `${path} requires ${others.join(", ")}`,
    (_inputs, { resource }) =>
      isSet(resource, path) && others.some((o) => !isSet(resource, o))
        ? valuesAt(resource, path)
        : [],
    source,
    path,
    [path, ...others],
  );
}

/** Exactly one of `paths` set (the provider's ExactlyOneOf). */
export function exactlyOne(paths: string[], source: string): Rule {
  return check(
    `exactly one of ${paths.join(", ")}`,
    (_inputs, { resource }) => {
      const set = paths.filter((p) => isSet(resource, p));
      return set.length === 1 ? [] : [{ field: paths.join("|"), value: set }];
    },
    source,
    "",
    paths,
  );
}

// ---- sources ----------------------------------------------------------------------------------

const api = (service: string, page: string) =>
  `https://docs.aws.amazon.com/${service}/latest/APIReference/API_${page}.html`;
const provider = (file: string) =>
  `https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/${file}`;

const src = {
  tags: "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
  acm: api("acm", "RequestCertificate"),
  scalableTarget:
    "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html",
  scalingPolicy:
    "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html",
  predefinedMetric:
    "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PredefinedMetricSpecification.html",
  backupPlan: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupPlanInput.html",
  backupRule: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html",
  backupLifecycle: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html",
  backupPlanProvider: provider("backup/plan.go"),
  backupSelection:
    "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html",
  backupVault: "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html",
  backupVaultLock:
    "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html",
  backupVaultPolicy:
    "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultAccessPolicy.html",
  cachePolicy: api("cloudfront", "CachePolicyConfig"),
  distribution: api("cloudfront", "DistributionConfig"),
  cacheBehavior: api("cloudfront", "CacheBehavior"),
  allowedMethods: api("cloudfront", "AllowedMethods"),
  customOrigin: api("cloudfront", "CustomOriginConfig"),
  origin: api("cloudfront", "Origin"),
  viewerCertificate: api("cloudfront", "ViewerCertificate"),
  distributionProvider: provider("cloudfront/distribution.go"),
  oac: api("cloudfront", "OriginAccessControlConfig"),
  responseHeaders: api("cloudfront", "ResponseHeadersPolicyConfig"),
  cloudfrontQuotas:
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html",
  compositeAlarm: api("AmazonCloudWatch", "PutCompositeAlarm"),
  metricAlarm: api("AmazonCloudWatch", "PutMetricAlarm"),
  metricDataQuery: api("AmazonCloudWatch", "MetricDataQuery"),
  metricAlarmProvider: provider("cloudwatch/metric_alarm.go"),
  dashboard: api("AmazonCloudWatch", "PutDashboard"),
  dashboardBody:
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Dashboard-Body-Structure.html",
  putRule: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html",
  target: "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html",
  inputTransformer:
    "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html",
  targetProvider: provider("events/target.go"),
  deliverySource:
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliverySource.html",
  deliveryDestination:
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliveryDestination.html",
  logGroup:
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
  retention:
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
  logGroupProvider: provider("logs/group.go"),
  metricFilter:
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html",
  metricTransformation:
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html",
  logResourcePolicy:
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html",
  securityGroup: api("AWSEC2", "CreateSecurityGroup"),
  ipRange: api("AWSEC2", "IpRange"),
  ingressRuleProvider: provider("ec2/vpc_security_group_ingress_rule.go"),
  eip: api("AWSEC2", "AllocateAddress"),
  flowLog: api("AWSEC2", "CreateFlowLogs"),
  flowLogProvider: provider("ec2/vpc_flow_log.go"),
  metadataOptions: api("AWSEC2", "InstanceMetadataOptionsRequest"),
  runInstances: api("AWSEC2", "RunInstances"),
  creditSpecification: api("AWSEC2", "CreditSpecificationRequest"),
  maintenanceOptions: api("AWSEC2", "InstanceMaintenanceOptionsRequest"),
  ebs: api("AWSEC2", "EbsBlockDevice"),
  natGateway: api("AWSEC2", "CreateNatGateway"),
  routeProvider: provider("ec2/vpc_route_table.go"),
  routeTableAssociationProvider: provider("ec2/vpc_route_table_association.go"),
  vpcCidr: "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html",
  subnetCidr: "https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html",
  vpcEndpoint: api("AWSEC2", "CreateVpcEndpoint"),
  vpcEndpointPolicy: api("AWSEC2", "ModifyVpcEndpoint"),
  ecrRepository:
    "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
  ecrLifecycle:
    "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutLifecyclePolicy.html",
  ecrLifecycleRules:
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html",
  ecrEncryption:
    "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_EncryptionConfiguration.html",
  cluster: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
  lambdaFunction: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
  lambdaInvocation: provider("lambda/invocation.go"),
  clusterSetting:
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ClusterSetting.html",
  strategy:
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html",
  service: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
  serviceProvider: provider("ecs/service.go"),
  awsvpc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html",
  taskDefinition:
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
  containerDefinition:
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html",
  containerHealthCheck:
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html",
  containerDependency:
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html",
  fargateSizes:
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size",
  ecsQuotas: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html",
  runtimePlatform:
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RuntimePlatform.html",
  role: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
  rolePolicy: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html",
  iamQuotas: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
  alias: "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
  aliasProvider: provider("kms/validate.go"),
  key: "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html",
  keyDeletion: "https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html",
  kmsQuotas: "https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html",
  listener:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html",
  fixedResponse:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_FixedResponseActionConfig.html",
  redirect:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RedirectActionConfig.html",
  listenerRule:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html",
  httpHeaderCondition:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_HttpHeaderConditionConfig.html",
  loadBalancer:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
  albAttributes:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html",
  targetGroup:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
  targetGroupAttributes:
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html",
  rdsInstance:
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
  rdsDelete: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html",
  rdsValidate: provider("rds/validate.go"),
  rdsInstanceProvider: provider("rds/instance.go"),
  parameterGroup:
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html",
  parameter: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_Parameter.html",
  subnetGroup:
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html",
  proxy: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html",
  proxyAuth: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_UserAuthConfig.html",
  connectionPool:
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ConnectionPoolConfiguration.html",
  healthCheck: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html",
  recordSet: "https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html",
  recordProvider: provider("route53/record.go"),
  bucketNaming: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
  lifecycleRule: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html",
  lifecycleConfiguration:
    "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html",
  objectKey: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html",
  ownership: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_OwnershipControlsRule.html",
  bucketPolicy: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html",
  sse: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html",
  versioning: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_VersioningConfiguration.html",
  topic: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
  subscribe: "https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html",
  webAcl: "https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html",
  wafRule: "https://docs.aws.amazon.com/waf/latest/APIReference/API_Rule.html",
  visibility: "https://docs.aws.amazon.com/waf/latest/APIReference/API_VisibilityConfig.html",
  rateBased: "https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html",
  wafLogging: "https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html",
  wafLoggingApi:
    "https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html",
  dockerTag: "https://docs.docker.com/reference/cli/docker/image/tag/",
};

// ---- shared rules -----------------------------------------------------------------------------

/** JSON without insignificant white space, which IAM does not count towards its limits. */
const compactLength = (json: unknown) => {
  try {
    return JSON.stringify(JSON.parse(String(json))).length;
  } catch {
    return Infinity;
  }
};

/** RDS identifiers, as the provider's validIdentifier and the API's constraints have them. */
const rdsIdentifier = (path: string, max: number, source: string, lowercase = true): Rule[] => [
  pattern(
    path,
    lowercase ? /^[a-z][0-9a-z-]*$/ : /^[A-Za-z][0-9A-Za-z-]*$/,
    lowercase
      ? "a letter first, then only lowercase letters, digits and hyphens"
      : "a letter first, then only letters, digits and hyphens",
    source,
  ),
  pattern(path, /^(?!.*--)(?!.*-$)/, "no two consecutive hyphens and no hyphen at the end", source),
  length(path, 1, max, source),
];

/** EC2's characters for a security group's and a rule's description (the rule's lack `&`). */
const groupDescription = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;
const ruleDescription = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=;{}!$*]*$/;
const ruleDescriptionRules = (path: string): Rule[] => [
  pattern(
    path,
    ruleDescription,
    "only a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=;{}!$*",
    src.ipRange,
  ),
  length(path, 0, 255, src.ipRange),
];

/** A security group rule's ports: 0-65535 for TCP and UDP, from not above to. */
const portRules = (prefix = ""): Rule[] => [
  check(
    "TCP/UDP ports 0-65535 with fromPort <= toPort",
    (inputs) => {
      const rules = prefix ? ((inputs[prefix] as Record<string, unknown>[]) ?? []) : [inputs];
      return rules.flatMap((r, i) => {
        const protocol = String(r.ipProtocol ?? r.protocol ?? "");
        if (!["tcp", "udp", "6", "17"].includes(protocol)) return [];
        const from = Number(r.fromPort);
        const to = Number(r.toPort);
        const ok = from >= 0 && to <= 65535 && from <= to;
        return ok
          ? []
          : [
              {
                field: `${prefix ? `${prefix}[${i}].` : ""}fromPort..toPort`,
                value: `${from}..${to}`,
              },
            ];
      });
    },
    src.ipRange,
  ),
];

/** Metric alarm periods: 10, 20, 30 or a multiple of 60 seconds. */
const alarmPeriod = (v: unknown) => [10, 20, 30].includes(Number(v)) || Number(v) % 60 === 0;

const alarmActions = ["alarmActions", "okActions", "insufficientDataActions"].map((p) =>
  count(p, 5, "actions", src.metricAlarm),
);

/** 1 January 1970 was a Thursday; RDS windows name days mon..sun. */
const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const minutesOf = (hhmm: string) => +hhmm.slice(0, 2) * 60 + +hhmm.slice(3, 5);
const hhmm = "([01]\\d|2[0-3]):[0-5]\\d";

/** The minutes of the week a maintenance window covers, as [start, end) (end may wrap). */
function weekWindow(value: string): [number, number] | undefined {
  const m = new RegExp(`^(${days.join("|")}):(${hhmm})-(${days.join("|")}):(${hhmm})$`, "i").exec(
    value,
  );
  if (!m) return undefined;
  const start = days.indexOf(m[1].toLowerCase()) * 1440 + minutesOf(m[2]);
  const end = days.indexOf(m[4].toLowerCase()) * 1440 + minutesOf(m[5]);
  return [start, end];
}

const week = 7 * 1440;
const span = ([start, end]: [number, number], period: number) =>
  (((end - start) % period) + period) % period;

/** Whether two windows [start, end) modulo `period` share a minute. */
function overlap(a: [number, number], b: [number, number], period: number): boolean {
  const inside = (x: number, [s, e]: [number, number]) =>
    (((x - s) % period) + period) % period < span([s, e], period);
  return inside(a[0], b) || inside(b[0], a);
}

// ---- the table --------------------------------------------------------------------------------

const component = "a component resource: AWS never sees it, only its children";

export const fieldRules: Record<string, TypeRules> = {
  "pulumi:pulumi:Stack": { none: "the stack itself: nothing is sent to AWS" },
  "pulumi:providers:aws": {
    none: "provider configuration; its default tags are checked with each resource's tags",
  },
  "pulumi:providers:docker-build": { none: "provider configuration, no AWS API call" },
  "pulumi:providers:random": { none: "provider configuration, no AWS API call" },
  "random:index/randomId:RandomId": { none: "generated locally; no AWS API call" },
  "random:index/randomPassword:RandomPassword": { none: "generated locally; no AWS API call" },
  "acme:alerting:Alerting": { none: component },
  "acme:backup:Backup": { none: component },
  "acme:cdn:Cdn": { none: component },
  "acme:database:Database": { none: component },
  "acme:database:RoleBootstrap": { none: component },
  "acme:loadBalancer:LoadBalancer": { none: component },
  "acme:monitoring:Monitoring": { none: component },
  "acme:network:Network": { none: component },
  "acme:registry:Registry": { none: component },
  "acme:service:Service": { none: component },

  "docker-build:index:Image": {
    rules: [
      pattern(
        "tags[]",
        /:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
        "a tag of at most 128 letters, digits, _ . -, not starting with . or -",
        src.dockerTag,
      ),
    ],
  },

  "aws:acm/certificate:Certificate": {
    rules: [
      length("domainName", 1, 64, src.acm + " (the first domain name cannot exceed 64 octets)"),
      pattern(
        "domainName",
        /^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/,
        "a domain name: labels of letters, digits and hyphens",
        src.acm,
      ),
      oneOf(
        "keyAlgorithm",
        [
          "RSA_1024",
          "RSA_2048",
          "RSA_3072",
          "RSA_4096",
          "EC_prime256v1",
          "EC_secp384r1",
          "EC_secp521r1",
        ],
        src.acm,
      ),
      oneOf("validationMethod", ["EMAIL", "DNS", "HTTP"], src.acm),
    ],
  },
  "aws:acm/certificateValidation:CertificateValidation": {
    none: "takes the certificate's ARN and the validation records' names from their outputs",
  },

  "aws:appautoscaling/target:Target": {
    rules: [
      range("minCapacity", 0, 2147483647, src.scalableTarget),
      range("maxCapacity", 0, 2147483647, src.scalableTarget),
      check(
        "minCapacity <= maxCapacity",
        (i) =>
          Number(i.minCapacity) <= Number(i.maxCapacity)
            ? []
            : [{ field: "minCapacity", value: `${i.minCapacity} > ${i.maxCapacity}` }],
        src.scalableTarget,
      ),
      check(
        "an ECS target is service/<cluster>/<service> with dimension ecs:service:DesiredCount",
        (i) =>
          i.serviceNamespace === "ecs" &&
          !(
            /^service\/[^/]+\/[^/]+$/.test(String(i.resourceId)) &&
            i.scalableDimension === "ecs:service:DesiredCount"
          )
            ? [
                {
                  field: "resourceId|scalableDimension",
                  value: [i.resourceId, i.scalableDimension],
                },
              ]
            : [],
        src.scalableTarget,
      ),
      length("resourceId", 1, 1600, src.scalableTarget),
    ],
  },
  "aws:appautoscaling/policy:Policy": {
    rules: [
      length("~name", 1, 256, src.scalingPolicy),
      oneOf(
        "policyType",
        ["StepScaling", "TargetTrackingScaling", "PredictiveScaling"],
        src.scalingPolicy,
      ),
      each(
        "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType",
        "for ECS, ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget",
        (v, { resource }) =>
          resource.inputs.serviceNamespace !== "ecs" ||
          [
            "ECSServiceAverageCPUUtilization",
            "ECSServiceAverageMemoryUtilization",
            "ALBRequestCountPerTarget",
          ].includes(String(v)),
        src.predefinedMetric,
      ),
      check(
        "resourceLabel is given exactly when the metric type is ALBRequestCountPerTarget",
        (i) => {
          const spec = (i.targetTrackingScalingPolicyConfiguration as Record<string, unknown>)
            ?.predefinedMetricSpecification as Record<string, unknown> | undefined;
          if (!spec) return [];
          const needs = spec.predefinedMetricType === "ALBRequestCountPerTarget";
          const has = typeof spec.resourceLabel === "string" && spec.resourceLabel !== "";
          return needs === has
            ? []
            : [{ field: "predefinedMetricSpecification.resourceLabel", value: spec.resourceLabel }];
        },
        src.predefinedMetric,
      ),
      length(
        "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.resourceLabel",
        1,
        1023,
        src.predefinedMetric,
      ),
      range(
        "targetTrackingScalingPolicyConfiguration.scaleInCooldown",
        0,
        2147483647,
        src.scalingPolicy,
      ),
      range(
        "targetTrackingScalingPolicyConfiguration.scaleOutCooldown",
        0,
        2147483647,
        src.scalingPolicy,
      ),
    ],
  },

  "aws:backup/plan:Plan": {
    rules: [
      pattern(
        "~name",
        /^[a-zA-Z0-9\-_.]{1,50}$/,
        "1 to 50 alphanumeric or -_. characters",
        src.backupPlan,
      ),
      pattern(
        "rules[].ruleName",
        /^[a-zA-Z0-9\-_.]{1,50}$/,
        "1 to 50 alphanumeric or -_. characters",
        src.backupPlanProvider + " (rule_name)",
      ),
      pattern(
        "rules[].targetVaultName",
        /^[a-zA-Z0-9\-_]{2,50}$/,
        "2 to 50 alphanumeric, - or _ characters",
        src.backupPlanProvider + " (target_vault_name)",
      ),
      pattern(
        "rules[].schedule",
        /^cron\(\S+( \S+){5}\)$/,
        "a cron expression of six fields: cron(minutes hours day month weekday year)",
        src.backupRule,
      ),
      each("rules[].startWindow", "at least 60 minutes", (v) => Number(v) >= 60, src.backupRule),
      range("rules[].lifecycle.deleteAfter", 1, 2147483647, src.backupLifecycle),
      range("rules[].copyActions[].lifecycle.deleteAfter", 1, 2147483647, src.backupLifecycle),
      check(
        "deleteAfter at least 90 days after moveToColdStorageAfter (coldStorageAfter)",
        (i) =>
          valuesAtInputs(i, "rules[]")
            .concat(valuesAtInputs(i, "rules[].copyActions[]"))
            .flatMap(({ field, value }) => {
              const l = (value as Record<string, unknown>).lifecycle as
                Record<string, number> | undefined;
              if (!l?.coldStorageAfter || !l.deleteAfter) return [];
              return l.deleteAfter >= l.coldStorageAfter + 90
                ? []
                : [{ field: `${field}.lifecycle`, value: l }];
            }),
        src.backupLifecycle,
        "rules[].lifecycle.deleteAfter",
      ),
      pattern(
        "rules[].copyActions[].destinationVaultArn",
        /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[a-zA-Z0-9\-_]{2,50}$/,
        "a backup vault's ARN",
        src.backupRule,
      ),
    ],
  },
  "aws:backup/selection:Selection": {
    rules: [
      pattern(
        "~name",
        /^[a-zA-Z0-9\-_.]{1,50}$/,
        "1 to 50 alphanumeric or -_. characters",
        src.backupSelection,
      ),
      pattern(
        "iamRoleArn",
        /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/,
        "an IAM role's ARN",
        src.backupSelection,
      ),
    ],
  },
  "aws:backup/vault:Vault": {
    rules: [
      pattern(
        "~name",
        /^[a-zA-Z0-9\-_]{2,50}$/,
        "2 to 50 alphanumeric, - or _ characters",
        src.backupVault,
      ),
    ],
  },
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": {
    rules: [
      range(
        "changeableForDays",
        3,
        36500,
        src.backupVaultLock + " (ChangeableForDays: at least 3)",
      ),
      range("minRetentionDays", 1, 36500, src.backupVaultLock),
      range("maxRetentionDays", 1, 36500, src.backupVaultLock),
      check(
        "minRetentionDays <= maxRetentionDays",
        (i) =>
          i.minRetentionDays !== undefined &&
          i.maxRetentionDays !== undefined &&
          Number(i.minRetentionDays) > Number(i.maxRetentionDays)
            ? [{ field: "minRetentionDays", value: i.minRetentionDays }]
            : [],
        src.backupVaultLock,
      ),
    ],
  },
  "aws:backup/vaultPolicy:VaultPolicy": {
    rules: [isJson("policy", src.backupVaultPolicy)],
  },

  "aws:cloudfront/cachePolicy:CachePolicy": {
    rules: [
      length("~name", 1, 128, src.cachePolicy),
      length("comment", 0, 128, src.cachePolicy),
      check(
        "minTtl <= defaultTtl <= maxTtl",
        (i) => {
          const [min, def, max] = [i.minTtl, i.defaultTtl, i.maxTtl].map(Number);
          return min <= def && def <= max
            ? []
            : [{ field: "minTtl..maxTtl", value: [min, def, max] }];
        },
        src.cachePolicy,
      ),
      oneOf(
        "parametersInCacheKeyAndForwardedToOrigin.cookiesConfig.cookieBehavior",
        ["none", "whitelist", "allExcept", "all"],
        src.cachePolicy,
      ),
      oneOf(
        "parametersInCacheKeyAndForwardedToOrigin.headersConfig.headerBehavior",
        ["none", "whitelist"],
        src.cachePolicy,
      ),
      oneOf(
        "parametersInCacheKeyAndForwardedToOrigin.queryStringsConfig.queryStringBehavior",
        ["none", "whitelist", "allExcept", "all"],
        src.cachePolicy,
      ),
    ],
  },
  "aws:cloudfront/distribution:Distribution": {
    rules: [
      length("comment", 0, 128, src.distribution),
      length("defaultRootObject", 0, 255, src.distribution),
      oneOf("priceClass", ["PriceClass_100", "PriceClass_200", "PriceClass_All"], src.distribution),
      oneOf("httpVersion", ["http1.1", "http2", "http2and3", "http3"], src.distribution),
      ...["defaultCacheBehavior", "orderedCacheBehaviors[]"].flatMap((b) => [
        oneOf(
          `${b}.viewerProtocolPolicy`,
          ["allow-all", "https-only", "redirect-to-https"],
          src.cacheBehavior,
        ),
        each(
          `${b}.allowedMethods`,
          "GET,HEAD; GET,HEAD,OPTIONS; or all seven methods",
          (v) =>
            Array.isArray(v) &&
            [2, 3, 7].includes(v.length) &&
            ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
              .slice(0, v.length)
              .every((m) => v.includes(m)),
          src.allowedMethods,
        ),
        each(
          `${b}.cachedMethods`,
          "GET,HEAD or GET,HEAD,OPTIONS",
          (v) =>
            Array.isArray(v) &&
            [2, 3].includes(v.length) &&
            ["GET", "HEAD", "OPTIONS"].slice(0, v.length).every((m) => v.includes(m)),
          src.allowedMethods,
        ),
      ]),
      check(
        "every cache behavior's targetOriginId names an origin",
        (i) => {
          const origins = (reveal(i.origins) as { originId?: string }[] | undefined) ?? [];
          const parsed =
            typeof origins === "string" ? (JSON.parse(origins) as typeof origins) : origins;
          const ids = new Set(parsed.map((o) => o.originId));
          return valuesAtInputs(i, "orderedCacheBehaviors[].targetOriginId")
            .concat(valuesAtInputs(i, "defaultCacheBehavior.targetOriginId"))
            .filter(({ value }) => !ids.has(value as string));
        },
        src.cacheBehavior,
      ),
      range("origins[].connectionAttempts", 1, 3, src.origin),
      range("origins[].connectionTimeout", 1, 10, src.origin),
      range("origins[].customOriginConfig.originReadTimeout", 1, 180, src.distributionProvider),
      oneOf(
        "origins[].customOriginConfig.originProtocolPolicy",
        ["http-only", "match-viewer", "https-only"],
        src.customOrigin,
      ),
      each(
        "origins[].customOriginConfig.originSslProtocols",
        "each of SSLv3, TLSv1, TLSv1.1, TLSv1.2",
        (v) =>
          Array.isArray(v) && v.every((p) => ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"].includes(p)),
        src.customOrigin,
      ),
      oneOf(
        "viewerCertificate.sslSupportMethod",
        ["sni-only", "vip", "static-ip"],
        src.viewerCertificate,
      ),
      oneOf(
        "viewerCertificate.minimumProtocolVersion",
        [
          "SSLv3",
          "TLSv1",
          "TLSv1_2016",
          "TLSv1.1_2016",
          "TLSv1.2_2018",
          "TLSv1.2_2019",
          "TLSv1.2_2021",
          "TLSv1.2_2025",
          "TLSv1.3_2025",
        ],
        src.viewerCertificate,
      ),
    ],
  },
  "aws:cloudfront/monitoringSubscription:MonitoringSubscription": {
    rules: [
      oneOf(
        "monitoringSubscription.realtimeMetricsSubscriptionConfig.realtimeMetricsSubscriptionStatus",
        ["Enabled", "Disabled"],
        "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_RealtimeMetricsSubscriptionConfig.html",
      ),
    ],
  },
  "aws:cloudfront/originAccessControl:OriginAccessControl": {
    rules: [
      length("name", 1, 64, src.oac),
      length("description", 0, 256, src.oac),
      oneOf(
        "originAccessControlOriginType",
        ["s3", "mediastore", "mediapackagev2", "lambda"],
        src.oac,
      ),
      oneOf("signingBehavior", ["never", "always", "no-override"], src.oac),
      oneOf("signingProtocol", ["sigv4"], src.oac),
    ],
  },
  "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": {
    rules: [
      length("~name", 1, 128, src.responseHeaders),
      length("comment", 0, 128, src.responseHeaders),
      oneOf(
        "securityHeadersConfig.frameOptions.frameOption",
        ["DENY", "SAMEORIGIN"],
        src.responseHeaders,
      ),
      oneOf(
        "securityHeadersConfig.referrerPolicy.referrerPolicy",
        [
          "no-referrer",
          "no-referrer-when-downgrade",
          "origin",
          "origin-when-cross-origin",
          "same-origin",
          "strict-origin",
          "strict-origin-when-cross-origin",
          "unsafe-url",
        ],
        src.responseHeaders,
      ),
      length(
        "securityHeadersConfig.contentSecurityPolicy.contentSecurityPolicy",
        1,
        1783,
        src.cloudfrontQuotas + " (Content-Security-Policy header value)",
      ),
    ],
  },

  "aws:cloudwatch/compositeAlarm:CompositeAlarm": {
    rules: [
      length("alarmName", 1, 255, src.compositeAlarm),
      length("alarmDescription", 0, 1024, src.compositeAlarm),
      length("alarmRule", 1, 10240, src.compositeAlarm),
      ...["alarmActions", "okActions", "insufficientDataActions"].map((p) =>
        count(p, 5, "actions", src.compositeAlarm),
      ),
      range("actionsSuppressor.extensionPeriod", 0, 2147483647, src.compositeAlarm),
      range("actionsSuppressor.waitPeriod", 0, 2147483647, src.compositeAlarm),
    ],
  },
  "aws:cloudwatch/dashboard:Dashboard": {
    rules: [
      pattern(
        "dashboardName",
        /^[A-Za-z0-9_-]{1,255}$/,
        "1 to 255 alphanumerics, - or _",
        src.dashboard,
      ),
      isJson("dashboardBody", src.dashboard),
      count("dashboardBody{}.widgets", 500, "widgets", src.dashboardBody),
      range("dashboardBody{}.widgets[].x", 0, 23, src.dashboardBody),
      range("dashboardBody{}.widgets[].width", 1, 24, src.dashboardBody),
      range("dashboardBody{}.widgets[].height", 1, 1000, src.dashboardBody),
    ],
  },
  "aws:cloudwatch/eventRule:EventRule": {
    rules: [
      pattern(
        "~name",
        /^[.\-_A-Za-z0-9]{1,64}$/,
        "1 to 64 of . - _ letters and digits",
        src.putRule,
      ),
      length("description", 0, 512, src.putRule),
      isJson("eventPattern", src.putRule),
      length("eventPattern", 0, 4096, src.putRule),
      oneOf(
        "state",
        ["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"],
        src.putRule,
      ),
    ],
  },
  "aws:cloudwatch/eventTarget:EventTarget": {
    rules: [
      pattern(
        "~targetId",
        /^[.\-_A-Za-z0-9]{1,64}$/,
        "1 to 64 of . - _ letters and digits",
        src.target,
      ),
      conflicts(
        "input",
        ["inputPath", "inputTransformer"],
        src.targetProvider + " (input ConflictsWith)",
      ),
      conflicts(
        "inputPath",
        ["inputTransformer"],
        src.targetProvider + " (input_path ConflictsWith)",
      ),
      count("inputTransformer.inputPaths", 100, "input paths", src.inputTransformer),
      check(
        "input path keys of [A-Za-z0-9_-], at most 256 characters each, values at most 256",
        (i) =>
          Object.entries(
            ((i.inputTransformer as Record<string, unknown>)?.inputPaths as Record<
              string,
              unknown
            >) ?? {},
          )
            .filter(([k, v]) => !/^[A-Za-z0-9_-]{1,256}$/.test(k) || String(v).length > 256)
            .map(([k, v]) => ({ field: `inputTransformer.inputPaths.${k}`, value: v })),
        src.inputTransformer,
      ),
      length("inputTransformer.inputTemplate", 1, 8192, src.inputTransformer),
      length("input", 0, 8192, src.target),
    ],
  },
  "aws:cloudwatch/logDelivery:LogDelivery": {
    rules: [
      pattern(
        "deliverySourceName",
        /^[\w-]{1,60}$/,
        "1 to 60 word characters or hyphens",
        src.deliverySource,
      ),
    ],
  },
  "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": {
    rules: [
      pattern(
        "name",
        /^[\w-]{1,60}$/,
        "1 to 60 word characters or hyphens",
        src.deliveryDestination,
      ),
      oneOf("outputFormat", ["json", "plain", "w3c", "raw", "parquet"], src.deliveryDestination),
    ],
  },
  "aws:cloudwatch/logDeliverySource:LogDeliverySource": {
    rules: [
      pattern("name", /^[\w-]{1,60}$/, "1 to 60 word characters or hyphens", src.deliverySource),
    ],
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    rules: [
      pattern(
        "~name",
        /^[.\-_/#A-Za-z0-9]{1,512}$/,
        "1 to 512 of . - _ / # letters and digits",
        src.logGroup,
      ),
      oneOf(
        "retentionInDays",
        [
          0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
          2922, 3288, 3653,
        ],
        src.logGroupProvider + " (retention_in_days); " + src.retention,
      ),
    ],
  },
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": {
    rules: [
      pattern("name", /^[^:*]{1,512}$/, "1 to 512 characters, no : or *", src.metricFilter),
      length("pattern", 0, 1024, src.metricFilter),
      pattern("logGroupName", /^[.\-_/#A-Za-z0-9]{1,512}$/, "a log group name", src.logGroup),
      pattern(
        "metricTransformation.name",
        /^[^:*$]{1,255}$/,
        "at most 255 characters, no : * $",
        src.metricTransformation,
      ),
      pattern(
        "metricTransformation.namespace",
        /^[^:*$]{1,255}$/,
        "at most 255 characters, no : * $",
        src.metricTransformation,
      ),
      length("metricTransformation.value", 1, 100, src.metricTransformation),
      count("metricTransformation.dimensions", 3, "dimensions", src.metricTransformation),
    ],
  },
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": {
    rules: [
      length("policyName", 1, 255, src.logResourcePolicy),
      isJson("policyDocument", src.logResourcePolicy),
      length("policyDocument", 1, 5120, src.logResourcePolicy),
    ],
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    rules: [
      length("~name", 1, 255, src.metricAlarmProvider + " (alarm_name)"),
      length("alarmDescription", 0, 1024, src.metricAlarmProvider + " (alarm_description)"),
      oneOf(
        "comparisonOperator",
        [
          "GreaterThanOrEqualToThreshold",
          "GreaterThanThreshold",
          "LessThanThreshold",
          "LessThanOrEqualToThreshold",
          "LessThanLowerOrGreaterThanUpperThreshold",
          "LessThanLowerThreshold",
          "GreaterThanUpperThreshold",
        ],
        src.metricAlarm,
      ),
      oneOf(
        "treatMissingData",
        ["missing", "ignore", "breaching", "notBreaching"],
        src.metricAlarm,
      ),
      oneOf("statistic", ["SampleCount", "Average", "Sum", "Minimum", "Maximum"], src.metricAlarm),
      pattern(
        "extendedStatistic",
        /^((p|(tm)|(wm)|(tc)|(ts))((\d{1,2}(\.\d{1,2})?)|(100))|(IQM)|(((TM)|(WM)|(PR)|(TC)|(TS)))\((\d+(\.\d+)?%?)?:(\d+(\.\d+)?%?)?\))$/,
        "a percentile or trimmed statistic such as p95",
        src.metricAlarmProvider + " (extended_statistic)",
      ),
      each(
        "period",
        "10, 20, 30 or a multiple of 60 seconds",
        alarmPeriod,
        src.metricAlarmProvider + " (period)",
      ),
      range("evaluationPeriods", 1, 2147483647, src.metricAlarm),
      range("datapointsToAlarm", 1, 2147483647, src.metricAlarm),
      check(
        "datapointsToAlarm <= evaluationPeriods",
        (i) =>
          i.datapointsToAlarm === undefined ||
          Number(i.datapointsToAlarm) <= Number(i.evaluationPeriods)
            ? []
            : [
                {
                  field: "datapointsToAlarm",
                  value: `${i.datapointsToAlarm} > ${i.evaluationPeriods}`,
                },
              ],
        src.metricAlarm,
      ),
      check(
        "evaluationPeriods x period at most 86,400 seconds (one day)",
        (i) => {
          const queries =
            (i.metricQueries as { metric?: { period?: number }; period?: number }[]) ?? [];
          const periods = [
            Number(i.period),
            ...queries.map((q) => Number(q.metric?.period ?? q.period)),
          ];
          const period = Math.max(0, ...periods.filter((p) => p > 0));
          return Number(i.evaluationPeriods) * period <= 86400
            ? []
            : [{ field: "evaluationPeriods", value: `${i.evaluationPeriods} x ${period}s` }];
        },
        src.metricAlarm,
      ),
      conflicts(
        "statistic",
        ["extendedStatistic"],
        src.metricAlarmProvider + " (statistic ConflictsWith extended_statistic)",
      ),
      requires(
        "metricName",
        ["namespace", "period"],
        src.metricAlarm + " (a single-metric alarm names its namespace and period)",
      ),
      check(
        "a single-metric alarm sets exactly one of statistic and extendedStatistic",
        (i, { resource }) =>
          isSet(resource, "metricName") &&
          isSet(resource, "statistic") === isSet(resource, "extendedStatistic")
            ? [{ field: "statistic|extendedStatistic", value: [i.statistic, i.extendedStatistic] }]
            : [],
        src.metricAlarmProvider + " (CustomizeDiff)",
      ),
      conflicts(
        "metricQueries",
        [
          "period",
          "namespace",
          "metricName",
          "statistic",
          "extendedStatistic",
          "dimensions",
          "unit",
        ],
        src.metricAlarmProvider +
          " (period, namespace, metric_name, statistic, extended_statistic, dimensions, unit ConflictsWith metric_query)",
      ),
      conflicts(
        "threshold",
        ["thresholdMetricId"],
        src.metricAlarmProvider + " (threshold ConflictsWith threshold_metric_id)",
      ),
      check(
        "exactly one metric query has returnData",
        (i) => {
          const queries = (i.metricQueries as { returnData?: boolean }[] | undefined) ?? [];
          const returning = queries.filter((q) => q.returnData === true).length;
          return queries.length === 0 || returning === 1
            ? []
            : [{ field: "metricQueries[].returnData", value: `${returning} queries return data` }];
        },
        src.metricAlarm,
        "metricQueries",
      ),
      check(
        "each metric query has exactly one of expression and metric",
        (i) =>
          (
            (i.metricQueries as { id?: string; expression?: string; metric?: unknown }[]) ?? []
          ).flatMap((q, n) =>
            (q.expression !== undefined && q.expression !== "") === (q.metric !== undefined)
              ? [{ field: `metricQueries[${n}]`, value: q.id }]
              : [],
          ),
        src.metricAlarmProvider + " (CustomizeDiff); " + src.metricDataQuery,
        "metricQueries",
      ),
      pattern(
        "metricQueries[].id",
        /^[a-z][a-zA-Z0-9_]{0,254}$/,
        "a lowercase letter first, then letters, digits and underscores",
        src.metricDataQuery,
      ),
      length("metricQueries[].expression", 1, 2048, src.metricDataQuery),
      each(
        "metricQueries[].metric.period",
        "1, 5, 10, 20, 30 or a multiple of 60 seconds",
        (v) => [1, 5, 10, 20, 30].includes(Number(v)) || Number(v) % 60 === 0,
        src.metricAlarmProvider + " (metric_query.metric.period)",
      ),
      pattern(
        "metricQueries[].metric.stat",
        /^(SampleCount|Average|Sum|Minimum|Maximum|((p|(tm)|(wm)|(tc)|(ts))((\d{1,2}(\.\d{1,2})?)|(100))|(IQM)|(((TM)|(WM)|(PR)|(TC)|(TS)))\((\d+(\.\d+)?%?)?:(\d+(\.\d+)?%?)?\)))$/,
        "a statistic or a percentile",
        src.metricAlarmProvider + " (metric_query.metric.stat)",
      ),
      count("dimensions", 30, "dimensions", src.metricAlarm),
      ...alarmActions,
    ],
  },

  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
    rules: [
      ...ruleDescriptionRules("ingress[].description"),
      ...ruleDescriptionRules("egress[].description"),
      ...portRules("ingress"),
      ...portRules("egress"),
    ],
  },
  "aws:ec2/eip:Eip": { rules: [oneOf("domain", ["vpc", "standard"], src.eip)] },
  "aws:ec2/flowLog:FlowLog": {
    rules: [
      oneOf("maxAggregationInterval", [60, 600], src.flowLog),
      oneOf("trafficType", ["ACCEPT", "REJECT", "ALL"], src.flowLog),
      oneOf("logDestinationType", ["cloud-watch-logs", "s3", "kinesis-data-firehose"], src.flowLog),
      check(
        "a CloudWatch Logs destination needs the role that delivers to it (iamRoleArn)",
        (i) =>
          (i.logDestinationType ?? "cloud-watch-logs") === "cloud-watch-logs" && !i.iamRoleArn
            ? [{ field: "iamRoleArn", value: i.iamRoleArn }]
            : [],
        src.flowLog,
      ),
      exactlyOne(
        ["vpcId", "subnetId", "eniId", "transitGatewayId", "transitGatewayAttachmentId"],
        src.flowLogProvider + " (ExactlyOneOf)",
      ),
    ],
  },
  "aws:ec2/instance:Instance": {
    rules: [
      oneOf("metadataOptions.httpTokens", ["optional", "required"], src.metadataOptions),
      oneOf("metadataOptions.httpEndpoint", ["enabled", "disabled"], src.metadataOptions),
      range("metadataOptions.httpPutResponseHopLimit", 1, 64, src.metadataOptions),
      oneOf("metadataOptions.instanceMetadataTags", ["enabled", "disabled"], src.metadataOptions),
      oneOf("creditSpecification.cpuCredits", ["standard", "unlimited"], src.creditSpecification),
      oneOf("maintenanceOptions.autoRecovery", ["default", "disabled"], src.maintenanceOptions),
      oneOf(
        "rootBlockDevice.volumeType",
        ["standard", "gp2", "gp3", "io1", "io2", "sc1", "st1"],
        src.ebs,
      ),
      bytes("userData", 16384, "at most 16 KB before base64 encoding", src.runInstances),
    ],
  },
  "aws:ec2/internetGateway:InternetGateway": {
    none: "only the VPC's id and tags (tags are checked for every resource)",
  },
  "aws:ec2/natGateway:NatGateway": {
    rules: [
      oneOf("connectivityType", ["public", "private"], src.natGateway),
      check(
        "a private NAT gateway takes no Elastic IP (allocationId)",
        (i) =>
          i.connectivityType === "private" && i.allocationId
            ? [{ field: "allocationId", value: i.allocationId }]
            : [],
        src.natGateway,
      ),
    ],
  },
  "aws:ec2/routeTable:RouteTable": {
    rules: [
      check(
        "each route has exactly one destination and one target",
        (i) =>
          ((i.routes as Record<string, unknown>[]) ?? []).flatMap((r, n) => {
            const set = (keys: string[]) => keys.filter((k) => r[k] !== undefined && r[k] !== "");
            const destinations = set(["cidrBlock", "ipv6CidrBlock", "destinationPrefixListId"]);
            const targets = set([
              "gatewayId",
              "natGatewayId",
              "networkInterfaceId",
              "transitGatewayId",
              "vpcEndpointId",
              "vpcPeeringConnectionId",
              "egressOnlyGatewayId",
              "localGatewayId",
              "carrierGatewayId",
              "coreNetworkArn",
            ]);
            return destinations.length === 1 && targets.length === 1
              ? []
              : [{ field: `routes[${n}]`, value: r }];
          }),
        src.routeProvider,
      ),
    ],
  },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": {
    rules: [
      exactlyOne(["subnetId", "gatewayId"], src.routeTableAssociationProvider + " (ExactlyOneOf)"),
    ],
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    rules: [
      pattern(
        "description",
        groupDescription,
        "only a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*",
        src.securityGroup,
      ),
      length("description", 0, 255, src.securityGroup),
      pattern(
        "~name",
        groupDescription,
        "only a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*",
        src.securityGroup,
      ),
      length("~name", 1, 255, src.securityGroup),
      pattern("~name", /^(?!sg-)/, "not starting with sg-", src.securityGroup),
      ...ruleDescriptionRules("ingress[].description"),
      ...ruleDescriptionRules("egress[].description"),
    ],
  },
  "aws:ec2/subnet:Subnet": {
    rules: [
      pattern(
        "cidrBlock",
        /^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-8])$/,
        "an IPv4 CIDR block from /16 to /28",
        src.subnetCidr,
      ),
    ],
  },
  "aws:ec2/vpc:Vpc": {
    rules: [
      pattern(
        "cidrBlock",
        /^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-8])$/,
        "an IPv4 CIDR block from /16 to /28",
        src.vpcCidr,
      ),
    ],
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": {
    rules: [
      oneOf(
        "vpcEndpointType",
        ["Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork"],
        src.vpcEndpoint,
      ),
      check(
        "route tables only for a Gateway endpoint",
        (i) =>
          i.vpcEndpointType !== "Gateway" &&
          Array.isArray(i.routeTableIds) &&
          i.routeTableIds.length
            ? [{ field: "routeTableIds", value: i.routeTableIds }]
            : [],
        src.vpcEndpoint,
      ),
    ],
  },

  "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": {
    // PolicyDocument: "The policy must be in valid JSON format."
    rules: [isJson("policy", src.vpcEndpointPolicy)],
  },

  "aws:ecr/lifecyclePolicy:LifecyclePolicy": {
    rules: [
      isJson("policy", src.ecrLifecycle),
      length("policy", 100, 30720, src.ecrLifecycle),
      range("policy{}.rules[].rulePriority", 1, 999, src.ecrLifecycleRules),
      oneOf(
        "policy{}.rules[].selection.tagStatus",
        ["tagged", "untagged", "any"],
        src.ecrLifecycleRules,
      ),
      oneOf(
        "policy{}.rules[].selection.countType",
        ["imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"],
        src.ecrLifecycleRules,
      ),
      range("policy{}.rules[].selection.countNumber", 1, 2147483647, src.ecrLifecycleRules),
      check(
        "rule priorities unique, and a tagStatus any rule has the highest",
        (i) => {
          let rules: { rulePriority: number; selection?: { tagStatus?: string } }[];
          try {
            rules = (JSON.parse(String(i.policy)) as { rules: typeof rules }).rules ?? [];
          } catch {
            return [];
          }
          const priorities = rules.map((r) => r.rulePriority);
          const highest = Math.max(...priorities);
          const bad =
            new Set(priorities).size !== priorities.length ||
            rules.some((r) => r.selection?.tagStatus === "any" && r.rulePriority !== highest);
          return bad ? [{ field: "policy.rules[].rulePriority", value: priorities }] : [];
        },
        src.ecrLifecycleRules,
      ),
    ],
  },
  "aws:ecr/repository:Repository": {
    rules: [
      pattern(
        "~name",
        /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
        "2 to 256 lowercase letters and digits, separated by . _ - or /",
        src.ecrRepository,
      ),
      oneOf(
        "imageTagMutability",
        ["MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION"],
        src.ecrRepository,
      ),
      check(
        "exclusion filters only with a *_WITH_EXCLUSION tag mutability",
        (i) =>
          Array.isArray(i.imageTagMutabilityExclusionFilters) &&
          i.imageTagMutabilityExclusionFilters.length > 0 &&
          !String(i.imageTagMutability).endsWith("_WITH_EXCLUSION")
            ? [{ field: "imageTagMutabilityExclusionFilters", value: i.imageTagMutability }]
            : [],
        src.ecrRepository,
      ),
      oneOf(
        "encryptionConfigurations[].encryptionType",
        ["AES256", "KMS", "KMS_DSSE"],
        src.ecrEncryption,
      ),
    ],
  },

  "aws:ecs/cluster:Cluster": {
    rules: [
      pattern("~name", /^[A-Za-z0-9_-]{1,255}$/, "1 to 255 letters, digits, _ or -", src.cluster),
      oneOf("settings[].name", ["containerInsights"], src.clusterSetting),
      oneOf("settings[].value", ["enhanced", "enabled", "disabled"], src.clusterSetting),
    ],
  },
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": {
    rules: [
      range("defaultCapacityProviderStrategies[].weight", 0, 1000, src.strategy),
      range("defaultCapacityProviderStrategies[].base", 0, 100000, src.strategy),
      check(
        "only one provider of a strategy has a base",
        (i) =>
          ((i.defaultCapacityProviderStrategies as { base?: number }[]) ?? []).filter(
            (s) => (s.base ?? 0) > 0,
          ).length > 1
            ? [
                {
                  field: "defaultCapacityProviderStrategies[].base",
                  value: i.defaultCapacityProviderStrategies,
                },
              ]
            : [],
        src.strategy,
      ),
      check(
        "every provider of the default strategy is one of the cluster's",
        (i) =>
          valuesAtInputs(i, "defaultCapacityProviderStrategies[].capacityProvider").filter(
            ({ value }) => !((i.capacityProviders as string[]) ?? []).includes(value as string),
          ),
        "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PutClusterCapacityProviders.html",
      ),
    ],
  },
  "aws:ecs/service:Service": {
    rules: [
      pattern("~name", /^[A-Za-z0-9_-]{1,255}$/, "1 to 255 letters, digits, _ or -", src.service),
      conflicts(
        "capacityProviderStrategies",
        ["launchType"],
        src.serviceProvider + " (launch_type ConflictsWith capacity_provider_strategy)",
      ),
      range("capacityProviderStrategies[].weight", 0, 1000, src.strategy),
      range("capacityProviderStrategies[].base", 0, 100000, src.strategy),
      check(
        "only one provider of a strategy has a base",
        (i) =>
          ((i.capacityProviderStrategies as { base?: number }[]) ?? []).filter(
            (s) => (s.base ?? 0) > 0,
          ).length > 1
            ? [{ field: "capacityProviderStrategies[].base", value: i.capacityProviderStrategies }]
            : [],
        src.strategy,
      ),
      range("healthCheckGracePeriodSeconds", 0, 2147483647, src.service),
      oneOf("propagateTags", ["SERVICE", "TASK_DEFINITION", "NONE"], src.service),
      oneOf("availabilityZoneRebalancing", ["ENABLED", "DISABLED"], src.service),
      count("networkConfiguration.subnets", 16, "subnets", src.awsvpc),
      count("networkConfiguration.securityGroups", 5, "security groups", src.awsvpc),
      range("loadBalancers[].containerPort", 0, 65535, src.service),
    ],
  },
  "aws:ecs/taskDefinition:TaskDefinition": {
    rules: [
      pattern(
        "family",
        /^[A-Za-z0-9_-]{1,255}$/,
        "1 to 255 letters, digits, _ or -",
        src.taskDefinition,
      ),
      check(
        "a Fargate cpu/memory combination",
        (i) => {
          if (!((i.requiresCompatibilities as string[]) ?? []).includes("FARGATE")) return [];
          const cpu = Number(i.cpu);
          const memory = Number(i.memory);
          const steps = (from: number, to: number, step: number) =>
            Array.from({ length: (to - from) / step + 1 }, (_, n) => from + n * step);
          const allowed: Record<number, number[]> = {
            256: [512, 1024, 2048],
            512: steps(1024, 4096, 1024),
            1024: steps(2048, 8192, 1024),
            2048: steps(4096, 16384, 1024),
            4096: steps(8192, 30720, 1024),
            8192: steps(16384, 61440, 4096),
            16384: steps(32768, 122880, 8192),
          };
          return allowed[cpu]?.includes(memory)
            ? []
            : [{ field: "cpu/memory", value: `${i.cpu}/${i.memory}` }];
        },
        src.fargateSizes,
      ),
      check(
        "Fargate tasks use the awsvpc network mode",
        (i) =>
          ((i.requiresCompatibilities as string[]) ?? []).includes("FARGATE") &&
          i.networkMode !== "awsvpc"
            ? [{ field: "networkMode", value: i.networkMode }]
            : [],
        src.taskDefinition,
      ),
      oneOf("runtimePlatform.cpuArchitecture", ["X86_64", "ARM64"], src.runtimePlatform),
      isJson("containerDefinitions", src.taskDefinition),
      bytes("containerDefinitions", 65536, "a task definition of at most 64 KiB", src.ecsQuotas),
      pattern(
        "containerDefinitions{}[].name",
        /^[A-Za-z0-9_-]{1,255}$/,
        "1 to 255 letters, digits, _ or -",
        src.containerDefinition,
      ),
      range("containerDefinitions{}[].healthCheck.interval", 5, 300, src.containerHealthCheck),
      range("containerDefinitions{}[].healthCheck.timeout", 2, 60, src.containerHealthCheck),
      range("containerDefinitions{}[].healthCheck.retries", 1, 10, src.containerHealthCheck),
      range("containerDefinitions{}[].healthCheck.startPeriod", 0, 300, src.containerHealthCheck),
      range("containerDefinitions{}[].stopTimeout", 0, 120, src.containerDefinition),
      range(
        "containerDefinitions{}[].portMappings[].containerPort",
        0,
        65535,
        src.containerDefinition,
      ),
      oneOf(
        "containerDefinitions{}[].dependsOn[].condition",
        ["START", "COMPLETE", "SUCCESS", "HEALTHY"],
        src.containerDependency,
      ),
      check(
        "container names unique, at least one essential container, dependencies on containers of the task",
        (i) => {
          let containers: {
            name: string;
            essential?: boolean;
            dependsOn?: { containerName: string }[];
          }[];
          try {
            containers = JSON.parse(String(i.containerDefinitions)) as typeof containers;
          } catch {
            return [];
          }
          const names = containers.map((c) => c.name);
          const found: Found[] = [];
          if (new Set(names).size !== names.length)
            found.push({ field: "containerDefinitions[].name", value: names });
          if (!containers.some((c) => c.essential !== false))
            found.push({ field: "containerDefinitions[].essential", value: false });
          for (const c of containers)
            for (const d of c.dependsOn ?? [])
              if (!names.includes(d.containerName))
                found.push({
                  field: `containerDefinitions[${c.name}].dependsOn`,
                  value: d.containerName,
                });
          return found;
        },
        src.containerDefinition,
      ),
    ],
  },

  "aws:iam/role:Role": {
    rules: [
      pattern("~name", /^[\w+=,.@-]{1,64}$/, "1 to 64 of letters, digits and _+=,.@-", src.role),
      pattern(
        "description",
        // IAM's own pattern: tab, line feed, carriage return and printable Latin-1.
        // eslint-disable-next-line no-control-regex
        /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/,
        "tab, newline and printable Latin-1 characters only (no typographic quotes or emoji)",
        src.role,
      ),
      length("description", 0, 1000, src.role),
      isJson("assumeRolePolicy", src.role),
      each(
        "assumeRolePolicy",
        "a trust policy of at most 2,048 characters without white space",
        (v) => compactLength(v) <= 2048,
        src.iamQuotas,
      ),
      range("maxSessionDuration", 3600, 43200, src.role),
    ],
  },
  "aws:iam/rolePolicy:RolePolicy": {
    rules: [
      pattern(
        "~name",
        /^[\w+=,.@-]{1,128}$/,
        "1 to 128 of letters, digits and _+=,.@-",
        src.rolePolicy,
      ),
      isJson("policy", src.rolePolicy),
      check(
        "a role's inline policies together at most 10,240 characters without white space",
        (i, { resources }) => {
          const total = resources
            .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === i.role)
            .reduce((sum, r) => sum + compactLength(reveal(r.inputs.policy)), 0);
          return total <= 10240
            ? []
            : [{ field: "policy", value: `${total} characters for role ${String(i.role)}` }];
        },
        src.iamQuotas,
        "policy",
      ),
    ],
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
    rules: [
      pattern(
        "policyArn",
        /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/.+$/,
        "a managed policy's ARN",
        src.iamQuotas,
      ),
      check(
        "at most 10 managed policies attached to a role (the default quota)",
        (i, { resources }) => {
          const attached = resources.filter(
            (r) =>
              r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
              r.inputs.role === i.role,
          ).length;
          return attached <= 10
            ? []
            : [{ field: "role", value: `${attached} attachments to ${String(i.role)}` }];
        },
        src.iamQuotas,
        "role",
      ),
    ],
  },

  "aws:lambda/function:Function": {
    rules: [
      // The 140 characters of the API apply to a full ARN; a bare name has 64.
      pattern(
        "~name",
        /^[A-Za-z0-9_-]{1,64}$/,
        "1 to 64 letters, digits, _ or -",
        src.lambdaFunction,
      ),
      range("timeout", 1, 900, src.lambdaFunction),
      range("memorySize", 128, 10240, src.lambdaFunction),
      length("description", 0, 256, src.lambdaFunction),
      length("handler", 1, 128, src.lambdaFunction),
      length("loggingConfig.logGroup", 1, 512, src.lambdaFunction),
    ],
  },
  "aws:lambda/invocation:Invocation": {
    rules: [isJson("input", src.lambdaInvocation)],
  },
  "aws:kms/alias:Alias": {
    rules: [
      pattern(
        "name",
        /^alias\/[a-zA-Z0-9/_-]+$/,
        "alias/ then letters, digits, / _ -",
        src.aliasProvider,
      ),
      pattern(
        "name",
        /^(?!alias\/aws\/)/,
        "not under alias/aws/ (reserved for AWS managed keys)",
        src.alias,
      ),
      length("name", 1, 256, src.alias),
    ],
  },
  "aws:kms/key:Key": {
    rules: [
      length("description", 0, 8192, src.key),
      range("deletionWindowInDays", 7, 30, src.keyDeletion),
      isJson("policy", src.key),
      bytes("policy", 32768, "a key policy of at most 32 KB", src.kmsQuotas),
    ],
  },

  "aws:lb/listener:Listener": {
    rules: [
      range("port", 1, 65535, src.listener),
      oneOf(
        "protocol",
        ["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE", "QUIC", "TCP_QUIC"],
        src.listener,
      ),
      check(
        "an HTTPS listener has a certificate and a security policy",
        (i) =>
          i.protocol === "HTTPS" && (!i.certificateArn || !i.sslPolicy)
            ? [{ field: "certificateArn|sslPolicy", value: [i.certificateArn, i.sslPolicy] }]
            : [],
        src.listener,
      ),
      oneOf(
        "defaultActions[].type",
        ["forward", "redirect", "fixed-response", "authenticate-oidc", "authenticate-cognito"],
        src.listener,
      ),
      pattern(
        "defaultActions[].fixedResponse.statusCode",
        /^(2|4|5)\d\d$/,
        "a 2XX, 4XX or 5XX code",
        src.fixedResponse,
      ),
      length("defaultActions[].fixedResponse.messageBody", 0, 1024, src.fixedResponse),
      oneOf(
        "defaultActions[].fixedResponse.contentType",
        ["text/plain", "text/css", "text/html", "application/javascript", "application/json"],
        src.fixedResponse,
      ),
      oneOf("defaultActions[].redirect.statusCode", ["HTTP_301", "HTTP_302"], src.redirect),
    ],
  },
  "aws:lb/listenerRule:ListenerRule": {
    rules: [
      range("priority", 1, 50000, src.listenerRule),
      length("conditions[].httpHeader.httpHeaderName", 1, 40, src.httpHeaderCondition),
      length("conditions[].httpHeader.values[]", 1, 128, src.httpHeaderCondition),
      oneOf(
        "actions[].type",
        ["forward", "redirect", "fixed-response", "authenticate-oidc", "authenticate-cognito"],
        src.listenerRule,
      ),
    ],
  },
  "aws:lb/loadBalancer:LoadBalancer": {
    rules: [
      ...lbName(src.loadBalancer),
      pattern("~name", /^(?!internal-)/, "not starting with internal-", src.loadBalancer),
      oneOf("loadBalancerType", ["application", "network", "gateway"], src.loadBalancer),
      range("idleTimeout", 1, 4000, src.albAttributes),
      oneOf("desyncMitigationMode", ["monitor", "defensive", "strictest"], src.albAttributes),
      check(
        "an Application Load Balancer in subnets of at least two Availability Zones",
        (i) =>
          (i.loadBalancerType ?? "application") === "application" &&
          ((i.subnets as string[]) ?? []).length < 2
            ? [{ field: "subnets", value: i.subnets }]
            : [],
        src.loadBalancer,
      ),
    ],
  },
  "aws:lb/targetGroup:TargetGroup": {
    rules: [
      ...lbName(src.targetGroup),
      range("port", 1, 65535, src.targetGroup),
      oneOf(
        "protocol",
        ["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE"],
        src.targetGroup,
      ),
      oneOf("targetType", ["instance", "ip", "lambda", "alb"], src.targetGroup),
      range("deregistrationDelay", 0, 3600, src.targetGroupAttributes),
      range("healthCheck.interval", 5, 300, src.targetGroup),
      range("healthCheck.timeout", 2, 120, src.targetGroup),
      range("healthCheck.healthyThreshold", 2, 10, src.targetGroup),
      range("healthCheck.unhealthyThreshold", 2, 10, src.targetGroup),
      check(
        "health check timeout shorter than its interval",
        (i) => {
          const h = i.healthCheck as { timeout?: number; interval?: number } | undefined;
          return h?.timeout !== undefined && h.interval !== undefined && h.timeout >= h.interval
            ? [{ field: "healthCheck.timeout", value: `${h.timeout} >= ${h.interval}` }]
            : [];
        },
        src.targetGroup,
      ),
      pattern(
        "healthCheck.path",
        /^\/.{0,1023}$/,
        "a path of 1 to 1024 characters starting with /",
        src.targetGroup,
      ),
      pattern(
        "healthCheck.matcher",
        /^(2|3|4)\d\d((-|,)(2|3|4)\d\d)*$/,
        "HTTP codes from 200 to 499 (list or range)",
        src.targetGroup + " (Matcher)",
      ),
      each(
        "healthCheck.port",
        "traffic-port or a port from 1 to 65535",
        (v) => v === "traffic-port" || (Number(v) >= 1 && Number(v) <= 65535),
        src.targetGroup,
      ),
    ],
  },

  "aws:rds/instance:Instance": {
    rules: [
      ...rdsIdentifier(
        "identifier",
        63,
        src.rdsValidate + " (validIdentifier); " + src.rdsInstance,
      ),
      ...rdsIdentifier(
        "finalSnapshotIdentifier",
        255,
        src.rdsInstanceProvider + " (final_snapshot_identifier); " + src.rdsDelete,
        false,
      ),
      check(
        "skipFinalSnapshot false needs a finalSnapshotIdentifier",
        (i) =>
          i.skipFinalSnapshot === false && !i.finalSnapshotIdentifier
            ? [{ field: "finalSnapshotIdentifier", value: i.finalSnapshotIdentifier }]
            : [],
        src.rdsDelete,
      ),
      range("backupRetentionPeriod", 0, 35, src.rdsInstance),
      pattern(
        "backupWindow",
        new RegExp(`^${hhmm}-${hhmm}$`),
        "hh24:mi-hh24:mi (UTC)",
        src.rdsInstance + " (PreferredBackupWindow)",
      ),
      each(
        "backupWindow",
        "at least 30 minutes",
        (v) => {
          const m = new RegExp(`^(${hhmm})-(${hhmm})$`).exec(String(v));
          return !!m && span([minutesOf(m[1]), minutesOf(m[3])], 1440) >= 30;
        },
        src.rdsInstance + " (PreferredBackupWindow)",
      ),
      each(
        "maintenanceWindow",
        "ddd:hh24:mi-ddd:hh24:mi (UTC) of at least 30 minutes",
        (v) => {
          const w = weekWindow(String(v));
          return !!w && span(w, week) >= 30;
        },
        src.rdsInstance + " (PreferredMaintenanceWindow)",
      ),
      check(
        "the backup window does not overlap the maintenance window",
        (i) => {
          const b = new RegExp(`^(${hhmm})-(${hhmm})$`).exec(String(i.backupWindow ?? ""));
          const w = weekWindow(String(i.maintenanceWindow ?? ""));
          if (!b || !w) return [];
          const daily: [number, number] = [minutesOf(b[1]), minutesOf(b[3])];
          const clash = days.some((_, d) =>
            overlap([d * 1440 + daily[0], d * 1440 + daily[0] + span(daily, 1440)], w, week),
          );
          return clash
            ? [{ field: "backupWindow", value: `${i.backupWindow} / ${i.maintenanceWindow}` }]
            : [];
        },
        src.rdsInstance + " (PreferredBackupWindow)",
      ),
      oneOf("monitoringInterval", [0, 1, 5, 10, 15, 30, 60], src.rdsInstance),
      check(
        "monitoringRoleArn exactly when monitoringInterval is above 0",
        (i) =>
          Number(i.monitoringInterval ?? 0) > 0 === !!i.monitoringRoleArn
            ? []
            : [{ field: "monitoringRoleArn", value: [i.monitoringInterval, i.monitoringRoleArn] }],
        src.rdsInstance,
      ),
      each(
        "performanceInsightsRetentionPeriod",
        "7, 731, or a multiple of 31 up to 713 days",
        (v) =>
          Number(v) === 7 ||
          Number(v) === 731 ||
          (Number(v) % 31 === 0 && Number(v) >= 31 && Number(v) <= 713),
        src.rdsInstance,
      ),
      oneOf("storageType", ["standard", "gp2", "gp3", "io1", "io2"], src.rdsInstance),
      check(
        "gp3/gp2 PostgreSQL storage from 20 to 65,536 GiB",
        (i) =>
          i.engine === "postgres" &&
          ["gp2", "gp3"].includes(String(i.storageType)) &&
          !(Number(i.allocatedStorage) >= 20 && Number(i.allocatedStorage) <= 65536)
            ? [{ field: "allocatedStorage", value: i.allocatedStorage }]
            : [],
        src.rdsInstance,
      ),
      check(
        "maxAllocatedStorage above allocatedStorage",
        (i) =>
          i.maxAllocatedStorage !== undefined &&
          Number(i.maxAllocatedStorage) !== 0 &&
          Number(i.maxAllocatedStorage) <= Number(i.allocatedStorage)
            ? [
                {
                  field: "maxAllocatedStorage",
                  value: `${i.maxAllocatedStorage} <= ${i.allocatedStorage}`,
                },
              ]
            : [],
        src.rdsInstance,
      ),
      range("port", 1150, 65535, src.rdsInstance),
      pattern(
        "dbName",
        /^[A-Za-z][A-Za-z0-9_]{0,62}$/,
        "a letter, then up to 62 letters, digits or _",
        src.rdsInstance,
      ),
      pattern(
        "username",
        /^[A-Za-z][A-Za-z0-9_]{0,62}$/,
        "a letter, then up to 62 letters, digits or _",
        src.rdsInstance,
      ),
      each(
        "enabledCloudwatchLogsExports",
        "postgresql, upgrade or iam-db-auth-error for PostgreSQL",
        (v, { resource }) =>
          resource.inputs.engine !== "postgres" ||
          (Array.isArray(v) &&
            v.every((l) => ["postgresql", "upgrade", "iam-db-auth-error"].includes(l))),
        src.rdsInstance,
      ),
    ],
  },
  "aws:rds/parameterGroup:ParameterGroup": {
    rules: [
      pattern(
        "~name",
        /^[a-z][0-9a-z.-]*$/,
        "a lowercase letter first, then lowercase letters, digits, . and -",
        src.rdsValidate + " (validParamGroupName)",
      ),
      pattern(
        "~name",
        /^(?!.*--)(?!.*-$)/,
        "no two consecutive hyphens and no hyphen at the end",
        src.rdsValidate + " (validParamGroupName)",
      ),
      length("~name", 1, 255, src.rdsValidate + " (validParamGroupName)"),
      length("description", 1, 255, src.parameterGroup),
      oneOf("parameters[].applyMethod", ["immediate", "pending-reboot"], src.parameter),
    ],
  },
  "aws:rds/proxy:Proxy": {
    rules: [
      ...rdsIdentifier("name", 63, src.proxy + " (DBProxyName)", false),
      range("idleClientTimeout", 1, 28800, src.proxy),
      oneOf("engineFamily", ["MYSQL", "POSTGRESQL", "SQLSERVER"], src.proxy),
      oneOf("auths[].authScheme", ["SECRETS"], src.proxyAuth),
      oneOf("auths[].iamAuth", ["DISABLED", "REQUIRED", "ENABLED"], src.proxyAuth),
      oneOf(
        "auths[].clientPasswordAuthType",
        [
          "MYSQL_NATIVE_PASSWORD",
          "MYSQL_CACHING_SHA2_PASSWORD",
          "POSTGRES_SCRAM_SHA_256",
          "POSTGRES_MD5",
          "SQL_SERVER_AUTHENTICATION",
        ],
        src.proxyAuth,
      ),
      each(
        "vpcSubnetIds",
        "at least two subnets (in two Availability Zones)",
        (v) => Array.isArray(v) && v.length >= 2,
        src.proxy,
      ),
    ],
  },
  "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": {
    rules: [
      range("connectionPoolConfig.connectionBorrowTimeout", 0, 3600, src.connectionPool),
      range("connectionPoolConfig.maxConnectionsPercent", 1, 100, src.connectionPool),
      range("connectionPoolConfig.maxIdleConnectionsPercent", 0, 100, src.connectionPool),
      check(
        "maxIdleConnectionsPercent <= maxConnectionsPercent",
        (i) => {
          const c = i.connectionPoolConfig as Record<string, number> | undefined;
          return c &&
            c.maxIdleConnectionsPercent !== undefined &&
            c.maxIdleConnectionsPercent > (c.maxConnectionsPercent ?? 100)
            ? [
                {
                  field: "connectionPoolConfig.maxIdleConnectionsPercent",
                  value: c.maxIdleConnectionsPercent,
                },
              ]
            : [];
        },
        src.connectionPool,
      ),
    ],
  },
  "aws:rds/proxyTarget:ProxyTarget": {
    rules: [...rdsIdentifier("dbInstanceIdentifier", 63, src.rdsValidate + " (validIdentifier)")],
  },
  "aws:rds/subnetGroup:SubnetGroup": {
    rules: [
      pattern(
        "~name",
        /^[0-9a-z_ .-]{1,255}$/,
        "1 to 255 lowercase letters, digits, _ . - or spaces",
        src.rdsValidate + " (validSubnetGroupName)",
      ),
      pattern(
        "~name",
        /^(?!default$)/i,
        "not default",
        src.rdsValidate + " (validSubnetGroupName)",
      ),
      length("description", 1, 255, src.subnetGroup),
      each(
        "subnetIds",
        "at least two subnets (in two Availability Zones)",
        (v) => Array.isArray(v) && v.length >= 2,
        src.subnetGroup,
      ),
    ],
  },

  "aws:route53/healthCheck:HealthCheck": {
    rules: [
      oneOf("requestInterval", [10, 30], src.healthCheck),
      range("failureThreshold", 1, 10, src.healthCheck),
      length("resourcePath", 0, 255, src.healthCheck),
      length("fqdn", 1, 255, src.healthCheck),
      range("port", 1, 65535, src.healthCheck),
      oneOf(
        "type",
        [
          "HTTP",
          "HTTPS",
          "HTTP_STR_MATCH",
          "HTTPS_STR_MATCH",
          "TCP",
          "CALCULATED",
          "CLOUDWATCH_METRIC",
          "RECOVERY_CONTROL",
        ],
        src.healthCheck,
      ),
      check(
        "enableSni only for HTTPS checks",
        (i) =>
          i.enableSni === true && !String(i.type).startsWith("HTTPS")
            ? [{ field: "enableSni", value: i.type }]
            : [],
        src.healthCheck,
      ),
    ],
  },
  "aws:route53/record:Record": {
    rules: [
      length("name", 1, 255, src.recordSet),
      oneOf(
        "type",
        [
          "A",
          "AAAA",
          "CAA",
          "CNAME",
          "DS",
          "HTTPS",
          "MX",
          "NAPTR",
          "NS",
          "PTR",
          "SOA",
          "SPF",
          "SRV",
          "SSHFP",
          "SVCB",
          "TLSA",
          "TXT",
        ],
        src.recordSet,
      ),
      range("ttl", 0, 2147483647, src.recordSet),
      conflicts(
        "aliases",
        ["ttl", "records"],
        src.recordProvider + " (alias ConflictsWith records, ttl)",
      ),
      check(
        "a CNAME record has exactly one value",
        (i) =>
          i.type === "CNAME" && !i.aliases && ((i.records as string[]) ?? []).length !== 1
            ? [{ field: "records", value: i.records }]
            : [],
        src.recordSet,
      ),
    ],
  },

  "aws:s3/bucket:Bucket": {
    rules: [
      pattern(
        "~bucket",
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        "3 to 63 lowercase letters, digits, . and -, starting and ending with a letter or digit",
        src.bucketNaming,
      ),
      pattern(
        "~bucket",
        /^(?!.*\.\.)(?!xn--|sthree-|amzn-s3-demo-)(?!.*(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$)(?!(\d{1,3}\.){3}\d{1,3}$)/,
        "no .., not an IP address, no reserved prefix or suffix",
        src.bucketNaming,
      ),
    ],
  },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
    rules: [
      count("rules", 1000, "rules", src.lifecycleConfiguration),
      length("rules[].id", 1, 255, src.lifecycleRule),
      oneOf("rules[].status", ["Enabled", "Disabled"], src.lifecycleRule),
      range(
        "rules[].abortIncompleteMultipartUpload.daysAfterInitiation",
        1,
        2147483647,
        src.lifecycleRule,
      ),
      range("rules[].noncurrentVersionExpiration.noncurrentDays", 1, 2147483647, src.lifecycleRule),
      range("rules[].expiration.days", 1, 2147483647, src.lifecycleRule),
      range("rules[].transitions[].days", 0, 2147483647, src.lifecycleRule),
    ],
  },
  "aws:s3/bucketObjectv2:BucketObjectv2": {
    rules: [bytes("key", 1024, "a key of at most 1,024 bytes of UTF-8", src.objectKey)],
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
    rules: [
      oneOf(
        "rule.objectOwnership",
        ["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"],
        src.ownership,
      ),
    ],
  },
  "aws:s3/bucketPolicy:BucketPolicy": {
    rules: [
      isJson("policy", src.bucketPolicy),
      bytes("policy", 20480, "a bucket policy of at most 20 KB", src.bucketPolicy),
    ],
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
    none: "four booleans and the bucket's name, which the bucket's own rules check",
  },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    rules: [
      oneOf(
        "rules[].applyServerSideEncryptionByDefault.sseAlgorithm",
        ["AES256", "aws:kms", "aws:kms:dsse"],
        src.sse,
      ),
      check(
        "a KMS key only with aws:kms or aws:kms:dsse",
        (i) =>
          valuesAtInputs(i, "rules[].applyServerSideEncryptionByDefault").filter(({ value }) => {
            const v = value as { sseAlgorithm?: string; kmsMasterKeyId?: string };
            return !!v.kmsMasterKeyId && v.sseAlgorithm === "AES256";
          }),
        src.sse,
      ),
    ],
  },
  "aws:s3/bucketVersioning:BucketVersioning": {
    rules: [
      oneOf("versioningConfiguration.status", ["Enabled", "Suspended", "Disabled"], src.versioning),
    ],
  },

  "aws:sns/topic:Topic": {
    rules: [
      pattern("~name", /^[A-Za-z0-9_-]{1,256}$/, "1 to 256 letters, digits, _ or -", src.topic),
      length("displayName", 0, 100, src.topic + " (DisplayName)"),
    ],
  },
  "aws:sns/topicPolicy:TopicPolicy": {
    rules: [
      isJson("policy", "https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html"),
    ],
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    rules: [
      oneOf(
        "protocol",
        ["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"],
        src.subscribe,
      ),
      each(
        "endpoint",
        "an e-mail address for the email protocols",
        (v, { resource }) =>
          !String(resource.inputs.protocol).startsWith("email") ||
          /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(v)),
        src.subscribe,
      ),
    ],
  },

  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
    rules: [
      ...ruleDescriptionRules("description"),
      ...portRules(),
      exactlyOne(
        ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"],
        src.ingressRuleProvider + " (ExactlyOneOf)",
      ),
    ],
  },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
    rules: [
      ...ruleDescriptionRules("description"),
      ...portRules(),
      exactlyOne(
        ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"],
        provider("ec2/vpc_security_group_egress_rule.go") + " (ExactlyOneOf)",
      ),
    ],
  },

  "aws:wafv2/webAcl:WebAcl": {
    rules: [
      pattern("~name", /^[\w-]{1,128}$/, "1 to 128 letters, digits, _ or -", src.webAcl),
      pattern(
        "description",
        /^[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]$/,
        "letters, digits, spaces and +=:#@/-,. (no apostrophe, parenthesis or semicolon), not starting or ending with a space",
        src.webAcl,
      ),
      length("description", 1, 256, src.webAcl),
      oneOf("scope", ["CLOUDFRONT", "REGIONAL"], src.webAcl),
      pattern(
        "visibilityConfig.metricName",
        /^[\w#:.\-/]{1,255}$/,
        "1 to 255 of letters, digits and _#:.-/",
        src.visibility,
      ),
      pattern(
        "rules[].visibilityConfig.metricName",
        /^[\w#:.\-/]{1,255}$/,
        "1 to 255 of letters, digits and _#:.-/",
        src.visibility,
      ),
      pattern("rules[].name", /^[\w-]{1,128}$/, "1 to 128 letters, digits, _ or -", src.wafRule),
      check(
        "rule names and priorities unique within the web ACL",
        (i) => {
          const rules = (i.rules as { name: string; priority: number }[]) ?? [];
          const unique = (xs: unknown[]) => new Set(xs).size === xs.length;
          return unique(rules.map((r) => r.name)) && unique(rules.map((r) => r.priority))
            ? []
            : [{ field: "rules[]", value: rules.map((r) => `${r.priority}:${r.name}`) }];
        },
        src.wafRule,
      ),
      range("rules[].priority", 0, 2147483647, src.wafRule),
      range("rules[].statement.rateBasedStatement.limit", 10, 2000000000, src.rateBased),
      oneOf(
        "rules[].statement.rateBasedStatement.evaluationWindowSec",
        [60, 120, 300, 600],
        src.rateBased,
      ),
      oneOf(
        "rules[].statement.rateBasedStatement.aggregateKeyType",
        ["IP", "FORWARDED_IP", "CUSTOM_KEYS", "CONSTANT"],
        src.rateBased,
      ),
    ],
  },
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": {
    rules: [
      count("logDestinationConfigs", 1, "destination", src.wafLoggingApi),
      pattern(
        "logDestinationConfigs[]",
        /^arn:aws[a-z-]*:(logs:[a-z0-9-]+:\d{12}:log-group:aws-waf-logs-|s3:::aws-waf-logs-|firehose:[a-z0-9-]+:\d{12}:deliverystream\/aws-waf-logs-)/,
        "a log group, bucket or stream whose name starts with aws-waf-logs-",
        src.wafLogging,
      ),
      count("redactedFields", 100, "redacted fields", src.wafLoggingApi),
    ],
  },
};

/** Load balancer and target group names: 1-32 alphanumerics or hyphens, no hyphen at either end. */
function lbName(source: string): Rule[] {
  return [
    pattern(
      "~name",
      /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/,
      "1 to 32 alphanumerics or hyphens, not starting or ending with a hyphen",
      source,
    ),
    // Pulumi's auto-name (logical name, a hyphen, 7 characters) must fit the 32 too; the mocks cut
    // the name they record to 32, which would hide a logical name that is too long.
    check(
      "an auto-named load balancer or target group's logical name at most 24 characters (24 + 8 = 32)",
      (i, { resource }) =>
        i.name === undefined &&
        i.namePrefix === undefined &&
        resource.name.length + autoNameSuffix.length > 32
          ? [{ field: "name (auto-named)", value: resource.name }]
          : [],
      source,
      "~name",
    ),
  ];
}

/** `valuesAt` on a bare inputs object, for rules that compare several fields. */
function valuesAtInputs(inputs: Record<string, unknown>, path: string): Found[] {
  return valuesAt({ inputs, outputs: {}, name: "" } as unknown as RegisteredResource, path);
}

// ---- tags -------------------------------------------------------------------------------------

/** The provider's default tags, which AWS receives merged with the resource's own. */
function defaultTags(
  resource: RegisteredResource,
  resources: RegisteredResource[],
): Record<string, string> {
  const providerResource = resources.find((r) => `${r.urn}::${r.id}` === resource.provider);
  const raw = reveal(providerResource?.inputs.defaultTags);
  if (raw === undefined) return {};
  const parsed = (typeof raw === "string" ? JSON.parse(raw) : raw) as {
    tags?: Record<string, string>;
  };
  return parsed.tags ?? {};
}

/** The tags AWS receives: the provider's default tags overridden by the resource's own. */
export function effectiveTags(ctx: Context): Record<string, string> | undefined {
  const own = reveal(ctx.resource.inputs.tags);
  if (
    !ctx.resource.type.startsWith("aws:") ||
    typeof own !== "object" ||
    own === null ||
    Array.isArray(own)
  )
    return undefined;
  return { ...defaultTags(ctx.resource, ctx.resources), ...(own as Record<string, string>) };
}

const tagCharacters = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** AWS's tag limits, checked for every AWS resource that has `tags`. */
export const tagRules: Rule[] = [
  check(
    "at most 50 tags, default tags included",
    (_i, ctx) => {
      const tags = effectiveTags(ctx);
      return tags && Object.keys(tags).length > 50
        ? [{ field: "tags", value: Object.keys(tags).length }]
        : [];
    },
    src.tags,
    "tags",
    ["tags"],
  ),
  check(
    "tag keys 1 to 128 characters, not starting with aws:; values at most 256",
    (_i, ctx) =>
      Object.entries(effectiveTags(ctx) ?? {})
        .filter(
          ([k, v]) => k.length < 1 || k.length > 128 || /^aws:/i.test(k) || String(v).length > 256,
        )
        .map(([k, v]) => ({ field: `tags.${k}`, value: v })),
    src.tags,
    "tags",
    ["tags"],
  ),
  check(
    "tag keys and values of letters, digits, spaces and _ . : / = + - @",
    (_i, ctx) =>
      Object.entries(effectiveTags(ctx) ?? {})
        .filter(([k, v]) => !tagCharacters.test(k) || !tagCharacters.test(String(v)))
        .map(([k, v]) => ({ field: `tags.${k}`, value: v })),
    src.tags,
    "tags",
    ["tags"],
  ),
];

// ---- checking ---------------------------------------------------------------------------------

/** Thrown for a resource type the table does not know: every new type is reviewed. */
export class UnreviewedType extends Error {
  constructor(readonly type: string) {
    super(
      `${type} has no entry in scripts/offline/field-rules.ts: add its documented constraints, ` +
        `or { none: "<why there is nothing to check>" }`,
    );
  }
}

/** The input a rule path starts at: `~name` and `rules[].lifecycle` read `name` and `rules`. */
const inputOf = (path: string) => path.replace(/^~/, "").split(/[.[{]/)[0];

/** Whether the inputs a rule reads are all known: a preview leaves some to the deployment. */
function judgeable(rule: Rule, inputs: Record<string, unknown>): boolean {
  const reads = rule.reads ?? Object.keys(inputs);
  return !reads.some((path) => containsUnknown(inputs[inputOf(path)]));
}

/** Every rule of the table `resource` breaks; a rule reading an unknown value is not judged. */
export function checkResource(
  resource: RegisteredResource,
  resources: RegisteredResource[],
  table: Record<string, TypeRules> = fieldRules,
): Violation[] {
  const entry = table[resource.type];
  if (!entry) throw new UnreviewedType(resource.type);
  const ctx: Context = { resource, resources };
  const rules = ("rules" in entry ? entry.rules : []).concat(tagRules);
  return rules
    .filter((rule) => judgeable(rule, resource.inputs))
    .flatMap((rule) => rule.test(ctx).map((found) => ({ ...found, rule })));
}

/** `value` as one line of at most `max` characters. */
export function truncate(value: unknown, max = 120): string {
  const text =
    typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The rule's words and source. */
const reasonOf = (v: Violation) => `must be ${v.rule.text} (${v.rule.source})`;

export function formatViolation(stack: string, resource: RegisteredResource, v: Violation): string {
  return `${stack}: ${resource.type} "${resource.name}": ${v.field} = ${truncate(v.value)}: ${reasonOf(v)}`;
}

/** A provider's CheckFailure (proto/pulumi/provider.proto): the property and why it is refused. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/**
 * What a provider's Check refuses in one resource's inputs, by the table: the offline provider's
 * stand-in for the real provider's validation. `providerInputs` are the provider's configuration
 * (its `defaultTags` count towards the tag limits). A type the table does not know passes: the
 * real provider has a schema for it, the table only what was reviewed (and the field rules test
 * fails for any type the stacks create without an entry).
 */
export function checkFailures(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  providerInputs: Record<string, unknown> = {},
): CheckFailure[] {
  if (!(type in fieldRules)) return [];
  const providerRef = "provider";
  // What a Check request says of a resource; the rules read no options or dependencies.
  const base = {
    custom: true,
    outputs: {},
    dependencies: [],
    propertyDependencies: {},
    options: {} as RegisteredResource["options"],
  };
  const provider: RegisteredResource = {
    ...base,
    urn: providerRef,
    id: "",
    type: "pulumi:providers:aws",
    name: "provider",
    inputs: providerInputs,
  };
  const resource: RegisteredResource = {
    ...base,
    urn: name,
    type,
    name,
    inputs,
    provider: `${providerRef}::`,
  };
  // The engine prints "property <property> value {<value>} has a problem: <reason>".
  return checkResource(resource, [resource, provider]).map((v) => ({
    property: v.field,
    reason: reasonOf(v),
  }));
}
