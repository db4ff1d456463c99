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
 * `tags` input: lib/taggable.ts) has each required tag, with a value that is not empty, from its
 * provider's default tags or its own `tags` (which win over the defaults), so cost and ownership
 * reports cover everything. A type that cannot carry tags (an
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
    // A resource's own tag replaces the provider's default of the same key (AWS provider
    // "Resource tagging" guide: "resource tags take precedence"), so an empty one blanks it.
    const blank = tags.filter((tag) => {
      const value = tag in own ? own[tag] : inherited[tag];
      return value !== undefined && typeof value === "string" && value.trim() === "";
    });
    if (blank.length > 0) {
      report(
        `tags ${blank.join(", ")} are empty${blank.some((t) => t in own) ? " (the resource's own tags replace the provider's default)" : ""}: ` +
          "give each a value, or drop the resource's own empty tag so the provider's default applies.",
      );
    }
    if (missing.length > 0) {
      report(
        `missing tags ${missing.join(", ")}: create the resource through the stack's AWS provider, ` +
          "whose defaultTags carry them (infra/index.ts).",
      );
    }
  },
};
