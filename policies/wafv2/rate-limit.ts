import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { rulesOf, type Rule } from "../lib/wafv2";

export interface RateLimitConfig {
  maximumPerFiveMinutes: number;
}

/**
 * A rule's limit as requests in 5 minutes: WAF counts `limit` over `evaluationWindowSec` (60,
 * 120, 300 or 600; 300 when not set: "Rate-based rule statement", AWS WAF Developer Guide), so
 * 2,000 over 60 seconds is as strict as 10,000 over 300.
 */
const perFiveMinutes = (rule: Rule) =>
  ((rule.rateLimit ?? 0) * 300) / (rule.evaluationWindowSec ?? 300);

/**
 * Safe condition: every web ACL has a rate-based rule whose action is block and whose limit,
 * counted over 5 minutes, is at most `maximumPerFiveMinutes` (10,000 by default, about 33
 * requests a second from one client sustained for 5 minutes). WAF accepts limits up to
 * 2,000,000,000, at which a blocking rule blocks nothing a client can send; the program's
 * `wafRateLimit` setting accepts no more than this default.
 */
export const rateLimit: StackValidationPolicy = {
  name: "wafv2-rate-limit",
  description:
    "WAF 'rate limit': every web ACL has a rate-based rule whose action is block, with a limit of at most the configured maximum per 5 minutes (10,000 by default).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maximumPerFiveMinutes: { type: "integer", minimum: 10, default: 10_000 },
    },
  },
  validateStack: (args, report) => {
    const { maximumPerFiveMinutes } = args.getConfig<RateLimitConfig>();
    for (const acl of args.resources.filter((r) => r.isType(aws.wafv2.WebAcl))) {
      const blocking = rulesOf(acl, args.resources).filter(
        (r) => r.rateLimit !== undefined && r.blocks,
      );
      if (blocking.length === 0) {
        report(
          `web ACL ${acl.name} has no blocking rate-based rule: add a rule with ` +
            'rateBasedStatement { limit, aggregateKeyType: "IP" } and action { block: {} }.',
          acl.urn,
        );
      } else if (blocking.every((r) => perFiveMinutes(r) > maximumPerFiveMinutes)) {
        const rule = blocking[0];
        const window = rule.evaluationWindowSec ?? 300;
        report(
          `web ACL ${acl.name}'s rate-based rule ${rule.name} blocks only above ` +
            `${rule.rateLimit} requests in ${window} seconds, more than this environment's ` +
            `maximum of ${maximumPerFiveMinutes} in 300 seconds: lower rateBasedStatement.limit ` +
            `to at most ${Math.floor((maximumPerFiveMinutes * window) / 300)} (config ` +
            "wafRateLimit).",
          acl.urn,
        );
      }
    }
  },
};
