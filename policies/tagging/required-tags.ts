import type { ResourceValidationPolicy } from "@pulumi/policy";
import { notChecked } from "../lib/report";
import { takesTags } from "../lib/taggable";

export interface RequiredTagsConfig {
  tags: string[];
}

/** The provider's default tags, however the engine passes them (provider config is JSON-encoded). */
function defaultTagsOf(
  providerProps: Record<string, unknown> | undefined,
): Record<string, unknown> {
  let value = providerProps?.defaultTags;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  const tags = (value as { tags?: unknown } | undefined)?.tags;
  return tags && typeof tags === "object" ? (tags as Record<string, unknown>) : {};
}

/**
 * Safe condition: every AWS resource whose type can carry tags (its @pulumi/aws Args type has a
 * `tags` input: lib/taggable.ts) has each required tag, from its provider's default tags or its
 * own `tags`, so cost and ownership reports cover everything. A type that cannot carry tags (an
 * association, a policy attachment, a bucket's configuration) is not asked for any.
 */
export const requiredTags: ResourceValidationPolicy = {
  name: "tagging-required-tags",
  description:
    "AWS resources of a type that takes tags (its @pulumi/aws Args type has `tags`) carry the required tags through the provider's defaultTags (or their own tags); types that cannot carry tags are not asked.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      tags: {
        type: "array",
        items: { type: "string" },
        default: ["environment", "project", "managed-by", "owner", "cost-center"],
      },
    },
  },
  validateResource: (args, report) => {
    if (!args.type.startsWith("aws:")) return;
    const taggable = takesTags(args.type);
    if (taggable === false) return;
    if (taggable === undefined) {
      notChecked(report, `the installed @pulumi/aws does not say whether ${args.type} takes tags`);
      return;
    }
    const { tags } = args.getConfig<RequiredTagsConfig>();
    const own = (args.props.tags ?? {}) as Record<string, unknown>;
    const inherited = defaultTagsOf(args.provider?.props);
    const missing = tags.filter((tag) => !(tag in own) && !(tag in inherited));
    if (missing.length > 0) {
      report(
        `missing tags ${missing.join(", ")}: create the resource through the stack's AWS provider, ` +
          "whose defaultTags carry them (infra/index.ts).",
      );
    }
  },
};
