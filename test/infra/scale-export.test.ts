/**
 * The bigger stacks `npm run bench:gate -- --scale` times the gate on: prod's export repeated,
 * each copy renamed throughout. They must be exports a stack could have (every URN once, every
 * reference to a resource of the export, no copy pointing into another), and the gate must judge
 * one as it judges prod. Timings belong to the bench, not here.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toDeployment, type UntypedDeployment } from "../../scripts/offline/export";
import type { GateReport } from "../../scripts/offline/report";
import { scaleExport } from "../../scripts/offline/scale-export";
import { runGate } from "./gate-run";
import { stackRun } from "./stacks";

type State = Record<string, unknown> & { urn: string; type: string; id?: string };

const states = (d: UntypedDeployment) => d.deployment.resources as State[];

/** Every string inside a value. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** What in `deployment` does not hold together: duplicate URNs, references to no resource. */
function problems(deployment: UntypedDeployment): string[] {
  const found: string[] = [];
  const byUrn = new Map<string, State>();
  for (const s of states(deployment)) {
    if (byUrn.has(s.urn)) found.push(`${s.urn}: twice`);
    byUrn.set(s.urn, s);
  }
  const seen = new Set<string>();
  for (const s of states(deployment)) {
    const refer = (what: string, urn: unknown) => {
      // The engine requires a resource's parent, provider and dependencies to come before it.
      if (typeof urn !== "string" || !seen.has(urn)) found.push(`${s.urn}: ${what} ${urn}`);
    };
    if (s.parent !== undefined) refer("parent", s.parent);
    if (s.deletedWith !== undefined) refer("deletedWith", s.deletedWith);
    for (const urn of (s.dependencies as string[] | undefined) ?? []) refer("dependency", urn);
    for (const urns of Object.values((s.propertyDependencies ?? {}) as Record<string, string[]>)) {
      for (const urn of urns) refer("property dependency", urn);
    }
    if (typeof s.provider === "string") {
      const at = s.provider.lastIndexOf("::");
      const provider = byUrn.get(s.provider.slice(0, at));
      if (!seen.has(s.provider.slice(0, at)) || provider?.id !== s.provider.slice(at + 2)) {
        found.push(`${s.urn}: provider ${s.provider}`);
      }
    }
    seen.add(s.urn);
  }
  return found;
}

describe("a scaled stack export (bench:gate --scale)", function () {
  // The program once, then a gate run over some 2,000 resources, on a machine shared with others.
  this.timeout(300_000);
  let prod: UntypedDeployment;
  let scaled: UntypedDeployment;
  before(async () => {
    prod = toDeployment(await stackRun("prod"));
    scaled = scaleExport(prod, 10);
  });

  it("holds ten copies of prod's resources and one stack", () => {
    const stack = states(prod).filter((s) => s.type === "pulumi:pulumi:Stack");
    assert.equal(stack.length, 1);
    assert.equal(states(scaled).length, 1 + 10 * (states(prod).length - 1));
    assert.deepEqual(
      states(scaled).filter((s) => s.type === "pulumi:pulumi:Stack"),
      stack,
    );
    // Copy 1 is prod's export unchanged.
    assert.deepEqual(states(scaled).slice(0, states(prod).length), states(prod));
  });

  it("starts from an export that holds together, and keeps it so", () => {
    assert.deepEqual(problems(prod), []);
    assert.deepEqual(problems(scaled), []);
  });

  it("renames every copy's ids: no copy refers to another's resources", () => {
    const count = new Map<string, number>();
    for (const s of states(scaled)) {
      if (s.id && s.id.length >= 8) count.set(s.id, (count.get(s.id) ?? 0) + 1);
    }
    // An id several resources share in prod (a bucket's, on its settings) is shared as often.
    const inProd = new Map<string, number>();
    for (const s of states(prod)) {
      if (s.id && s.id.length >= 8) inProd.set(s.id, (inProd.get(s.id) ?? 0) + 1);
    }
    for (const [id, n] of inProd) assert.equal(count.get(id), n, id);
    const copy2 = states(scaled).slice(states(prod).length, 2 * states(prod).length - 1);
    const prodIds = new Set(inProd.keys());
    for (const s of copy2) {
      const shared = strings([s.inputs, s.outputs]).filter((text) => prodIds.has(text));
      assert.deepEqual(shared, [], `${s.urn} refers to copy 1`);
      assert.match(s.urn, /-c2$/);
    }
  });

  it("passes the gate as prod does, every resource checked", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scale-export-"));
    try {
      const file = join(dir, "prod-x10.json");
      writeFileSync(file, JSON.stringify(scaled));
      const run = await runGate(["--export", file, "--stack", "prod", "--json"]);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as GateReport;
      assert.equal(report.resourceCount, states(scaled).length);
      assert.deepEqual(report.violations, []);
      assert.deepEqual(report.notChecked, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
