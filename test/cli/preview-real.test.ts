/**
 * `npm run preview:real`: the real CLI's `pulumi preview` with the policy pack, the program run by
 * our language host against the offline provider plugins (scripts/preview-real.ts). Each preview
 * runs the program and the pack in Node.js processes of their own: about a minute each.
 */
import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { npmRun } from "../infra/npm-run";
import { previewReal } from "../../scripts/preview-real";
import { buildTimeout, pulumiBuild } from "./cli";

/** The `+ N to create` of the CLI's summary: every resource is new in a throw-away stack. */
function toCreate(stdout: string): number {
  const match = /^\s*\+ (\d+) to create$/m.exec(stdout);
  assert.ok(match, `no "to create" summary in:\n${stdout.slice(-2000)}`);
  return Number(match[1]);
}

/** The `N resources` line of `npm run preview:offline`. */
async function offlineCount(stack: string): Promise<number> {
  const run = await npmRun("preview:offline", "--stack", stack);
  assert.equal(run.code, 0, run.stderr);
  const match = /^(\d+) resources$/m.exec(run.stdout);
  assert.ok(match, run.stdout.slice(-2000));
  return Number(match[1]);
}

describe("npm run preview:real (the real CLI's preview, offline providers)", function () {
  this.timeout(6 * 60_000);
  before(function () {
    this.timeout(buildTimeout);
    pulumiBuild();
  });

  for (const stack of ["dev", "staging", "prod"]) {
    it(`${stack}: passes the pack, and declares as many resources as the offline preview`, async () => {
      const real = previewReal(stack, {}, { capture: true });
      const output = real.stdout + real.stderr;
      assert.equal(real.code, 0, output.slice(-4000));
      assert.match(real.stdout, /Loading policy packs\.\.\.: done/);
      assert.doesNotMatch(real.stdout, /\[mandatory\]/);
      // Nothing was downloaded: every plugin is a stand-in found on PATH.
      assert.doesNotMatch(output, /[Dd]ownloading plugin|installing plugin/);
      assert.equal(toCreate(real.stdout), await offlineCount(stack));
    });
  }

  it("prod: the pack judges unknowns as the real one does in a preview, advisory only", () => {
    // Where the two disagree: the offline gate judges the mocked values of a deployment, the real
    // preview leaves what AWS computes unknown, and the pack reports each policy that reads such a
    // value as not runnable ("can't run policy ... during preview"), at its enforcement level.
    const real = previewReal("prod", {}, { capture: true });
    assert.equal(real.code, 0, real.stdout.slice(-4000));
    assert.match(
      real.stdout,
      /\[advisory\]\s+cloudfront-waf\s+\(aws:cloudfront\/distribution:Distribution: prod-cdn\)\s+can't run policy 'cloudfront-waf'[^\n]* during preview: string value at \.webAclId can't be known during preview/,
    );
  });

  it("prod with log groups kept 30 days: config accepts it, the pack refuses it (mandatory)", async () => {
    // 30 is one of CloudWatch's retention periods, all infra/config/ asks; prod's pack config
    // requires at least 90 (policies/config/prod.json).
    const offline = await npmRun("preview:offline", "--stack", "prod", "-c", "logRetentionDays=30");
    assert.equal(offline.code, 0, offline.stderr);

    const real = previewReal("prod", { logRetentionDays: "30" }, { capture: true });
    const output = real.stdout + real.stderr;
    assert.notEqual(real.code, 0, output.slice(-4000));
    assert.match(real.stdout, /\[mandatory\]\s+cloudwatch-log-group-retention/);
    assert.match(real.stdout, /retentionInDays is 30: this environment requires at least 90/);
  });

  /**
   * Runs the dev preview with an alarm of `args` added to the program (in the throw-away copy)
   * and asserts the engine reports the offline provider's Check failure `problem` for it.
   */
  function assertCheckRefuses(name: string, args: string, problem: RegExp) {
    const probe = `import * as aws from "@pulumi/aws";
const provider = new aws.Provider("check-probe", { region: "eu-west-1" });
new aws.cloudwatch.MetricAlarm("${name}", {
  evaluationPeriods: 1,
  threshold: 1,
  treatMissingData: "notBreaching",
  ${args}
}, { provider });
`;
    const real = previewReal(
      "dev",
      {},
      {
        capture: true,
        prepare: (project) => {
          writeFileSync(join(project, "infra", "check-probe.ts"), probe);
          appendFileSync(join(project, "infra", "index.ts"), '\nimport "./check-probe";\n');
        },
      },
    );
    const output = real.stdout + real.stderr;
    assert.notEqual(real.code, 0, output.slice(-4000));
    const reported = `error: aws:cloudwatch/metricAlarm:MetricAlarm resource '${name}': `;
    const line = output.split("\n").find((l) => l.includes(reported));
    assert.ok(line, `no Check failure of ${name} in:\n${output.slice(-4000)}`);
    assert.match(line, problem);
  }

  // The engine stops at the first resource whose Check fails: one refused resource per preview.
  it("dev with an alarm setting both period and metricQueries: Check fails the preview", () => {
    assertCheckRefuses(
      "probe-conflict",
      `comparisonOperator: "GreaterThanThreshold",
  period: 60,
  metricQueries: [{ id: "m1", returnData: true, metric: { namespace: "AWS/ECS", metricName: "CPUUtilization", period: 60, stat: "Average" } }],`,
      /property period value \{60\} has a problem: must be metricQueries conflicts with period, .*internal\/service\/cloudwatch\/metric_alarm\.go/,
    );
  });

  it("dev with an alarm whose comparisonOperator is not one of AWS's: Check fails the preview", () => {
    assertCheckRefuses(
      "probe-enum",
      `comparisonOperator: "GreaterThan",
  namespace: "AWS/ECS",
  metricName: "CPUUtilization",
  period: 60,
  statistic: "Average",`,
      /property comparisonOperator value \{GreaterThan\} has a problem: must be one of GreaterThanOrEqualToThreshold, .*API_PutMetricAlarm\.html/,
    );
  });
});
