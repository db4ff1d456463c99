import * as aws from "@pulumi/aws";
import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { listOf, positive, statementLabel, statementsOf } from "../lib/policy-document";
import { validateTypes, forType } from "../lib/validate";

/**
 * Grants AWS documents as sending neither source key, so a condition on them would refuse the
 * service: each is exempt only where it is (the kind of policy), with the page that says so.
 */
const exempt: Record<string, { where: Where; why: string }[]> = {
  "backup.amazonaws.com": [
    {
      where: "trust",
      why: "https://docs.aws.amazon.com/aws-backup/latest/devguide/iam-service-roles.html",
    },
  ],
  "rds.amazonaws.com": [
    {
      where: "trust",
      why: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-setup.html",
    },
  ],
  // Lambda's execution-role page shows its trust without source keys and names none it sends.
  "lambda.amazonaws.com": [
    {
      where: "trust",
      why: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
    },
  ],
  // EventBridge publishing to an encrypted topic sends no aws:SourceAccount to KMS; the key's
  // use is bounded by the topics' policies.
  "events.amazonaws.com": [
    { where: "key", why: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html" },
  ],
  // The account is in the object path the service may write ("Enable access logs for your
  // Application Load Balancer", Step 2).
  "logdelivery.elasticloadbalancing.amazonaws.com": [
    {
      where: "bucket",
      why: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
    },
  ],
};

type Where = "trust" | "key" | "bucket" | "resource";

const accountId = /^\d{12}$/;
/** An ARN in one account (12 digits); its resource part may be a pattern of that account's. */
const scopedArn = /^arn:[\w-]+:[\w-]+:[\w-]*:\d{12}:./;

/** The values the condition block gives `key` (case-insensitive) under positive operators. */
function valuesOf(condition: Record<string, Record<string, string | string[]>>, key: string) {
  return Object.entries(condition)
    .filter(([operator]) => positive(operator))
    .flatMap(([, block]) =>
      Object.entries(block)
        .filter(([k]) => k.toLowerCase() === key.toLowerCase())
        .flatMap(([, v]) => listOf(v)),
    );
}

function check(document: unknown, where: Where, report: ReportViolation, what: string): void {
  statementsOf(document, report, what).forEach((statement, index) => {
    if (statement.Effect !== "Allow" || typeof statement.Principal !== "object") return;
    for (const service of listOf(statement.Principal.Service)) {
      if (exempt[service]?.some((e) => e.where === where)) continue;
      const condition = statement.Condition ?? {};
      const accounts = valuesOf(condition, "aws:SourceAccount");
      const arns = valuesOf(condition, "aws:SourceArn");
      const label = `${what}, ${statementLabel(statement, index)}, grants ${service}`;
      if (accounts.length === 0 && arns.length === 0) {
        report(
          `${label} without aws:SourceAccount or aws:SourceArn: any account's use of the ` +
            'service could act through it. Add Condition {"StringEquals": {"aws:SourceAccount": ' +
            '<this account>}} and, where the service sends it, {"ArnLike": {"aws:SourceArn": ' +
            "<the resource>}} (infra/trust.ts).",
        );
        continue;
      }
      const wrong = [
        ...accounts.filter((a) => !accountId.test(a)).map((a) => `aws:SourceAccount "${a}"`),
        ...arns.filter((a) => !scopedArn.test(a)).map((a) => `aws:SourceArn "${a}"`),
      ];
      if (wrong.length > 0) {
        report(
          `${label} with ${wrong.join(", ")}: name the account (12 digits) and an ARN of this ` +
            "account's resource, not a wildcard.",
        );
      }
    }
  });
}

/**
 * Safe condition: every Allow statement granting an AWS service principal, in a role's trust
 * policy or a topic, key, log or bucket resource policy, requires `aws:SourceAccount` (a
 * 12-digit account) or `aws:SourceArn` (an ARN of an account's resource), except the grants AWS
 * documents as sending neither key.
 */
export const servicePrincipalSourceConditions: ResourceValidationPolicy = {
  name: "iam-service-principal-source-conditions",
  description:
    "Confused-deputy protection: a role's trust policy and the resource policies of topics, " +
    "keys, log groups and buckets grant an AWS service only with aws:SourceAccount or " +
    "aws:SourceArn naming this account's resources (except where AWS documents that the " +
    "service sends neither).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    forType(aws.iam.Role, (role, _args, report) =>
      check(role.assumeRolePolicy, "trust", report, "the trust policy"),
    ),
    forType(aws.sns.TopicPolicy, (p, _args, report) =>
      check(p.policy, "resource", report, "the topic policy"),
    ),
    forType(aws.kms.Key, (key, _args, report) =>
      check(key.policy, "key", report, "the key policy"),
    ),
    forType(aws.cloudwatch.LogResourcePolicy, (p, _args, report) =>
      check(p.policyDocument, "resource", report, "the log resource policy"),
    ),
    forType(aws.s3.BucketPolicy, (p, _args, report) =>
      check(p.policy, "bucket", report, "the bucket policy"),
    ),
  ),
};
