import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { rulesOf } from "../lib/wafv2";

/** Web ACLs block clients that exceed a request rate. */
export const rateLimit: StackValidationPolicy = {
  name: "wafv2-rate-limit",
  description: "WAF 'rate limit': every web ACL has a rate-based rule whose action is block.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const acl of args.resources.filter((r) => r.isType(aws.wafv2.WebAcl))) {
      const rules = rulesOf(acl, args.resources).filter((r) => r.rateLimit !== undefined);
      if (!rules.some((r) => r.blocks)) {
        report(
          `web ACL ${acl.name} has no blocking rate-based rule: add a rule with ` +
            'rateBasedStatement { limit, aggregateKeyType: "IP" } and action { block: {} }.',
          acl.urn,
        );
      }
    }
  },
};
