import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { environments } from "../../infra/config";
import {
  coverage,
  docFile,
  readDecisions,
  renderTable,
  tableIn,
  type Coverage,
  type StackResources,
} from "../../scripts/offline/coverage";
import { stackPolicyConfig, packPolicies } from "../../scripts/offline/policy-config";
import { policyReads } from "../../scripts/offline/policy-reads";
import { stackRun } from "./stacks";

/** Every stack's resources (the real program, run under mocks) with its policy config. */
async function stacks(): Promise<StackResources[]> {
  const found: StackResources[] = [];
  // One after another: the program runs under process-wide mocks.
  for (const stack of environments) {
    const { resources } = await stackRun(stack);
    found.push({ stack, resources: structuredClone(resources), config: stackPolicyConfig(stack) });
  }
  return found;
}

describe("coverage table (docs/quality-gate.md, docs/coverage.json)", () => {
  let shipped: Coverage;
  before(async () => {
    shipped = await coverage(await stacks());
  });

  it("explains every type and property the three stacks set, and nothing they no longer set", () => {
    assert.deepEqual(shipped.unexplained, []);
    assert.deepEqual(shipped.stale, []);
  });

  it("is in the doc as npm run docs:coverage writes it", () => {
    assert.equal(
      tableIn(readFileSync(docFile, "utf8")),
      renderTable(shipped.rows),
      "docs/quality-gate.md's coverage table is stale: run npm run docs:coverage",
    );
  });

  it("names only policies of the pack, in its columns and its reasons", () => {
    const pack = packPolicies().map((p) => p.name);
    const doc = tableIn(readFileSync(docFile, "utf8")) ?? "";
    const named = new Set([...doc.matchAll(/`([a-z0-9]+(?:-[a-z0-9]+)+)`/g)].map((m) => m[1]));
    assert.deepEqual(
      [...named].filter((n) => !pack.includes(n)),
      [],
    );
  });

  it("fails on a type or property a stack gains that the table does not explain", async () => {
    const changed = await stacks();
    const prod = changed.find((s) => s.stack === "prod")!;
    const instance = prod.resources.find((r) => r.type === "aws:rds/instance:Instance")!;
    instance.inputs.caCertIdentifier = "rds-ca-rsa2048-g1";
    prod.resources.push({
      ...structuredClone(instance),
      urn: instance.urn.replace("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"),
      type: "aws:rds/cluster:Cluster",
    });
    const { unexplained } = await coverage(changed);
    assert.ok(unexplained.includes("aws:rds/instance:Instance.caCertIdentifier"), `${unexplained}`);
    assert.ok(unexplained.includes("aws:rds/cluster:Cluster"), `${unexplained}`);
  });

  it("records a policy's read of a property the resource leaves unset (how it reads a default)", async () => {
    const prod = (await stacks()).find((s) => s.stack === "prod")!;
    // The stacks set it; a program that leaves it to the provider's default must still show the read.
    const instance = prod.resources.find((r) => r.type === "aws:rds/instance:Instance")!;
    delete instance.inputs.iamDatabaseAuthenticationEnabled;
    const reads = await policyReads(prod.resources, prod.config);
    assert.ok(
      reads.some(
        (r) =>
          r.policy === "rds-instance-iam-authentication" &&
          r.property === "iamDatabaseAuthenticationEnabled",
      ),
    );
  });

  it("refuses a reason that points to a shared reason that does not exist", async () => {
    const decisions = readDecisions();
    const [type] = Object.keys(decisions.types);
    decisions.types[type].properties = { anything: "@no-such-reason" };
    await assert.rejects(coverage(await stacks(), decisions), /no shared reason @no-such-reason/);
  });
});
