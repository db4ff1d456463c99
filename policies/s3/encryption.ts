import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { loadBalancers } from "../lib/elb";
import { companions, isBucket } from "../lib/s3";
import { ofType, prop, refersTo } from "../lib/stack";

type EncryptionRule = { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string } };

/** The default algorithms a bucket's encryption declares, inline or in separate resources. */
function algorithms(inline: unknown, separate: PolicyResource[]): (string | undefined)[] {
  const rules: EncryptionRule[] = [];
  // The inline form (deprecated in provider v7) holds one `rule`; the separate resource `rules`.
  const inlineRule = (inline as { rule?: EncryptionRule } | undefined)?.rule;
  if (inlineRule) rules.push(inlineRule);
  for (const config of separate) rules.push(...(prop<EncryptionRule[]>(config, "rules") ?? []));
  return rules.map((r) => r.applyServerSideEncryptionByDefault?.sseAlgorithm);
}

/**
 * Safe condition: every bucket's objects are encrypted at rest, which S3 does by itself with
 * SSE-S3 since January 2023 (so AWS retired S3.4). What this asks, declaring the encryption
 * (aws.s3.BucketServerSideEncryptionConfiguration), keeps the choice reviewable and stops a later
 * change from lowering it unnoticed; it is not a defect, so the policy is advisory.
 *
 * Wrong values it reports: a declaration whose rules name no default algorithm (it changes
 * nothing), and SSE-KMS on a bucket a load balancer writes its access or connection logs to:
 * Elastic Load Balancing writes only to buckets encrypted with SSE-S3, so with aws:kms its log
 * delivery fails ("Enable access logs for your Application Load Balancer", Step 1: "The only
 * server-side encryption option that's supported is Amazon S3-managed keys (SSE-S3)").
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
        continue;
      }
      const declared = algorithms(inline, separate);
      if (declared.length === 0 || declared.some((a) => !a)) {
        report(
          `bucket ${bucket.name}'s encryption configuration has a rule without ` +
            "applyServerSideEncryptionByDefault.sseAlgorithm, so it declares nothing: set " +
            "sseAlgorithm (aws:kms, or AES256 where the writer needs it).",
          bucket.urn,
        );
      }
      const loggers = ofType(args.resources, ...loadBalancers).filter(
        (r) => refersTo(r, "accessLogs", bucket) || refersTo(r, "connectionLogs", bucket),
      );
      if (loggers.length > 0 && declared.some((a) => a?.startsWith("aws:kms"))) {
        report(
          `bucket ${bucket.name} receives the logs of load balancer ` +
            `${loggers.map((l) => l.name).join(", ")} but is encrypted with ${declared.find((a) => a?.startsWith("aws:kms"))}: ` +
            "Elastic Load Balancing writes logs only to SSE-S3 buckets, so delivery fails. " +
            "Set sseAlgorithm: AES256 on this bucket.",
          bucket.urn,
        );
      }
    }
  },
};
