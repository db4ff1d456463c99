/**
 * The statements of an IAM policy document (identity, trust or resource policy), which a
 * program may pass as a JSON string or, through an object input, as an object.
 */
import * as aws from "@pulumi/aws";
import type { ReportViolation } from "@pulumi/policy";
import { notChecked, parseJson } from "./report";
import { forType, type TypedCheck } from "./validate";

export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: string | { Service?: string | string[]; AWS?: string | string[] };
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The statements, or none (said as "not checked") when the document does not parse. */
export function statementsOf(
  document: unknown,
  report: ReportViolation,
  where = "the policy",
): Statement[] {
  if (document === undefined || document === "") return [];
  const parsed = typeof document === "string" ? parseJson(document) : { value: document };
  if ("error" in parsed || typeof parsed.value !== "object" || parsed.value === null) {
    notChecked(
      report,
      `${where} is not a JSON policy document${"error" in parsed ? ` (${parsed.error})` : ""}`,
    );
    return [];
  }
  return [(parsed.value as { Statement?: Statement | Statement[] }).Statement ?? []].flat();
}

/** A statement's Allow-ed values of `key` (`Action`, `Resource`) as a list. */
export const listOf = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : [value].flat();

/**
 * Whether a condition operator requires the key to match its value: `StringEquals`, `ArnLike`
 * and their `ForAnyValue:`/`ForAllValues:`/`IfExists` forms, not a `Not` operator or `Null`.
 */
export const positive = (operator: string) =>
  !/Not|^Null$/.test(operator.replace(/^ForAnyValue:|^ForAllValues:|IfExists$/, ""));

/** The statement's label for a message: its Sid, else its position. */
export const statementLabel = (statement: Statement, index: number) =>
  statement.Sid ? `statement ${statement.Sid}` : `statement ${index + 1}`;

/**
 * `check` on every identity policy document the stack declares: policy resources, role
 * policies and a role's inline policies (each named in the message).
 */
export function identityPolicyDocuments(
  check: (document: unknown, report: ReportViolation, where?: string) => void,
): TypedCheck[] {
  return [
    forType(aws.iam.RolePolicy, (policy, _args, report) => check(policy.policy, report)),
    forType(aws.iam.Policy, (policy, _args, report) => check(policy.policy, report)),
    forType(aws.iam.Role, (role, _args, report) => {
      for (const inline of role.inlinePolicies ?? []) {
        check(inline.policy, report, `inline policy ${inline.name ?? "(unnamed)"}`);
      }
    }),
  ];
}
