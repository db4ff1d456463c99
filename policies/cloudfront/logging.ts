import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { notChecked } from "../lib/report";
import { prop, refersTo, regionOf, unknown } from "../lib/stack";

/**
 * A bucket's domain name, as standard logging (legacy) takes it ("for example,
 * amzn-s3-demo-bucket.s3.amazonaws.com"); a bare bucket name or an ARN names no bucket.
 */
const bucketDomain = /^[a-z0-9][a-z0-9.-]*\.s3(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;

/** Object Ownership settings that keep ACLs on, which legacy log delivery writes with. */
const aclsEnabled = ["BucketOwnerPreferred", "ObjectWriter"];

/**
 * Safe condition: every distribution writes access logs, one of two ways.
 *
 * - Standard logging (legacy): loggingConfig.bucket is a bucket's domain name
 *   (`<bucket>.s3.amazonaws.com`), and when that bucket is the stack's, its
 *   aws.s3.BucketOwnershipControls keep ACLs on (BucketOwnerPreferred or ObjectWriter): "Your
 *   bucket must have access control list (ACL) enabled … Don't choose an Amazon S3 bucket with
 *   S3 Object Ownership set to bucket owner enforced", and a bucket without the setting is
 *   created bucket-owner-enforced
 *   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html).
 *   A bucket from outside the stack: "not checked".
 * - Standard logging (v2): an aws.cloudwatch.LogDeliverySource of logType ACCESS_LOGS for the
 *   distribution, which an aws.cloudwatch.LogDelivery sends somewhere (a source alone delivers
 *   nothing), both in us-east-1: "When calling the CloudWatch API to enable standard logging,
 *   you must specify the US East (N. Virginia) Region (us-east-1)"
 *   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html#enable-access-logging-api);
 *   elsewhere PutDeliverySource fails ("not supported for this LogType in region ...").
 */
export const logging: StackValidationPolicy = {
  name: "cloudfront-logging",
  description:
    "FSBP CloudFront.5, logging 'centralized log collection': distributions write access logs (loggingConfig.bucket a bucket's domain name with ACLs enabled, or an aws.cloudwatch.LogDeliverySource of ACCESS_LOGS in us-east-1 with a LogDelivery).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const sources = args.resources.filter(
      (r) => r.isType(aws.cloudwatch.LogDeliverySource) && prop(r, "logType") === "ACCESS_LOGS",
    );
    const deliveries = args.resources.filter((r) => r.isType(aws.cloudwatch.LogDelivery));
    const buckets = args.resources.filter((r) => r.isType(aws.s3.Bucket));
    const ownership = args.resources.filter((r) => r.isType(aws.s3.BucketOwnershipControls));

    /** Why a legacy log bucket receives nothing, or undefined when it does (or is not known). */
    const legacyProblem = (d: PolicyResource, target: string): string | undefined => {
      if (target !== unknown && !bucketDomain.test(target)) {
        return (
          `loggingConfig.bucket "${target}" is not a bucket's domain name: set it to the ` +
          "bucket's bucketDomainName (<bucket>.s3.amazonaws.com)."
        );
      }
      const bucket = buckets.find((b) => refersTo(d, "loggingConfig", b));
      if (!bucket) {
        notChecked(
          report,
          `distribution ${d.name} logs to a bucket this stack does not declare, so whether ` +
            "its ACLs are enabled cannot be read",
          d.urn,
        );
        return undefined;
      }
      const controls = ownership.find((o) => refersTo(o, "bucket", bucket));
      const rule = controls && prop<{ objectOwnership?: string }>(controls, "rule");
      const setting = rule?.objectOwnership ?? "BucketOwnerEnforced";
      if (setting === unknown || aclsEnabled.includes(setting)) return undefined;
      return (
        `its log bucket ${bucket.name} has Object Ownership ${setting}, which turns ACLs off, so ` +
        "CloudFront cannot write the logs: add an aws.s3.BucketOwnershipControls with " +
        'objectOwnership "BucketOwnerPreferred", or deliver through standard logging v2.'
      );
    };

    for (const d of args.resources.filter((r) => r.isType(aws.cloudfront.Distribution))) {
      const target = prop<{ bucket?: string }>(d, "loggingConfig")?.bucket;
      if (target) {
        const problem = legacyProblem(d, target);
        if (problem) report(`distribution ${d.name}: ${problem}`, d.urn);
        continue;
      }
      const own = sources.filter((s) => refersTo(s, "resourceArn", d));
      const deliveriesOf = (s: PolicyResource) =>
        deliveries.filter((l) => refersTo(l, "deliverySourceName", s));
      const delivered = own.filter((s) => deliveriesOf(s).length > 0);
      const region = delivered
        .flatMap((s) => [s, ...deliveriesOf(s)])
        .map(regionOf)
        .find((r) => r !== undefined && r !== "us-east-1");
      if (delivered.length > 0 && region === undefined) continue;
      report(
        own.length === 0
          ? `distribution ${d.name} writes no access logs: set loggingConfig.bucket to a log ` +
              "bucket's domain name (with a lifecycle expiry), or add an " +
              "aws.cloudwatch.LogDeliverySource (logType ACCESS_LOGS) with a LogDelivery."
          : delivered.length === 0
            ? `distribution ${d.name}'s access log source has no aws.cloudwatch.LogDelivery, so ` +
              "nothing is delivered: add one from the source to a LogDeliveryDestination."
            : `distribution ${d.name}'s access log delivery is in ${region}: CloudFront's ` +
              "delivery sources and deliveries are created in us-east-1 (give them a us-east-1 " +
              "provider).",
        d.urn,
      );
    }
  },
};
