/**
 * docs/configuration.md's "Adding a tunable", done as it says in a copy of the repository: its
 * patches applied (the schema, the component, the stack file, nothing else), the table
 * regenerated, the program type-checked and run, and the value found on the resource.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../scripts/offline/harness";
import { copyRepository } from "../cli/cli";
import { npmRunIn } from "./npm-run";

/** The patches of the example, in the order the guide gives them. */
function examplePatches(): string[] {
  const guide = readFileSync(join(repoRoot, "docs", "configuration.md"), "utf8");
  const section = guide.slice(guide.indexOf("## Adding a tunable"));
  const end = section.indexOf("\n## ", 1);
  return [...(end < 0 ? section : section.slice(0, end)).matchAll(/```diff\n([\s\S]*?)```/g)].map(
    (m) => m[1],
  );
}

/** The flow log's traffic type in a stack's export, as the program declared it. */
function trafficType(exportPath: string): unknown {
  const { deployment } = JSON.parse(readFileSync(exportPath, "utf8")) as {
    deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] };
  };
  const logs = deployment.resources.filter((r) => r.type === "aws:ec2/flowLog:FlowLog");
  assert.equal(logs.length, 1);
  return logs[0].inputs?.trafficType;
}

describe("docs/configuration.md: adding a tunable", function () {
  // A copy, a type check and three runs of the program on machines shared with other tests.
  this.timeout(900_000);
  let copy: string;
  before(() => {
    copy = copyRepository(mkdtempSync(join(tmpdir(), "tunable-")));
  });
  after(() => rmSync(copy, { recursive: true, force: true }));

  it("touches only the schema, the component and the stack file", () => {
    const patches = examplePatches();
    const files = patches.map((p) => /^\+\+\+ b\/(\S+)/m.exec(p)?.[1]);
    assert.deepEqual(files, ["infra/config/network.ts", "infra/network.ts", "Pulumi.dev.yaml"]);
    const patch = join(copy, "example.patch");
    writeFileSync(patch, patches.join(""));
    execFileSync("git", ["apply", "--whitespace=nowarn", patch], { cwd: copy });
    rmSync(patch);
  });

  it("type-checks, the schema and the component's settings agreeing", () => {
    execFileSync("npx", ["tsc", "--noEmit", "-p", "tsconfig.json"], { cwd: copy, stdio: "pipe" });
  });

  it("regenerates the configuration table with the new key", async () => {
    const run = await npmRunIn(copy, "docs:config");
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      readFileSync(join(copy, "docs", "configuration.md"), "utf8"),
      /^\| `flowLogTrafficType` \| network \| .* \| `ALL` \|/m,
    );
  });

  it("gives dev's flow log the stack file's value and prod's the default", async () => {
    for (const [stack, want] of [
      ["dev", "REJECT"],
      ["prod", "ALL"],
    ]) {
      const out = join(copy, `${stack}.json`);
      const run = await npmRunIn(copy, "preview:offline", "--stack", stack, "--write-export", out);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(trafficType(out), want, stack);
    }
  });

  it("refuses a misspelt value with the line the guide shows", async () => {
    const file = join(copy, "Pulumi.dev.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "flowLogTrafficType: REJECT",
        "flowLogTrafficType: REJECTED",
      ),
    );
    const run = await npmRunIn(copy, "preview:offline", "--stack", "dev");
    assert.notEqual(run.code, 0);
    const line =
      'Pulumi.dev.yaml: acme:flowLogTrafficType must be one of "ALL", "ACCEPT", "REJECT", got "REJECTED"';
    assert.ok(readFileSync(join(repoRoot, "docs", "configuration.md"), "utf8").includes(line));
    assert.match(
      run.stderr,
      new RegExp(`^error: ${line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"),
    );
  });
});
