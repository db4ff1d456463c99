import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { companions, isBucket } from "../lib/s3";
import { prop } from "../lib/stack";

/**
 * Safe condition: every bucket's objects are encrypted at rest, which S3 does by itself with
 * SSE-S3 since January 2023 (so AWS retired S3.4). What this asks, declaring the encryption
 * (aws.s3.BucketServerSideEncryptionConfiguration), keeps the choice reviewable and stops a later
 * change from lowering it unnoticed; it is not a defect, so the policy is advisory.
 */
export const encryption: StackValidationPolicy = {
  name: "s3-encryption",
  description:
    "FSBP S3.4 (retired by AWS: S3 encrypts new objects by default since January 2023), 'S3 encrypted': every bucket declares its default encryption (aws.s3.BucketServerSideEncryptionConfiguration); advisory, since the default already encrypts.",
  enforcementLevel: "advisory",
  validateStack: (args, report) => {
    for (const bucket of args.resources.filter(isBucket)) {
      const inline = prop(bucket, "serverSideEncryptionConfiguration");
      const separate = companions(bucket, args.resources, [
        aws.s3.BucketServerSideEncryptionConfiguration,
        aws.s3.BucketServerSideEncryptionConfigurationV2,
      ]);
      if (!inline && separate.length === 0) {
        report(
          `bucket ${bucket.name} declares no default encryption: add an ` +
            "aws.s3.BucketServerSideEncryptionConfiguration (sseAlgorithm aws:kms, or AES256 " +
            "where the writer needs it, e.g. load balancer logs).",
          bucket.urn,
        );
      }
    }
  },
};
