import * as aws from "@pulumi/aws";
import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { notChecked, parseJson } from "../lib/report";
import { identityPolicyDocuments } from "../lib/policy-document";
import { forType, validateTypes } from "../lib/validate";

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
}

type Document = { Statement?: Statement | Statement[] };

/** `*`, `*:*` or `<service>:*`: every action of a service, or of all of AWS. */
const wildcard = (action: string) => action === "*" || /^[\w*-]+:\*$/.test(action);

/**
 * AWS managed policies that are the same grant by another name: `AdministratorAccess` is
 * `*` on `*`, each `...FullAccess` is `<service>:*`, `PowerUserAccess` is `NotAction` iam.
 */
const broadManaged =
  /^arn:[\w-]+:iam::aws:policy\/(.*\/)?(AdministratorAccess|PowerUserAccess|[\w-]*FullAccess)$/;

/** The Allow statements' actions that grant a whole service (`s3:*`) or everything (`*`). */
function check(document: unknown, report: ReportViolation, where = "the policy"): void {
  if (document === undefined || document === "") return;
  // A program may pass the document as an object; the engine then sends it as one.
  const parsed = typeof document === "string" ? parseJson(document) : { value: document };
  if ("error" in parsed || typeof parsed.value !== "object" || parsed.value === null) {
    notChecked(
      report,
      `${where} is not a JSON policy document${"error" in parsed ? ` (${parsed.error})` : ""}`,
    );
    return;
  }
  const statements = [(parsed.value as Document).Statement ?? []].flat();
  const wildcards = statements
    .filter((s) => s.Effect === "Allow")
    .flatMap((s) => {
      // NotAction with Allow grants everything but the listed actions.
      if (s.NotAction !== undefined) return ["NotAction"];
      return [s.Action ?? []].flat().filter(wildcard);
    });
  if (wildcards.length > 0) {
    report(
      `${where} allows ${wildcards.join(", ")}: list the actions the role needs (for ` +
        'example "ecr:BatchGetImage"), each on the resources it needs them on.',
    );
  }
}

function checkManaged(arns: (string | undefined)[], report: ReportViolation): void {
  for (const arn of arns) {
    const name = arn ? broadManaged.exec(arn)?.[2] : undefined;
    if (name) {
      report(
        `the AWS managed policy ${name} is attached, which grants a whole service or all of ` +
          "AWS: attach a policy of your own that lists the actions the role needs.",
      );
    }
  }
}

/**
 * Safe condition: no identity policy the stack declares or attaches allows `*`, `*:*`,
 * `<service>:*` or `NotAction` (inline documents, policy resources, a role's inline policies),
 * and no AWS managed policy that is the same grant by name (AdministratorAccess,
 * PowerUserAccess, *FullAccess) is attached; a document that does not parse is "not checked".
 */
export const policyNoWildcardActions: ResourceValidationPolicy = {
  name: "iam-policy-no-wildcard-actions",
  description:
    "FSBP IAM.1 and IAM.21 (least privilege, as the task and execution roles follow): IAM " +
    'policies, inline role policies and attached AWS managed policies allow no "*" or ' +
    '"<service>:*" action and no NotAction (AdministratorAccess, PowerUserAccess and ' +
    "*FullAccess are such grants).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    ...identityPolicyDocuments(check),
    forType(aws.iam.Role, (role, _args, report) =>
      checkManaged(role.managedPolicyArns ?? [], report),
    ),
    forType(aws.iam.RolePolicyAttachment, (a, _args, report) =>
      checkManaged([a.policyArn], report),
    ),
    forType(aws.iam.UserPolicyAttachment, (a, _args, report) =>
      checkManaged([a.policyArn], report),
    ),
    forType(aws.iam.GroupPolicyAttachment, (a, _args, report) =>
      checkManaged([a.policyArn], report),
    ),
    forType(aws.iam.PolicyAttachment, (a, _args, report) => checkManaged([a.policyArn], report)),
  ),
};
