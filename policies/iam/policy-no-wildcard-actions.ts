import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forType, validateTypes } from "../lib/validate";

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
}

type Document = { Statement?: Statement | Statement[] };

/** The Allow statements' actions that grant a whole service (`s3:*`) or everything (`*`). */
function wildcardActions(document: string | object): string[] {
  let parsed: Document;
  try {
    // A program may pass the document as an object; the engine then sends it as one.
    parsed = typeof document === "string" ? JSON.parse(document) : (document as Document);
  } catch {
    return [];
  }
  const statements = [parsed.Statement ?? []].flat();
  return statements
    .filter((s) => s.Effect === "Allow")
    .flatMap((s) => {
      // NotAction with Allow grants everything but the listed actions.
      if (s.NotAction !== undefined) return ["NotAction"];
      return [s.Action ?? []].flat().filter((a) => a === "*" || /^[\w-]+:\*$/.test(a));
    });
}

function check(document: string | object, report: (message: string) => void): void {
  const wildcards = wildcardActions(document);
  if (wildcards.length > 0) {
    report(
      `the policy allows ${wildcards.join(", ")}: list the actions the role needs (for ` +
        'example "ecr:BatchGetImage"), each on the resources it needs them on.',
    );
  }
}

/** IAM policies grant named actions, never a service's every action or all of AWS. */
export const policyNoWildcardActions: ResourceValidationPolicy = {
  name: "iam-policy-no-wildcard-actions",
  description:
    "FSBP IAM.1 and IAM.21 (least privilege, as the task and execution roles follow): IAM " +
    'policies and inline role policies allow no "*" or "<service>:*" action and no NotAction.',
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    forType(aws.iam.RolePolicy, (policy, _args, report) => check(policy.policy, report)),
    forType(aws.iam.Policy, (policy, _args, report) => check(policy.policy, report)),
  ),
};
