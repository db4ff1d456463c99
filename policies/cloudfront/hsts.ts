import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { prop, refersTo, unknown } from "../lib/stack";
import { behaviors, type Behavior } from "../lib/cloudfront";

const oneYear = 31_536_000;

interface Hsts {
  accessControlMaxAgeSec?: number;
  includeSubdomains?: boolean;
  override?: boolean;
}

/** What is wrong with a response headers policy's HSTS, or undefined when it is right. */
function hstsProblem(policy: PolicyResource): string | undefined {
  const hsts = prop<{ strictTransportSecurity?: Hsts }>(
    policy,
    "securityHeadersConfig",
  )?.strictTransportSecurity;
  if (!hsts) return "sets no Strict-Transport-Security header";
  if (!((hsts.accessControlMaxAgeSec ?? 0) >= oneYear)) {
    return `keeps HSTS for ${hsts.accessControlMaxAgeSec} seconds, less than a year`;
  }
  if (hsts.includeSubdomains !== true) return "does not include subdomains in HSTS";
  if (hsts.override !== true) return "lets the origin override HSTS";
  return undefined;
}

/**
 * Every cache behaviour attaches a response headers policy of this stack whose HSTS lasts at
 * least a year, covers subdomains and overrides whatever the origin sends. A policy that is not
 * in the stack (an AWS managed one) cannot be checked, and AWS's managed SecurityHeadersPolicy
 * leaves subdomains out.
 */
export const hsts: StackValidationPolicy = {
  name: "cloudfront-hsts",
  description:
    "SSL/TLS 'HSTS header configured': every cache behaviour has a response headers policy of the stack with Strict-Transport-Security max-age >= 31536000, includeSubdomains and override.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const policies = args.resources.filter((r) => r.isType(aws.cloudfront.ResponseHeadersPolicy));
    for (const d of args.resources.filter((r) => r.isType(aws.cloudfront.Distribution))) {
      const all = behaviors({
        defaultCacheBehavior: prop<Behavior>(d, "defaultCacheBehavior"),
        orderedCacheBehaviors: prop<Behavior[]>(d, "orderedCacheBehaviors"),
      });
      for (const { where, behavior } of all) {
        const key = where === "defaultCacheBehavior" ? where : "orderedCacheBehaviors";
        // By id when it is known; in a preview, every policy the behaviours depend on.
        const id = behavior.responseHeadersPolicyId;
        const attached =
          id && id !== unknown
            ? policies.filter((p) => prop(p, "id") === id)
            : policies.filter((p) => refersTo(d, key, p));
        const fix =
          "attach an aws.cloudfront.ResponseHeadersPolicy whose securityHeadersConfig." +
          "strictTransportSecurity has accessControlMaxAgeSec >= 31536000, includeSubdomains " +
          "true and override true.";
        if (attached.length === 0) {
          report(
            `${where} of ${d.name} has no response headers policy of this stack: ${fix}`,
            d.urn,
          );
          continue;
        }
        for (const policy of attached) {
          const problem = hstsProblem(policy);
          if (problem) {
            report(
              `${where} of ${d.name}: response headers policy ${policy.name} ${problem}: ${fix}`,
              d.urn,
            );
          }
        }
      }
    }
  },
};
