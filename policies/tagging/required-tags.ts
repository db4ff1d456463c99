import type { ResourceValidationPolicy } from "@pulumi/policy";

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
 * Every AWS resource carries the required tags, from its provider's default tags or its own
 * `tags`, so cost and ownership reports cover everything.
 */
export const requiredTags: ResourceValidationPolicy = {
  name: "tagging-required-tags",
  description:
    "AWS resources carry the required tags through the provider's defaultTags (or their own tags).",
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
