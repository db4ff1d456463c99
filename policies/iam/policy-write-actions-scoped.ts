import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import {
  identityPolicyDocuments,
  listOf,
  statementLabel,
  statementsOf,
} from "../lib/policy-document";
import { validateTypes } from "../lib/validate";

/**
 * Actions that only read, by the verbs AWS names them with (the Service Authorization
 * Reference's "Read" and "List" access levels use these); every other action may change
 * something. `ecr:GetAuthorizationToken`, which has no resource-level permission, is a read.
 */
const readVerbs = /^[\w-]+:(Get|List|Describe|BatchGet|BatchCheck|Head|Lookup|Filter|Search)/;

/**
 * Reads that hand out secrets or data: on every resource they are as wide as a write (every
 * secret's value, every parameter, every object of every bucket). Their access level is "Read"
 * in the Service Authorization Reference, but a reviewer scopes them like writes.
 */
const dataReads =
  /^(secretsmanager:GetSecretValue|ssm:GetParameters?|ssm:GetParametersByPath|s3:GetObject\w*|ssm:\*|secretsmanager:Get\*)$/i;

/** Whether the action (or pattern) changes something, or reads secrets or data. */
const scopedAction = (action: string) => !readVerbs.test(action) || dataReads.test(action);

/**
 * `*`, or an ARN whose resource part names no resource: `*`, `<type>/*`, `<type>:*`
 * (`arn:aws:s3:::*`, `arn:aws:logs:eu-west-1:123456789012:log-group:*`), or whose account is a
 * wildcard. `...:log-group:/ecs/app:log-stream:*` (one group's streams) is scoped.
 */
function unscoped(resource: string): boolean {
  if (resource === "*") return true;
  const parts = resource.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return false;
  const rest = parts.slice(5).join(":");
  return parts[4] === "*" || /^[\w-]*[:/]?\*$/.test(rest);
}

function check(document: unknown, report: ReportViolation, where = "the policy"): void {
  statementsOf(document, report, where).forEach((statement, index) => {
    if (statement.Effect !== "Allow") return;
    const writes = listOf(statement.Action).filter(scopedAction);
    // NotResource allows the actions on every resource but those listed.
    const wide = [
      ...listOf(statement.Resource).filter(unscoped),
      ...(statement.NotResource
        ? [`every resource but ${listOf(statement.NotResource).join(", ")} (NotResource)`]
        : []),
    ];
    if (writes.length > 0 && wide.length > 0) {
      report(
        `${where}, ${statementLabel(statement, index)}, allows ${writes.join(", ")} on ` +
          `${wide.join(", ")}: name the resources the role changes (their ARNs), not every ` +
          "resource of the account.",
      );
    }
  });
}

/**
 * Safe condition: no Allow statement of an identity policy the stack declares (a policy, a
 * role's inline or attached inline policy) pairs an action that changes something, or one that
 * reads secrets or data (a secret's value, a parameter, an object), with `Resource: "*"`, an ARN
 * that names no resource (`arn:aws:s3:::*`, `...:log-group:*`) or a NotResource.
 */
export const policyWriteActionsScoped: ResourceValidationPolicy = {
  name: "iam-policy-write-actions-scoped",
  description:
    'Least privilege: IAM policies allow actions that change something, and reads of secrets, parameters and objects, only on named resources, not on "*", an ARN pattern of every resource of a type or a NotResource (other reads may be wider).',
  enforcementLevel: "mandatory",
  validateResource: validateTypes(...identityPolicyDocuments(check)),
};
