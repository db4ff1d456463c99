import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { companions, isBucket, isVersioned } from "../lib/s3";
import { loadBalancers } from "../lib/elb";
import { ofType, prop, refersTo, unknown, type ResourceClass } from "../lib/stack";

/** The key prefix under which a writer's logs land, or undefined when it cannot be read. */
type KeyPrefix = (writer: PolicyResource) => string | undefined;

/** Where a folder (an optional prefix) puts AWS's `AWSLogs/` tree. */
const underFolder = (folder: unknown) =>
  typeof folder === "string" && folder !== unknown
    ? folder === ""
      ? "AWSLogs/"
      : `${folder.replace(/\/+$/, "")}/AWSLogs/`
    : folder === undefined
      ? "AWSLogs/"
      : undefined;

/**
 * The properties through which a resource writes its logs to a bucket, and the keys it writes
 * under: a load balancer at `[prefix/]AWSLogs/…` ("Access log files", ELB User Guide), CloudFront
 * standard logging at `[prefix]<distribution ID>.…` ("Standard logging (legacy)"), a flow log at
 * `[folder/]AWSLogs/…` of its logDestination ARN, WAF at `AWSLogs/…`. Logs delivered through
 * CloudWatch Logs delivery have a key template this policy does not read.
 */
const logWriters: { classes: ResourceClass[]; key: string; keyPrefix: KeyPrefix }[] = [
  {
    classes: loadBalancers,
    key: "accessLogs",
    keyPrefix: (w) => underFolder(prop<{ prefix?: string }>(w, "accessLogs")?.prefix),
  },
  {
    classes: [aws.cloudfront.Distribution],
    key: "loggingConfig",
    keyPrefix: (w) => {
      const prefix = prop<{ prefix?: string }>(w, "loggingConfig")?.prefix ?? "";
      return prefix === unknown ? undefined : prefix;
    },
  },
  {
    classes: [aws.ec2.FlowLog],
    key: "logDestination",
    keyPrefix: (w) => {
      const arn = prop<string>(w, "logDestination");
      if (typeof arn !== "string" || arn === unknown) return undefined;
      const folder = /^arn:[\w-]+:s3:::[^/]+\/(.+)$/.exec(arn)?.[1];
      return underFolder(folder ?? "");
    },
  },
  {
    classes: [aws.cloudwatch.LogDeliveryDestination],
    key: "deliveryDestinationConfiguration",
    keyPrefix: () => undefined,
  },
  {
    classes: [aws.wafv2.WebAclLoggingConfiguration],
    key: "logDestinationConfigs",
    keyPrefix: () => "AWSLogs/",
  },
];

interface Filter {
  prefix?: string;
  tag?: unknown;
  tags?: Record<string, unknown>;
  objectSizeGreaterThan?: number;
  objectSizeLessThan?: number;
  and?: Filter;
}

interface LifecycleRule {
  id?: string;
  status?: string;
  prefix?: string;
  filter?: Filter;
  expiration?: { days?: number };
  noncurrentVersionExpiration?: { noncurrentDays?: number };
}

/**
 * Why a rule's filter leaves some of the logs out, or undefined when it matches every one. Log
 * objects are written without tags, under the writers' key prefixes, at any size, and S3 applies
 * a rule only to the objects its filter matches, every condition of an `and` at once ("Lifecycle
 * configuration elements", S3 User Guide).
 */
function leftOut(rule: LifecycleRule, prefixes: (string | undefined)[]): string | undefined {
  const f = rule.filter ?? {};
  const and = f.and ?? {};
  if (f.tag !== undefined || Object.keys(and.tags ?? {}).length > 0) {
    return "filters on a tag, which log objects never carry";
  }
  const sizes = [f.objectSizeGreaterThan, f.objectSizeLessThan, and.objectSizeGreaterThan];
  if (sizes.concat(and.objectSizeLessThan).some((s) => s !== undefined && s !== 0)) {
    return "filters on object size, so log files of other sizes stay";
  }
  const prefix = f.prefix ?? and.prefix ?? rule.prefix ?? "";
  if (prefix === "" || prefix === unknown) return undefined;
  const missed = prefixes.filter((p) => p !== undefined && !p.startsWith(prefix));
  if (missed.length > 0) {
    return `filters on prefix "${prefix}", which does not cover the logs written under "${missed[0]}"`;
  }
  return undefined;
}

/**
 * Safe condition: a bucket that receives load balancer, CloudFront, WAF or flow logs has an
 * enabled lifecycle rule with expiration.days above 0 whose filter matches every log object (no
 * tag, no size bound, a prefix that every writer's key prefix starts with). When the bucket is
 * versioned, expiring only turns the logs into noncurrent versions, kept and billed ("In a
 * versioning-enabled bucket … Amazon S3 adds a delete marker", "Expiring objects", S3 User
 * Guide), so such a rule also needs noncurrentVersionExpiration.noncurrentDays above 0.
 */
export const logLifecycle: StackValidationPolicy = {
  name: "s3-log-lifecycle",
  description:
    "Logging 'log retention policy defined': buckets receiving load balancer, CloudFront, WAF or flow logs have an enabled lifecycle rule that expires every log object (no tag or size filter, a prefix covering the logs; noncurrent versions too in a versioned bucket).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const bucket of args.resources.filter(isBucket)) {
      const writers = logWriters.flatMap((w) =>
        ofType(args.resources, ...w.classes)
          .filter((r) => refersTo(r, w.key, bucket))
          .map((r) => w.keyPrefix(r)),
      );
      if (writers.length === 0) continue;
      const rules = companions(bucket, args.resources, [
        aws.s3.BucketLifecycleConfiguration,
        aws.s3.BucketLifecycleConfigurationV2,
      ]).flatMap((c) => prop<LifecycleRule[]>(c, "rules") ?? []);
      const expiring = rules.filter((r) => r.status === "Enabled" && (r.expiration?.days ?? 0) > 0);
      if (expiring.length === 0) {
        report(
          `log bucket ${bucket.name} keeps logs forever: add an ` +
            'aws.s3.BucketLifecycleConfiguration with a rule { status: "Enabled", filter: {}, ' +
            "expiration: { days: <retention> } }.",
          bucket.urn,
        );
        continue;
      }
      const covering = expiring.filter((r) => leftOut(r, writers) === undefined);
      if (covering.length === 0) {
        report(
          `log bucket ${bucket.name} keeps some logs forever: its expiring lifecycle rule ` +
            `${expiring[0].id ?? ""} ${leftOut(expiring[0], writers)}: set the rule's filter ` +
            "to {} (or a prefix the logs are written under).",
          bucket.urn,
        );
        continue;
      }
      if (
        isVersioned(bucket, args.resources) &&
        !covering.some((r) => (r.noncurrentVersionExpiration?.noncurrentDays ?? 0) > 0)
      ) {
        report(
          `log bucket ${bucket.name} is versioned, so expiring a log only makes it a noncurrent ` +
            "version, kept forever: add noncurrentVersionExpiration { noncurrentDays: <days> } " +
            "to the expiring rule (or leave the log bucket unversioned).",
          bucket.urn,
        );
      }
    }
  },
};
