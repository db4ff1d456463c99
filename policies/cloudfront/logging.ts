import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { prop, refersTo } from "../lib/stack";

/** Distributions write access logs: standard logging to S3, or a v2 log delivery source. */
export const logging: StackValidationPolicy = {
  name: "cloudfront-logging",
  description:
    "FSBP CloudFront.5, logging 'centralized log collection': distributions write access logs (loggingConfig.bucket, or an aws.cloudwatch.LogDeliverySource of ACCESS_LOGS for the distribution).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const sources = args.resources.filter(
      (r) => r.isType(aws.cloudwatch.LogDeliverySource) && prop(r, "logType") === "ACCESS_LOGS",
    );
    for (const d of args.resources.filter((r) => r.isType(aws.cloudfront.Distribution))) {
      if (prop<{ bucket?: string }>(d, "loggingConfig")?.bucket) continue;
      if (sources.some((s) => refersTo(s, "resourceArn", d))) continue;
      report(
        `distribution ${d.name} writes no access logs: set loggingConfig.bucket to a log ` +
          "bucket's domain name (with a lifecycle expiry), or add an " +
          "aws.cloudwatch.LogDeliverySource (logType ACCESS_LOGS) with a LogDelivery.",
        d.urn,
      );
    }
  },
};
