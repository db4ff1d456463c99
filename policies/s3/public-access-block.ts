import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { advise } from "../lib/report";
import { companions, isBucket } from "../lib/s3";
import { prop } from "../lib/stack";

const settings = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
];

/**
 * Safe condition: no setting of a bucket's public access block (or of the account's, an
 * aws.s3.AccountPublicAccessBlock) is turned off. S3 has created every new bucket with all four
 * settings on since April 2023, so a bucket with no block of its own is as blocked as one with
 * all four: declaring it is only advised (it keeps the choice reviewable); a block that turns a
 * setting off is the defect.
 */
export const publicAccessBlock: StackValidationPolicy = {
  name: "s3-public-access-block",
  description:
    "FSBP S3.8 (bucket level of S3.1), 'S3 private': no bucket's (or the account's) public access block turns a setting off; a bucket without a block of its own keeps S3's default (all four on since April 2023), for which declaring it is advisory.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const account = args.resources.filter((r) => r.isType(aws.s3.AccountPublicAccessBlock));
    for (const block of account) {
      const off = settings.filter((s) => prop(block, s) === false);
      if (off.length > 0) {
        report(
          `the account's public access block turns ${off.join(", ")} off, for every bucket: ` +
            "set all four to true.",
          block.urn,
        );
      }
    }
    for (const bucket of args.resources.filter(isBucket)) {
      const blocks = companions(bucket, args.resources, [aws.s3.BucketPublicAccessBlock]);
      if (blocks.length === 0) {
        advise(
          report,
          `bucket ${bucket.name} declares no public access block: S3 blocks new buckets by ` +
            "default, but an aws.s3.BucketPublicAccessBlock with all four settings true keeps " +
            "that reviewable.",
          bucket.urn,
        );
        continue;
      }
      // An unset setting of a declared block is false: the block replaces S3's default.
      const off = settings.filter((s) => !blocks.some((b) => prop(b, s) === true));
      if (off.length > 0) {
        report(
          `bucket ${bucket.name} is not fully blocked from public access (${off.join(", ")} ` +
            "not true): set all four settings of its aws.s3.BucketPublicAccessBlock to true.",
          bucket.urn,
        );
      }
    }
  },
};
