import assert from "node:assert/strict";
import type { RegisteredResource } from "../../scripts/offline/harness";
import { withFixtures } from "./fixtures";
import { addBeside, find, remove, set, violations } from "./gate";

const webAcl = "aws:wafv2/webAcl:WebAcl";
const loggingConfiguration = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";

type Rule = Record<string, unknown> & { name: string };

/** The fixture's web ACL with its rules changed by `change`. */
const withRules = (change: (rules: Rule[]) => Rule[]) => (resources: RegisteredResource[]) => {
  const acl = find(resources, webAcl);
  set(acl, "rules", change(acl.inputs.rules as Rule[]));
};

describe("wafv2", () => {
  describe("wafv2-managed-rule-groups", () => {
    const policy = "wafv2-managed-rule-groups";

    it("1: reports a web ACL without the known-bad-inputs group", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures(
          withRules((rules) =>
            rules.filter((r) => r.name !== "AWSManagedRulesKnownBadInputsRuleSet"),
          ),
        ),
      );
      assert.deepEqual(found, [
        'web ACL waf lacks the AWS managed rule group AWSManagedRulesKnownBadInputsRuleSet: add a rule with managedRuleGroupStatement { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" } and overrideAction { none: {} }.',
      ]);
    });

    it("2: reports the common rule set left in count mode", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures(
          withRules((rules) =>
            rules.map((r) =>
              r.name === "AWSManagedRulesCommonRuleSet"
                ? { ...r, overrideAction: { count: {} } }
                : r,
            ),
          ),
        ),
      );
      assert.deepEqual(found, [
        "web ACL waf only counts AWSManagedRulesCommonRuleSet (rule AWSManagedRulesCommonRuleSet): set its overrideAction to { none: {} } so the group blocks.",
      ]);
    });

    it("3: reports the wrong value: a rule of the group overridden to allow", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures(
          withRules((rules) =>
            rules.map((r) =>
              r.name === "AWSManagedRulesKnownBadInputsRuleSet"
                ? {
                    ...r,
                    statement: {
                      managedRuleGroupStatement: {
                        vendorName: "AWS",
                        name: "AWSManagedRulesKnownBadInputsRuleSet",
                        ruleActionOverrides: [
                          { name: "Log4JRCE_HEADER", actionToUse: { allow: {} } },
                          { name: "ExploitablePaths_URIPATH", actionToUse: { count: {} } },
                        ],
                      },
                    },
                  }
                : r,
            ),
          ),
        ),
      );
      assert.deepEqual(found, [
        "web ACL waf overrides Log4JRCE_HEADER of AWSManagedRulesKnownBadInputsRuleSet to allow, which lets every request those rules match through at once, past the rest of the web ACL: remove those ruleActionOverrides (or use actionToUse { count: {} } for a known false positive).",
      ]);
    });

    it("passes the groups inline, and as rules in ruleJson (the WAF API's shape)", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
      const json = await violations(
        policy,
        "prod",
        withFixtures((resources) => {
          const acl = find(resources, webAcl);
          set(acl, "rules", undefined);
          set(
            acl,
            "ruleJson",
            JSON.stringify(
              ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"].map(
                (name, i) => ({
                  Name: name,
                  Priority: i,
                  OverrideAction: { None: {} },
                  Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: name } },
                }),
              ),
            ),
          );
        }),
      );
      assert.deepEqual(json, []);
    });
  });

  describe("wafv2-rate-limit", () => {
    const policy = "wafv2-rate-limit";

    it("1: reports a web ACL without a rate-based rule", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures(withRules((rules) => rules.filter((r) => r.name !== "rate-limit"))),
      );
      assert.deepEqual(found, [
        'web ACL waf has no blocking rate-based rule: add a rule with rateBasedStatement { limit, aggregateKeyType: "IP" } and action { block: {} }.',
      ]);
    });

    it("2: reports a rate-based rule that only counts", async () => {
      const found = await violations(
        policy,
        "staging",
        withFixtures(
          withRules((rules) =>
            rules.map((r) => (r.name === "rate-limit" ? { ...r, action: { count: {} } } : r)),
          ),
        ),
      );
      assert.equal(found.length, 1);
    });

    /** The rate-based rule's statement with `change` applied. */
    const withRate = (statement: Record<string, unknown>) =>
      withFixtures(
        withRules((rules) =>
          rules.map((r) =>
            r.name === "rate-limit"
              ? {
                  ...r,
                  statement: {
                    rateBasedStatement: {
                      ...(r.statement as { rateBasedStatement: object }).rateBasedStatement,
                      ...statement,
                    },
                  },
                }
              : r,
          ),
        ),
      );

    it("3: reports the wrong value: a limit so high the rule blocks nothing a client sends", async () => {
      const found = await violations(policy, "prod", withRate({ limit: 2_000_000_000 }));
      assert.deepEqual(found, [
        "web ACL waf's rate-based rule rate-limit blocks only above 2000000000 requests in 300 seconds, more than this environment's maximum of 10000 in 300 seconds: lower rateBasedStatement.limit to at most 10000 (config wafRateLimit).",
      ]);
    });

    it("4: reports a limit over a 10-minute window that is above the maximum per 5 minutes", async () => {
      const found = await violations(
        policy,
        "prod",
        withRate({ limit: 25_000, evaluationWindowSec: 600 }),
      );
      assert.deepEqual(found, [
        "web ACL waf's rate-based rule rate-limit blocks only above 25000 requests in 600 seconds, more than this environment's maximum of 10000 in 300 seconds: lower rateBasedStatement.limit to at most 20000 (config wafRateLimit).",
      ]);
    });

    it("passes the maximum itself, and 2,000 in 60 seconds (10,000 in 5 minutes)", async () => {
      assert.deepEqual(await violations(policy, "prod", withRate({ limit: 10_000 })), []);
      assert.deepEqual(
        await violations(policy, "prod", withRate({ limit: 2_000, evaluationWindowSec: 60 })),
        [],
      );
    });

    it("passes a blocking rate-based rule, inline or as a separate aws.wafv2.WebAclRule", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
      const separate = await violations(
        policy,
        "prod",
        withFixtures((resources) => {
          const acl = find(resources, webAcl);
          const rules = acl.inputs.rules as Rule[];
          withRules((all) => all.filter((r) => r.name !== "rate-limit"))(resources);
          const rule = addBeside(resources, acl, "aws:wafv2/webAclRule:WebAclRule", "rate-limit", {
            ...rules.find((r) => r.name === "rate-limit"),
            webAclArn: acl.outputs.arn,
          });
          rule.propertyDependencies.webAclArn = [acl.urn];
        }),
      );
      assert.deepEqual(separate, []);
    });
  });

  describe("wafv2-logging", () => {
    const policy = "wafv2-logging";

    it("1: reports a web ACL without a logging configuration", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) => remove(resources, find(resources, loggingConfiguration))),
      );
      assert.deepEqual(found, [
        "web ACL waf is not logged: add an aws.wafv2.WebAclLoggingConfiguration for it (to a log group named aws-waf-logs-*) that redacts the authorization and cookie headers.",
      ]);
    });

    it("2: reports a logging configuration that writes cookies in clear", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(find(resources, loggingConfiguration), "redactedFields", [
            { singleHeader: { name: "authorization" } },
          ]),
        ),
      );
      assert.deepEqual(found, [
        'the logging configuration of web ACL waf writes the cookie header(s) in clear: add redactedFields { singleHeader: { name: "cookie" } }.',
      ]);
    });

    it("3: reports a destination WAF refuses (a log group not named aws-waf-logs-*)", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(find(resources, loggingConfiguration), "logDestinationConfigs", [
            "arn:aws:logs:us-east-1:123456789012:log-group:/waf/acme:*",
          ]),
        ),
      );
      assert.deepEqual(found, [
        "the logging configuration of web ACL waf sends to /waf/acme, whose name does not begin with aws-waf-logs-: WAF refuses the destination. Name the log group, bucket or Firehose stream aws-waf-logs-<something>.",
      ]);
    });

    it("passes a logged web ACL with authorization and cookie redacted", async () => {
      assert.deepEqual(await violations(policy, "staging", withFixtures()), []);
    });
  });
});
