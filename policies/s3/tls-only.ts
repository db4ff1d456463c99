import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { companions, isBucket } from "../lib/s3";
import { notChecked, parseJson } from "../lib/report";
import { prop, unknown } from "../lib/stack";

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>> & { Bool?: Record<string, unknown> };
}

/**
 * The conditions of a statement besides `Bool` `aws:SecureTransport`, as `Operator key`. IAM
 * applies a statement only when every condition holds ("If you specify multiple condition
 * operators, or multiple keys to a single condition operator, the conditions are evaluated using
 * a logical AND", IAM User Guide, "IAM JSON policy elements: Condition"), so each one narrows
 * the deny to part of the plain-HTTP requests.
 */
function narrowing(statement: Statement): string[] {
  return Object.entries(statement.Condition ?? {}).flatMap(([operator, keys]) =>
    Object.keys(keys ?? {})
      .filter((key) => !(operator === "Bool" && key === "aws:SecureTransport"))
      .map((key) => `${operator} ${key}`),
  );
}

/**
 * A statement denying every S3 action to anyone over plain HTTP, on the bucket and its objects
 * (conditions besides SecureTransport are judged apart: see `narrowing`).
 */
function deniesPlainHttp(statement: Statement, bucketArn: string | undefined): boolean {
  const actions = [statement.Action ?? []].flat();
  const resources = [statement.Resource ?? []].flat();
  // Objects are reached through "<bucket ARN>/*"; a statement on the bucket ARN alone leaves
  // every GetObject and PutObject open over HTTP. An ARN not known here is taken on its shape.
  const coversObjects = resources.some(
    (r) =>
      r === "*" ||
      r === "arn:aws:s3:::*" ||
      (bucketArn ? r === `${bucketArn}/*` : /^arn:[\w-]+:s3:::[^/]+\/\*$/.test(r)),
  );
  const everyone =
    statement.Principal === "*" || JSON.stringify(statement.Principal) === '{"AWS":"*"}';
  return (
    statement.Effect === "Deny" &&
    everyone &&
    coversObjects &&
    actions.some((a) => a === "s3:*" || a === "*") &&
    String(statement.Condition?.Bool?.["aws:SecureTransport"]) === "false"
  );
}

/**
 * Safe condition: a policy of the bucket has a statement that denies s3:* (or *) to every
 * principal when aws:SecureTransport is false, with no other condition (any other narrows the
 * deny: plain HTTP stays open to whoever falls outside it), on a Resource that covers the
 * bucket's objects (`<bucket ARN>/*`); a policy not known yet or not JSON is "not checked".
 */
export const tlsOnly: StackValidationPolicy = {
  name: "s3-tls-only",
  description:
    "FSBP S3.5, SSL/TLS: every bucket's policy denies s3:* to everyone on the bucket's objects (<bucket ARN>/*) when aws:SecureTransport is false, with no other condition narrowing it.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const bucket of args.resources.filter(isBucket)) {
      const documents = [
        prop(bucket, "policy"),
        ...companions(bucket, args.resources, [aws.s3.BucketPolicy]).map((p) => prop(p, "policy")),
      ].filter((d) => d !== undefined && d !== "");
      // A policy built from ARNs is not known before the bucket exists: judged at the update.
      if (documents.some((d) => d === unknown)) {
        notChecked(report, `bucket ${bucket.name}'s policy is not known yet`, bucket.urn);
        continue;
      }
      const parsed = documents.map((d) => (typeof d === "string" ? parseJson(d) : { value: d }));
      const broken = parsed.find((p) => "error" in p);
      if (broken && "error" in broken) {
        notChecked(
          report,
          `bucket ${bucket.name}'s policy is not JSON (${broken.error})`,
          bucket.urn,
        );
        continue;
      }
      const statements = parsed.flatMap((p) =>
        "value" in p
          ? [(p.value as { Statement?: Statement | Statement[] }).Statement ?? []].flat()
          : [],
      );
      const arn = prop<string>(bucket, "arn");
      const bucketArn = arn && arn !== unknown ? arn : undefined;
      const candidates = statements.filter((s) => deniesPlainHttp(s, bucketArn));
      if (candidates.length > 0 && candidates.every((s) => narrowing(s).length > 0)) {
        const s = candidates[0];
        report(
          `bucket ${bucket.name}'s TLS-only statement${s.Sid ? ` ${s.Sid}` : ""} also requires ` +
            `${narrowing(s).join(", ")}, so it denies plain HTTP only to the requests that ` +
            'match those too: keep its Condition to { Bool: { "aws:SecureTransport": "false" } } ' +
            "alone.",
          bucket.urn,
        );
      } else if (candidates.length === 0) {
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
