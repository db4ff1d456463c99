import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { rulesOf } from "../lib/wafv2";

const required = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"];

/**
 * Safe condition: every web ACL applies AWS's common and known-bad-inputs rule groups with
 * overrideAction none (not count), and overrides none of their rules to allow. Allow is a
 * terminating action: "AWS WAF stops inspecting the web request and allows it", past every rule
 * evaluated after it, rate limit included ("Using rule actions in AWS WAF", AWS WAF Developer
 * Guide), so a rule overridden to allow lets through exactly the requests it was written to stop.
 * Overriding a rule to count (a known false positive) stays a reviewed choice.
 */
export const managedRuleGroups: StackValidationPolicy = {
  name: "wafv2-managed-rule-groups",
  description:
    "FSBP WAF.10 and WAF: web ACLs apply the AWS managed rule groups AWSManagedRulesCommonRuleSet and AWSManagedRulesKnownBadInputsRuleSet, not in count mode, with no rule overridden to allow.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    for (const acl of args.resources.filter((r) => r.isType(aws.wafv2.WebAcl))) {
      const rules = rulesOf(acl, args.resources);
      for (const group of required) {
        const rule = rules.find(
          (r) => r.managedGroup?.vendorName === "AWS" && r.managedGroup.name === group,
        );
        if (!rule) {
          report(
            `web ACL ${acl.name} lacks the AWS managed rule group ${group}: add a rule with ` +
              `managedRuleGroupStatement { vendorName: "AWS", name: "${group}" } and ` +
              "overrideAction { none: {} }.",
            acl.urn,
          );
        } else if (rule.countOnly) {
          report(
            `web ACL ${acl.name} only counts ${group} (rule ${rule.name}): set its ` +
              "overrideAction to { none: {} } so the group blocks.",
            acl.urn,
          );
        }
        if (rule && rule.allowOverrides.length > 0) {
          report(
            `web ACL ${acl.name} overrides ${rule.allowOverrides.join(", ")} of ${group} to ` +
              "allow, which lets every request those rules match through at once, past the " +
              "rest of the web ACL: remove those ruleActionOverrides (or use actionToUse " +
              "{ count: {} } for a known false positive).",
            acl.urn,
          );
        }
      }
    }
  },
};
