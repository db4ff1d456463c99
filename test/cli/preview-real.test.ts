/**
 * `npm run preview:real`: the real CLI's `pulumi preview` with the policy pack, the program run by
 * our language host against the offline provider plugins (scripts/preview-real.ts). Each preview
 * runs the program and the pack in Node.js processes of their own: about a minute each.
 */
import assert from "node:assert/strict";
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
});
