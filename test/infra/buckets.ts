import assert from "node:assert/strict";
import { ofType, type ProgramRun, type RegisteredResource } from "../../scripts/offline/harness";

/** The inputs of the resource of `type` configuring `bucket` (S3 settings are resources too). */
export function bucketPart(
  run: ProgramRun,
  type: string,
  bucket: RegisteredResource,
): Record<string, unknown> {
  const part = ofType(run, type).find((p) => p.inputs.bucket === bucket.id);
  assert.ok(part, `${type} of ${bucket.name}`);
  return part.inputs;
}

/** The bucket's policy document, parsed. */
export function bucketPolicy(
  run: ProgramRun,
  bucket: RegisteredResource,
): { Statement: Record<string, unknown>[] } {
  return JSON.parse(bucketPart(run, "aws:s3/bucketPolicy:BucketPolicy", bucket).policy as string);
}

/** Public access blocked, ACLs disabled, SSE-S3, and a policy refusing requests without TLS. */
export function assertPrivateEncryptedBucket(run: ProgramRun, bucket: RegisteredResource): void {
  assert.deepEqual(
    bucketPart(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket),
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
  );
  assert.deepEqual(
    bucketPart(run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", bucket).rule,
    { objectOwnership: "BucketOwnerEnforced" },
  );
  assert.deepEqual(
    bucketPart(
      run,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      bucket,
    ).rules,
    [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  );
  const tlsOnly = bucketPolicy(run, bucket).Statement.find((s) => s.Sid === "TlsOnly");
  assert.ok(tlsOnly, `${bucket.name}: a TlsOnly statement`);
  assert.equal(tlsOnly.Effect, "Deny");
  assert.equal(tlsOnly.Principal, "*");
  assert.deepEqual(tlsOnly.Resource, [bucket.outputs.arn, `${bucket.outputs.arn}/*`]);
  assert.deepEqual(tlsOnly.Condition, { Bool: { "aws:SecureTransport": "false" } });
}
