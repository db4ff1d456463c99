import * as aws from "@pulumi/aws";
import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import {
  listOf,
  positive,
  statementLabel,
  statementsOf,
  type Statement,
} from "../lib/policy-document";
import { forType, validateTypes } from "../lib/validate";

/**
 * Condition keys that, set to fixed values, keep a grant to everyone from being public: those
 * Amazon S3 lists under "The meaning of 'public'" (S3 User Guide, "Blocking public access to
 * your Amazon S3 storage"; IAM Access Analyzer judges other resource policies the same way),
 * with aws:PrincipalAccount and kms:CallerAccount, which name the caller's account outright.
 * aws:SourceIp is left out: only a range a reviewer can judge narrows it, and the policy cannot.
 */
const narrowing = [
  "aws:SourceArn",
  "aws:SourceVpc",
  "aws:SourceVpce",
  "aws:SourceOwner",
  "aws:SourceAccount",
  "aws:PrincipalOrgID",
  "aws:PrincipalAccount",
  "aws:PrincipalArn",
  "aws:userid",
  "kms:CallerAccount",
].map((k) => k.toLowerCase());

/** Whether the statement's principal is everyone: `"*"`, `{ AWS: "*" }` or an account pattern. */
function everyone(statement: Statement): boolean {
  const principal = statement.Principal;
  if (principal === "*") return true;
  if (typeof principal !== "object") return false;
  return listOf(principal.AWS).some((p) => p === "*" || /^arn:[\w-]+:iam::\*:/.test(p));
}

/** Whether a positive condition gives one of the narrowing keys a value that is not a wildcard. */
function narrowed(statement: Statement): boolean {
  return Object.entries(statement.Condition ?? {})
    .filter(([operator]) => positive(operator))
    .some(([, block]) =>
      Object.entries(block).some(
        ([key, value]) =>
          narrowing.includes(key.toLowerCase()) &&
          listOf(value).length > 0 &&
          listOf(value).every((v) => !/^\*$|^\d{0,11}\*/.test(v)),
      ),
    );
}

function check(document: unknown, report: ReportViolation, what: string): void {
  statementsOf(document, report, what).forEach((statement, index) => {
    if (statement.Effect !== "Allow" || !everyone(statement) || narrowed(statement)) return;
    const actions = listOf(statement.Action).join(", ") || "every action but its NotAction";
    report(
      `${what}, ${statementLabel(statement, index)}, allows ${actions} to every AWS principal ` +
        "(Principal *) with no condition naming an account, organisation, source or VPC " +
        "endpoint: anyone with an AWS account may use it. Name the principals (an account or " +
        'role ARN), or add a condition such as {"StringEquals": {"aws:PrincipalAccount": ' +
        "<this account>}}.",
    );
  });
}

/**
 * Safe condition: no resource policy or role trust policy of the stack allows everyone. An
 * Allow statement whose principal is `*` (or `{ AWS: "*" }`, or every account's root) is public
 * unless a positive condition fixes one of the keys AWS counts as narrowing (an account, an
 * organisation, a source ARN, VPC or VPC endpoint) to a value that is not a wildcard. Deny
 * statements narrow nothing and are not read. For a Lambda permission the same rule reads its
 * fields: principal `*` without sourceArn, sourceAccount or principalOrgId is public.
 */
export const resourcePolicyNotPublic: ResourceValidationPolicy = {
  name: "iam-resource-policy-not-public",
  description:
    "Access control: no resource policy (bucket, key, topic, queue, secret, backup vault, " +
    "ECR repository, log resource policy, Lambda permission) and no role trust policy allows " +
    "every AWS principal without a condition naming an account, organisation, source or VPC " +
    "endpoint.",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    forType(aws.s3.BucketPolicy, (p, _args, report) =>
      check(p.policy, report, "the bucket policy"),
    ),
    forType(aws.kms.Key, (key, _args, report) => check(key.policy, report, "the key policy")),
    forType(aws.kms.KeyPolicy, (p, _args, report) => check(p.policy, report, "the key policy")),
    forType(aws.sns.Topic, (t, _args, report) => check(t.policy, report, "the topic's policy")),
    forType(aws.sns.TopicPolicy, (p, _args, report) => check(p.policy, report, "the topic policy")),
    forType(aws.sqs.Queue, (q, _args, report) => check(q.policy, report, "the queue's policy")),
    forType(aws.sqs.QueuePolicy, (p, _args, report) => check(p.policy, report, "the queue policy")),
    forType(aws.secretsmanager.SecretPolicy, (p, _args, report) =>
      check(p.policy, report, "the secret's policy"),
    ),
    forType(aws.backup.VaultPolicy, (p, _args, report) =>
      check(p.policy, report, "the vault policy"),
    ),
    forType(aws.ecr.RepositoryPolicy, (p, _args, report) =>
      check(p.policy, report, "the repository policy"),
    ),
    forType(aws.cloudwatch.LogResourcePolicy, (p, _args, report) =>
      check(p.policyDocument, report, "the log resource policy"),
    ),
    forType(aws.iam.Role, (role, _args, report) =>
      check(role.assumeRolePolicy, report, "the trust policy"),
    ),
    forType(aws.lambda.Permission, (permission, _args, report) => {
      if (permission.principal !== "*") return;
      if (permission.sourceArn || permission.sourceAccount || permission.principalOrgId) return;
      report(
        `the permission lets every AWS principal call ${permission.action} on the function, ` +
          "with no sourceArn, sourceAccount or principalOrgId: name the service or account " +
          "as principal, or set sourceArn to the resource that calls it.",
      );
    }),
  ),
};
