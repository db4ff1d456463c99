import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { refersToValue } from "../lib/references";
import { notChecked, parseJson } from "../lib/report";
import { prop, unknown } from "../lib/stack";

interface LifecycleRule {
  selection?: { countType?: string; countNumber?: number };
  action?: { type?: string };
}

/** What keeps the policy from expiring images, or undefined when one of its rules does. */
function expiryProblem(
  policy: PolicyResource,
  report: (reason: string) => void,
): string | undefined {
  const text = prop<string>(policy, "policy");
  if (text === undefined || text === unknown) {
    report(`the lifecycle policy ${policy.name} is not known yet`);
    return undefined;
  }
  const parsed = typeof text === "string" ? parseJson(text) : { value: text };
  if ("error" in parsed) {
    report(`the lifecycle policy ${policy.name} is not JSON (${parsed.error})`);
    return undefined;
  }
  const rules = (parsed.value as { rules?: LifecycleRule[] })?.rules ?? [];
  const expiring = rules.filter(
    (r) =>
      r.action?.type === "expire" &&
      (r.selection?.countType === "imageCountMoreThan" ||
        r.selection?.countType === "sinceImagePushed") &&
      (r.selection.countNumber ?? 0) > 0,
  );
  return expiring.length > 0
    ? undefined
    : `has a lifecycle policy (${policy.name}) with no rule that expires images ` +
        '(action { type: "expire" } with a countNumber above 0)';
}

/**
 * Safe condition: every repository has an aws.ecr.LifecyclePolicy with at least one rule whose
 * action is expire and whose selection (imageCountMoreThan or sinceImagePushed) has a
 * countNumber above 0; a policy that is not yet known or does not parse is "not checked".
 */
export const repositoryLifecyclePolicy: StackValidationPolicy = {
  name: "ecr-repository-lifecycle-policy",
  description:
    "FSBP ECR.3: every repository has a lifecycle policy (aws.ecr.LifecyclePolicy) with a rule " +
    "that expires images, so old images expire instead of accumulating cost.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const lifecyclePolicies = args.resources.filter((r) => r.isType(aws.ecr.LifecyclePolicy));
    for (const repository of args.resources.filter((r) => r.isType(aws.ecr.Repository))) {
      const own = lifecyclePolicies.filter((policy) =>
        refersToValue(policy, "repository", repository, "name"),
      );
      if (own.length === 0) {
        report(
          `repository ${repository.name} has no lifecycle policy: add an aws.ecr.LifecyclePolicy ` +
            "for it that expires images beyond a count (imageCountMoreThan).",
          repository.urn,
        );
        continue;
      }
      const skipped: string[] = [];
      const problems = own.map((p) => expiryProblem(p, (reason) => skipped.push(reason)));
      if (skipped.length > 0) {
        for (const reason of skipped) notChecked(report, reason, repository.urn);
      } else if (problems.every((p) => p !== undefined)) {
        report(
          `repository ${repository.name} ${problems[0]}: add a rule { selection: { countType: ` +
            '"imageCountMoreThan", countNumber: <n> }, action: { type: "expire" } }.',
          repository.urn,
        );
      }
    }
  },
};
