import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { isS3Origin, type Origin } from "../lib/cloudfront";

/** S3 origins are private buckets read through an Origin Access Control. */
export const s3OriginAccessControl: ResourceValidationPolicy = {
  name: "cloudfront-s3-origin-access-control",
  description:
    "FSBP CloudFront.13 (and the legacy OAI/website-endpoint patterns it replaces): S3 origins set originAccessControlId; no origin access identity, no public S3 website endpoint.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.cloudfront.Distribution, (d, _args, report) => {
    for (const origin of (d.origins ?? []) as Origin[]) {
      if (origin.customOriginConfig && /\.s3-website[.-]/.test(origin.domainName ?? "")) {
        report(
          `origin ${origin.originId} is an S3 website endpoint, which needs a public bucket: ` +
            "use the bucket's regional domain name with an aws.cloudfront.OriginAccessControl.",
        );
      }
      if (!isS3Origin(origin)) continue;
      if (!origin.originAccessControlId) {
        report(
          `S3 origin ${origin.originId} has no originAccessControlId: create an ` +
            "aws.cloudfront.OriginAccessControl (signingBehavior always, sigv4) and set it, " +
            "and let the bucket policy allow only this distribution.",
        );
      } else if (origin.s3OriginConfig?.originAccessIdentity) {
        report(
          `S3 origin ${origin.originId} still sets an origin access identity: remove ` +
            "s3OriginConfig.originAccessIdentity (the Origin Access Control replaces it).",
        );
      }
    }
  }),
};
