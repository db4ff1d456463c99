/**
 * The policy pack started by the real CLI: `pulumi policy analyze` (new in 3.248) judges a stack's
 * state without running the program or any provider, so offline it is the one CLI path that runs
 * the pack. The pack is booted through `pulumi-analyzer-policy-nodejs` (see
 * tools/pulumi/pulumi-analyzer-policy-nodejs). The other `pulumi policy` commands (publish, ls,
 * enable, validate-config, ...) all need Pulumi Cloud.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../scripts/offline/harness";
import { npmRun } from "../infra/npm-run";
import {
  buildTimeout,
  pulumiBuild,
  readDeployment,
  Sandbox,
  withSecretsProvider,
  type Deployment,
} from "./cli";

interface PolicyEvent {
  policyEvent?: { resourceUrn?: string; policyName: string; enforcementLevel: string };
}

interface GateReport {
  violations: { policy: string; level: string; resource?: { urn: string } }[];
}

/** One `level policy urn` line per violation, sorted: what both sides must agree on. */
const lines = (violations: { level: string; policy: string; urn?: string }[]) =>
  violations.map((v) => `${v.level} ${v.policy} ${v.urn ?? ""}`).sort();

describe("pulumi policy analyze (the real CLI starts the pack)", function () {
  // Each analysis starts the pack in a Node.js process of its own (a few seconds each).
  this.timeout(5 * 60_000);
  let sandbox: Sandbox;
  let offline: Deployment;
  let offlineFile: string;
  before(async function () {
    this.timeout(buildTimeout);
    pulumiBuild();
    sandbox = new Sandbox();
    offlineFile = join(sandbox.root, "staging.offline.json");
    const preview = await npmRun(
      "preview:offline",
      "--stack",
      "staging",
      "--write-export",
      offlineFile,
    );
    assert.equal(preview.code, 0, preview.stderr);
    offline = readDeployment(offlineFile);
  });
  after(() => sandbox?.remove());

  /** A new stack `name` (an environment's stack file) holding `state`, analyzed with its config. */
  async function analyze(name: string, state: Deployment) {
    const dir = sandbox.project(name, ["Pulumi.yaml", "Pulumi.staging.yaml"]);
    await sandbox.ok(dir, "stack", "init", "staging", "--secrets-provider", "passphrase");
    const file = join(dir, "state.json");
    writeFileSync(file, JSON.stringify(await withSecretsProvider(sandbox, dir, "staging", state)));
    await sandbox.ok(dir, "stack", "import", "--stack", "staging", "--file", file);
    const run = await sandbox.pulumi(
      dir,
      ...["policy", "analyze", "--stack", "staging", "--json"],
      ...["--policy-pack", join(repoRoot, "policies")],
      ...["--policy-pack-config", join(repoRoot, "policies", "config", "staging.json")],
    );
    const events = run.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as PolicyEvent);
    const violations = events.flatMap((e) =>
      e.policyEvent
        ? [
            {
              level: e.policyEvent.enforcementLevel,
              policy: e.policyEvent.policyName,
              urn: e.policyEvent.resourceUrn,
            },
          ]
        : [],
    );
    return { ...run, violations };
  }

  it("staging: the same violations as the offline gate's, none mandatory", async () => {
    const cli = await analyze("staging", offline);
    assert.equal(cli.code, 0, cli.stderr);
    assert.ok(cli.violations.length > 0, "staging has advisory violations");
    assert.ok(cli.violations.every((v) => v.level === "advisory"));

    const gate = await npmRun(
      "gate:offline",
      "--export",
      offlineFile,
      "--stack",
      "staging",
      "--json",
    );
    assert.equal(gate.code, 0, gate.stderr);
    const report = JSON.parse(gate.stdout) as GateReport;
    assert.deepEqual(
      lines(cli.violations),
      lines(report.violations.map((v) => ({ ...v, urn: v.resource?.urn }))),
    );
  });

  it("a log group kept a day: a mandatory violation, and the CLI exits non-zero", async () => {
    const resources = offline.deployment.resources!;
    const logGroup = resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!;
    const shortened = (props: unknown) => ({
      ...(props as Record<string, unknown>),
      retentionInDays: 1,
    });
    const broken: Deployment = {
      ...offline,
      deployment: {
        ...offline.deployment,
        resources: resources.map((r) =>
          r === logGroup ? { ...r, inputs: shortened(r.inputs), outputs: shortened(r.outputs) } : r,
        ),
      },
    };
    const cli = await analyze("broken", broken);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /mandatory policy violations/);
    assert.deepEqual(
      cli.violations.filter((v) => v.level === "mandatory"),
      [{ level: "mandatory", policy: "cloudwatch-log-group-retention", urn: logGroup.urn }],
    );
  });
});
