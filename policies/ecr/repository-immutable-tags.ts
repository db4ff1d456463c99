import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** A tag names one image forever (only explicitly listed tags may move). */
export const repositoryImmutableTags: ResourceValidationPolicy = {
  name: "ecr-repository-immutable-tags",
  description:
    "FSBP ECR.2: repositories have immutable tags, or IMMUTABLE_WITH_EXCLUSION for named tags " +
    "only (such as a build cache's), so a pushed tag cannot be replaced by another image.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecr.Repository, (repository, _args, report) => {
    const mutability = repository.imageTagMutability ?? "MUTABLE";
    if (mutability === "IMMUTABLE") return;
    if (mutability === "IMMUTABLE_WITH_EXCLUSION") {
      const everything = (repository.imageTagMutabilityExclusionFilters ?? []).find(
        (f) => f.filter.replace(/\*+/g, "*") === "*",
      );
      if (everything) {
        report(
          `exclusion filter "${everything.filter}" makes every tag mutable: list only the tags ` +
            'that must move (for example "linux-*" for build cache).',
        );
      }
      return;
    }
    report(
      `imageTagMutability is ${mutability}: set "IMMUTABLE" (or "IMMUTABLE_WITH_EXCLUSION" with ` +
        "filters naming the few tags that must move).",
    );
  }),
};
