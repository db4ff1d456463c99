import assert from "node:assert/strict";
import {
  ofType,
  runProgram,
  type ProgramRun,
  type RegisteredResource,
} from "../../scripts/offline/harness";
import {
  checkResource,
  fieldRules,
  formatViolation,
  UnreviewedType,
  type Rule,
} from "../../scripts/offline/field-rules";
import { stackRun } from "./stacks";

/** The longest project name the config accepts for prod: `<project>-prod` is 51 characters. */
const longestProdProject = "payments-platform-".padEnd(51 - "-prod".length, "x");
/** The longest runbook base URL the config accepts: 200 characters, https, no trailing slash. */
const longestRunbookUrl = "https://wiki.example.com/platform/runbooks/".padEnd(200, "x");

/**
 * The shipped stacks, and the variants that stretch the names and texts the program derives from
 * configuration: a renamed fork, the longest project name, the longest runbook URL.
 */
const variants: { label: string; run: () => Promise<ProgramRun> }[] = [
  { label: "dev", run: () => stackRun("dev") },
  { label: "staging", run: () => stackRun("staging") },
  { label: "prod", run: () => stackRun("prod") },
  {
    label: "staging as project payments-platform-eu",
    run: () => runProgram("staging", { project: "payments-platform-eu" }),
  },
  {
    label: `prod as project ${longestProdProject}`,
    run: () => runProgram("prod", { project: longestProdProject }),
  },
  {
    label: "staging with a 200-character runbookBaseUrl",
    run: () => runProgram("staging", { config: { runbookBaseUrl: longestRunbookUrl } }),
  },
];

describe("AWS field rules", () => {
  it("the long variants are the longest the config accepts", () => {
    assert.equal(`${longestProdProject}-prod`.length, 51);
    assert.equal(longestRunbookUrl.length, 200);
    assert.doesNotMatch(longestRunbookUrl, /\/$/);
  });

  for (const variant of variants) {
    describe(variant.label, () => {
      let run: ProgramRun;
      before(async () => {
        run = await variant.run();
      });

      it("every resource type has reviewed rules (or says why it has none)", () => {
        const unreviewed = [...new Set(run.resources.map((r) => r.type))].filter(
          (type) => !(type in fieldRules),
        );
        assert.deepEqual(
          unreviewed,
          [],
          `types missing from scripts/offline/field-rules.ts: ${unreviewed.join(", ")}`,
        );
      });

      it("no resource sets a value AWS or the AWS provider refuses", () => {
        const problems = run.resources
          .filter((r) => r.type in fieldRules)
          .flatMap((r) =>
            checkResource(r, run.resources).map((v) => formatViolation(variant.label, r, v)),
          );
        assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
      });
    });
  }

  describe("the rules bite", () => {
    let prod: ProgramRun;
    before(async () => {
      prod = await stackRun("prod");
    });

    /** A copy of the first recorded resource of `type` (matching `which`), with `change` applied. */
    function changed(
      type: string,
      change: (inputs: Record<string, unknown>) => void,
      which: (r: RegisteredResource) => boolean = () => true,
    ): RegisteredResource {
      const original = ofType(prod, type).find(which);
      assert.ok(original, `a recorded ${type}`);
      const copy = structuredClone(original);
      change(copy.inputs);
      return copy;
    }

    /** The table's rule of `type` on `path` whose text contains `text`. */
    function ruleOf(type: string, path: string, text: string): Rule {
      const entry = fieldRules[type];
      const rule =
        "rules" in entry
          ? entry.rules.find((r) => r.path === path && r.text.includes(text))
          : undefined;
      assert.ok(rule, `a rule of ${type} on ${path} saying "${text}"`);
      return rule;
    }

    function assertOnly(resource: RegisteredResource, rule: Rule) {
      const original = ofType(prod, resource.type).find((r) => r.urn === resource.urn)!;
      assert.deepEqual(checkResource(original, prod.resources), [], "the recorded resource passes");
      const violations = checkResource(resource, prod.resources);
      assert.deepEqual(
        violations.map((v) => v.rule.text),
        [rule.text],
        violations.map((v) => formatViolation("prod", resource, v)).join("\n"),
      );
      assert.equal(violations[0].rule, rule);
    }

    it("an apostrophe in a security group's description", () => {
      const type = "aws:ec2/securityGroup:SecurityGroup";
      const resource = changed(type, (i) => {
        i.description = "Load balancer's group";
      });
      assertOnly(resource, ruleOf(type, "description", "a-z, A-Z"));
    });

    it("a metric alarm with both period and metricQueries", () => {
      const type = "aws:cloudwatch/metricAlarm:MetricAlarm";
      const resource = changed(
        type,
        (i) => {
          i.period = 60;
        },
        (r) => Array.isArray(r.inputs.metricQueries),
      );
      assertOnly(resource, ruleOf(type, "metricQueries", "conflicts with period"));
    });

    it("an EventBridge rule description of 513 characters", () => {
      const type = "aws:cloudwatch/eventRule:EventRule";
      const resource = changed(type, (i) => {
        i.description = "x".repeat(513);
      });
      assertOnly(resource, ruleOf(type, "description", "at most 512"));
    });

    it("an RDS identifier with two hyphens in a row", () => {
      const type = "aws:rds/instance:Instance";
      const resource = changed(type, (i) => {
        i.identifier = "acme--prod";
      });
      assertOnly(resource, ruleOf(type, "identifier", "consecutive hyphens"));
    });

    it("a target group name of 33 characters", () => {
      const type = "aws:lb/targetGroup:TargetGroup";
      const resource = changed(type, (i) => {
        i.name = "t".repeat(33);
      });
      assertOnly(resource, ruleOf(type, "~name", "1 to 32"));
    });

    it("a log group retention of 4 days", () => {
      const type = "aws:cloudwatch/logGroup:LogGroup";
      const resource = changed(type, (i) => {
        i.retentionInDays = 4;
      });
      assertOnly(resource, ruleOf(type, "retentionInDays", "one of"));
    });

    it("an auto-named target group whose logical name leaves no room for Pulumi's suffix", () => {
      const type = "aws:lb/targetGroup:TargetGroup";
      const original = ofType(prod, type)[0];
      const resource = { ...structuredClone(original), name: "t".repeat(25) };
      assertOnly(resource, ruleOf(type, "~name", "auto-named"));
    });

    it("a tag key over 128 characters, counted with the provider's default tags", () => {
      const type = "aws:ec2/vpc:Vpc";
      const resource = changed(type, (i) => {
        i.tags = { ...(i.tags as object), ["k".repeat(129)]: "v" };
      });
      const violations = checkResource(resource, prod.resources);
      assert.deepEqual(
        violations.map((v) => [v.field, v.rule.text]),
        [
          [
            `tags.${"k".repeat(129)}`,
            "tag keys 1 to 128 characters, not starting with aws:; values at most 256",
          ],
        ],
      );
    });

    it("a resource type the table does not know fails, naming the type", () => {
      const resource = { ...structuredClone(prod.resources[1]), type: "aws:sqs/queue:Queue" };
      assert.throws(
        () => checkResource(resource, prod.resources),
        (err: unknown) => err instanceof UnreviewedType && /aws:sqs\/queue:Queue/.test(err.message),
      );
    });
  });
});
