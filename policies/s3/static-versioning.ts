import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { isBucket, isVersioned } from "../lib/s3";
import { refersTo } from "../lib/stack";

/**
 * A bucket CloudFront serves from keeps object versions, so an overwritten or deleted asset can
 * be restored (and a rollback can serve the previous release's files).
 */
export const staticVersioning: StackValidationPolicy = {
  name: "s3-static-versioning",
  description:
    "static bucket 'versioning', backup & recovery: buckets that are CloudFront origins have versioning enabled (aws.s3.BucketVersioning status Enabled).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const distributions = args.resources.filter((r) => r.isType(aws.cloudfront.Distribution));
    for (const bucket of args.resources.filter(isBucket)) {
      if (!distributions.some((d) => refersTo(d, "origins", bucket))) continue;
      if (!isVersioned(bucket, args.resources)) {
        report(
          `bucket ${bucket.name} serves CloudFront without versioning: add an ` +
            'aws.s3.BucketVersioning with versioningConfiguration { status: "Enabled" } (and a ' +
            "lifecycle rule expiring noncurrent versions).",
          bucket.urn,
        );
      }
    }
  },
};
