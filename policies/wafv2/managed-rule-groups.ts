import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { rulesOf } from "../lib/wafv2";

const required = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"];

/** Web ACLs apply AWS's common and known-bad-inputs rule groups, blocking (not counting). */
export const managedRuleGroups: StackValidationPolicy = {
  name: "wafv2-managed-rule-groups",
  description:
    "FSBP WAF.10 and WAF: web ACLs apply the AWS managed rule groups AWSManagedRulesCommonRuleSet and AWSManagedRulesKnownBadInputsRuleSet, not in count mode.",
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
      }
    }
  },
};
