/**
 * A web ACL's rules, wherever they are declared: inline `rules`, `ruleJson` (the WAF API's own
 * shape) or separate `aws.wafv2.WebAclRule` resources.
 */
import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { prop, refersTo } from "./stack";

export interface Rule {
  name: string;
  managedGroup?: { vendorName?: string; name?: string };
  /** Only counts matches instead of applying the group's or rule's own action. */
  countOnly: boolean;
  rateLimit?: number;
  /** Rules of the managed group whose action is overridden to allow (ruleActionOverrides). */
  allowOverrides: string[];
  /** The seconds `rateLimit` counts over (WAF's default, 300, when not set). */
  evaluationWindowSec?: number;
  blocks: boolean;
}

interface InlineRule {
  name?: string;
  action?: { block?: unknown; count?: unknown };
  overrideAction?: { count?: unknown };
  statement?: {
    managedRuleGroupStatement?: {
      vendorName?: string;
      name?: string;
      ruleActionOverrides?: { name?: string; actionToUse?: { allow?: unknown } }[];
    };
    rateBasedStatement?: { limit?: number; evaluationWindowSec?: number };
  };
}

interface ApiRule {
  Name?: string;
  Action?: { Block?: unknown; Count?: unknown };
  OverrideAction?: { Count?: unknown };
  Statement?: {
    ManagedRuleGroupStatement?: {
      VendorName?: string;
      Name?: string;
      RuleActionOverrides?: { Name?: string; ActionToUse?: { Allow?: unknown } }[];
    };
    RateBasedStatement?: { Limit?: number; EvaluationWindowSec?: number };
  };
}

function fromInline(rule: InlineRule): Rule {
  return {
    name: rule.name ?? "",
    managedGroup: rule.statement?.managedRuleGroupStatement,
    countOnly: !!rule.overrideAction?.count || !!rule.action?.count,
    allowOverrides: (rule.statement?.managedRuleGroupStatement?.ruleActionOverrides ?? [])
      .filter((o) => o.actionToUse?.allow !== undefined)
      .map((o) => o.name ?? ""),
    rateLimit: rule.statement?.rateBasedStatement?.limit,
    evaluationWindowSec: rule.statement?.rateBasedStatement?.evaluationWindowSec,
    blocks: !!rule.action?.block,
  };
}

function fromApi(rule: ApiRule): Rule {
  const group = rule.Statement?.ManagedRuleGroupStatement;
  return {
    name: rule.Name ?? "",
    managedGroup: group && { vendorName: group.VendorName, name: group.Name },
    countOnly: !!rule.OverrideAction?.Count || !!rule.Action?.Count,
    allowOverrides: (group?.RuleActionOverrides ?? [])
      .filter((o) => o.ActionToUse?.Allow !== undefined)
      .map((o) => o.Name ?? ""),
    rateLimit: rule.Statement?.RateBasedStatement?.Limit,
    evaluationWindowSec: rule.Statement?.RateBasedStatement?.EvaluationWindowSec,
    blocks: !!rule.Action?.Block,
  };
}

export function rulesOf(acl: PolicyResource, resources: PolicyResource[]): Rule[] {
  const inline = (prop<InlineRule[]>(acl, "rules") ?? []).map(fromInline);
  let api: Rule[] = [];
  const json = prop<string>(acl, "ruleJson");
  if (json) {
    try {
      api = (JSON.parse(json) as ApiRule[]).map(fromApi);
    } catch {
      // Not known yet, or not JSON (the provider rejects that): nothing to read.
    }
  }
  const separate = resources
    .filter((r) => r.isType(aws.wafv2.WebAclRule) && refersTo(r, "webAclArn", acl))
    .map((r) =>
      fromInline({
        name: prop(r, "name"),
        action: prop(r, "action"),
        overrideAction: prop(r, "overrideAction"),
        statement: prop(r, "statement"),
      }),
    );
  return [...inline, ...api, ...separate];
}
