import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { companions, isBucket } from "../lib/s3";
import { prop, unknown } from "../lib/stack";

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Condition?: { Bool?: Record<string, unknown> };
}

/** A statement denying every S3 action to anyone over plain HTTP. */
function deniesPlainHttp(statement: Statement): boolean {
  const actions = [statement.Action ?? []].flat();
  const everyone =
    statement.Principal === "*" || JSON.stringify(statement.Principal) === '{"AWS":"*"}';
  return (
    statement.Effect === "Deny" &&
    everyone &&
    actions.some((a) => a === "s3:*" || a === "*") &&
    String(statement.Condition?.Bool?.["aws:SecureTransport"]) === "false"
  );
}

/** Every bucket policy refuses requests that do not use TLS. */
export const tlsOnly: StackValidationPolicy = {
  name: "s3-tls-only",
  description:
    "FSBP S3.5, seed SSL/TLS: every bucket's policy denies s3:* to everyone when aws:SecureTransport is false.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const bucket of args.resources.filter(isBucket)) {
      const documents = [
        prop(bucket, "policy"),
        ...companions(bucket, args.resources, [aws.s3.BucketPolicy]).map((p) => prop(p, "policy")),
      ].filter((d) => d !== undefined && d !== "");
      // A policy built from ARNs is not known before the bucket exists: judged at the update.
      if (documents.some((d) => d === unknown)) continue;
      const statements = documents.flatMap((d) => {
        try {
          const parsed = (typeof d === "string" ? JSON.parse(d) : d) as {
            Statement?: Statement | Statement[];
          };
          return [parsed.Statement ?? []].flat();
        } catch {
          return [];
        }
      });
      if (!statements.some(deniesPlainHttp)) {
        report(
          `bucket ${bucket.name} accepts requests over plain HTTP: add an aws.s3.BucketPolicy ` +
            'statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucket ' +
            'ARN, bucket ARN + "/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }.',
          bucket.urn,
        );
      }
    }
  },
};
