import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { companions, isBucket } from "../lib/s3";
import { prop } from "../lib/stack";

const settings = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
];

/** Every bucket has a public access block with all four settings on. */
export const publicAccessBlock: StackValidationPolicy = {
  name: "s3-public-access-block",
  description:
    "FSBP S3.8 (bucket level of S3.1), issue 'S3 private': every bucket has an aws.s3.BucketPublicAccessBlock with all four settings true.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const bucket of args.resources.filter(isBucket)) {
      const blocks = companions(bucket, args.resources, [aws.s3.BucketPublicAccessBlock]);
      const off = settings.filter((s) => !blocks.some((b) => prop(b, s) === true));
      if (off.length > 0) {
        report(
          `bucket ${bucket.name} is not fully blocked from public access (${off.join(", ")} ` +
            "not true): add an aws.s3.BucketPublicAccessBlock for it with all four settings true.",
          bucket.urn,
        );
      }
    }
  },
};
