import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { refersToValue } from "../lib/references";

/** Every repository has a lifecycle policy that expires old images. */
export const repositoryLifecyclePolicy: StackValidationPolicy = {
  name: "ecr-repository-lifecycle-policy",
  description:
    "FSBP ECR.3: every repository has a lifecycle policy (aws.ecr.LifecyclePolicy), so old " +
    "images expire instead of accumulating cost.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const lifecyclePolicies = args.resources.filter((r) => r.isType(aws.ecr.LifecyclePolicy));
    for (const repository of args.resources.filter((r) => r.isType(aws.ecr.Repository))) {
      const covered = lifecyclePolicies.some((policy) =>
        refersToValue(policy, "repository", repository, "name"),
      );
      if (!covered) {
        report(
          `repository ${repository.name} has no lifecycle policy: add an aws.ecr.LifecyclePolicy ` +
            "for it that expires images beyond a count (imageCountMoreThan).",
          repository.urn,
        );
      }
    }
  },
};
