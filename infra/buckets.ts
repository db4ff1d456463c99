import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface PrivateBucketArgs {
  /** Delete the bucket with its objects on destroy (else only once empty). */
  forceDestroy: boolean;
  /** Lifecycle rules: every bucket here expires something (logs, or replaced versions). */
  lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[];
}

/**
 * An S3 bucket no one outside the account can read: public access blocked, ACLs disabled (the
 * bucket owner owns every object), SSE-S3 encryption (the one that ELB and CloudFront log
 * delivery and CloudFront's Origin Access Control all accept without a key policy), and the given
 * lifecycle. Its sibling resources share its name. The caller adds the bucket policy, which must
 * include `tlsOnly`.
 */
export function privateBucket(
  name: string,
  args: PrivateBucketArgs,
  opts: pulumi.CustomResourceOptions,
): aws.s3.Bucket {
  const bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy }, opts);
  new aws.s3.BucketOwnershipControls(
    name,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  new aws.s3.BucketPublicAccessBlock(
    name,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    name,
    {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    },
    opts,
  );
  new aws.s3.BucketLifecycleConfiguration(
    name,
    { bucket: bucket.id, rules: args.lifecycleRules },
    opts,
  );
  return bucket;
}

/** Lifecycle rule of a log bucket: logs expire after `days`. */
export function expireLogsAfter(days: number): aws.types.input.s3.BucketLifecycleConfigurationRule {
  return {
    id: "expire-access-logs",
    status: "Enabled",
    filter: {},
    expiration: { days },
    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
  };
}

/** A bucket policy statement refusing every request that is not over TLS. */
export function tlsOnly(bucketArn: string) {
  return {
    Sid: "TlsOnly",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
