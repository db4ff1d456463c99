import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { refersToValue } from "../lib/references";
import { notChecked, parseJson } from "../lib/report";
import { prop, unknown } from "../lib/stack";

interface LifecycleRule {
  rulePriority?: number;
  selection?: {
    tagStatus?: string;
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType?: string;
    countUnit?: string;
    countNumber?: number;
  };
  action?: { type?: string };
}

/**
 * Why ECR refuses the rules, or undefined ("Lifecycle policy properties in Amazon ECR", Amazon
 * ECR User Guide): tagStatus is tagged, untagged or any; tagged needs a tagPrefixList or
 * tagPatternList and untagged takes neither; sinceImagePushed counts in countUnit "days" and
 * imageCountMoreThan takes no countUnit; each rulePriority is unique, and "A rule with a
 * tagStatus value of any must have the highest value for rulePriority".
 */
function rejected(rules: LifecycleRule[]): string | undefined {
  const priorities = rules.map((r) => r.rulePriority);
  const highest = Math.max(...priorities.map((p) => p ?? -Infinity));
  for (const rule of rules) {
    const at = `rule ${rule.rulePriority ?? "(no rulePriority)"}`;
    const selection = rule.selection ?? {};
    const { tagStatus, countType, countUnit } = selection;
    const lists = [selection.tagPrefixList, selection.tagPatternList].filter((l) => l?.length);
    if (tagStatus !== "tagged" && tagStatus !== "untagged" && tagStatus !== "any") {
      return `${at} has tagStatus ${tagStatus ?? "unset"}, not tagged, untagged or any`;
    }
    if (tagStatus === "tagged" && lists.length === 0) {
      return `${at} selects tagged images without a tagPrefixList or tagPatternList`;
    }
    if (tagStatus === "untagged" && lists.length > 0) {
      return `${at} selects untagged images by a tag list`;
    }
    if (countType === "sinceImagePushed" && countUnit !== "days") {
      return `${at} counts sinceImagePushed in countUnit ${countUnit ?? "unset"}, not "days"`;
    }
    if (countType === "imageCountMoreThan" && countUnit !== undefined) {
      return `${at} sets countUnit "${countUnit}" on an imageCountMoreThan count`;
    }
    if (priorities.filter((p) => p === rule.rulePriority).length > 1) {
      return `${at}'s rulePriority is not unique`;
    }
    if (tagStatus === "any" && rule.rulePriority !== highest) {
      return `${at} selects any image but is not the rule with the highest rulePriority`;
    }
  }
  return undefined;
}

/** A rule that expires images: action expire, a known countType, a countNumber above 0. */
const expires = (r: LifecycleRule) =>
  r.action?.type === "expire" &&
  (r.selection?.countType === "imageCountMoreThan" ||
    r.selection?.countType === "sinceImagePushed") &&
  (r.selection.countNumber ?? 0) > 0;

/** What keeps the policy from expiring images, or undefined when one of its rules does. */
function expiryProblem(
  policy: PolicyResource,
  immutable: boolean,
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
  const refused = rejected(rules);
  if (refused) {
    return `has a lifecycle policy (${policy.name}) that ECR refuses, so it expires nothing: ${refused}`;
  }
  const expiring = rules.filter(expires);
  if (expiring.length === 0) {
    return (
      `has a lifecycle policy (${policy.name}) with no rule that expires images ` +
      '(action { type: "expire" } with a countNumber above 0)'
    );
  }
  // No tag moves in an IMMUTABLE repository, so no pushed image ever becomes untagged.
  if (immutable && expiring.every((r) => r.selection?.tagStatus === "untagged")) {
    return (
      `has immutable tags, so every image stays tagged, yet its lifecycle policy (${policy.name}) ` +
      'expires only untagged images (tagStatus "untagged"): nothing pushed ever expires'
    );
  }
  return undefined;
}

/**
 * Safe condition: every repository has an aws.ecr.LifecyclePolicy that ECR accepts (see
 * `rejected`) with at least one rule whose action is expire and whose selection
 * (imageCountMoreThan or sinceImagePushed) has a countNumber above 0; in a repository with
 * imageTagMutability IMMUTABLE, one such rule selects tagged images (tagStatus any or tagged),
 * since no image there loses its tag. A policy that is not yet known or does not parse is "not
 * checked".
 */
export const repositoryLifecyclePolicy: StackValidationPolicy = {
  name: "ecr-repository-lifecycle-policy",
  description:
    "FSBP ECR.3: every repository has a lifecycle policy (aws.ecr.LifecyclePolicy) that ECR " +
    "accepts, with a rule that expires images (tagged ones too where tags are immutable), so " +
    "old images expire instead of accumulating cost.",
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
      const immutable = prop(repository, "imageTagMutability") === "IMMUTABLE";
      const problems = own.map((p) =>
        expiryProblem(p, immutable, (reason) => skipped.push(reason)),
      );
      if (skipped.length > 0) {
        for (const reason of skipped) notChecked(report, reason, repository.urn);
      } else if (problems.every((p) => p !== undefined)) {
        const refused = problems[0].includes("that ECR refuses");
        report(
          `repository ${repository.name} ${problems[0]}: ` +
            (refused
              ? "correct that rule as the properties of a lifecycle policy require."
              : 'add a rule { selection: { tagStatus: "any", countType: "imageCountMoreThan", ' +
                'countNumber: <n> }, action: { type: "expire" } } (the highest rulePriority).'),
          repository.urn,
        );
      }
    }
  },
};
