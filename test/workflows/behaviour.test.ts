/**
 * What the workflows' own commands and references do, run here rather than read: the step that
 * picks the Pulumi CLI's version, and the URN deploy.yml targets on production's first deploy.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ofType, repoRoot, runProgram } from "../../scripts/offline/harness";
import { loadWorkflows, pulumiVersionCommands } from "./rules";

const json = (path: string) => JSON.parse(readFileSync(join(repoRoot, path), "utf8"));

describe("workflows: behaviour", () => {
  it("install the Pulumi CLI of the SDK's exact version, from package.json alone", () => {
    const sdk = json("package.json").dependencies["@pulumi/pulumi"] as string;
    // One version: exact, the pack's SDK the same, and what npm installed.
    assert.match(sdk, /^\d+\.\d+\.\d+$/);
    assert.equal(json("policies/package.json").dependencies["@pulumi/pulumi"], sdk);
    assert.equal(json("node_modules/@pulumi/pulumi/package.json").version, sdk);

    const commands = Object.values(loadWorkflows()).flatMap(pulumiVersionCommands);
    assert.ok(commands.length >= 3, "deploy.yml's two jobs and preview.yml write the version");
    for (const command of new Set(commands)) {
      const temp = mkdtempSync(join(tmpdir(), "runner-temp-"));
      try {
        execFileSync("bash", ["--noprofile", "--norc", "-e", "-c", command], {
          cwd: repoRoot,
          env: { PATH: process.env.PATH, RUNNER_TEMP: temp },
        });
        // pulumi/actions trims the file and installs that version (v7.0.0, src/config.ts:56-63).
        assert.equal(readFileSync(join(temp, "pulumi-version"), "utf8").trim(), sdk, command);
      } finally {
        rmSync(temp, { recursive: true, force: true });
      }
    }
  });

  it("deploy.yml's first production deploy targets the program's image repository", async function () {
    this.timeout(120_000);
    const targets = new Set(
      deployTargets(loadWorkflows()["deploy.yml"].jobs.production.steps ?? []),
    );
    assert.equal(targets.size, 1);
    const run = await runProgram("prod");
    const repositories = ofType(run, "aws:ecr/repository:Repository").map((r) => r.urn);
    const [target] = targets;
    assert.ok(repositories.includes(target), `${target} is none of ${repositories.join(", ")}`);
  });
});

describe("docs/pipeline.md: the checks branch protection requires", () => {
  // A required check is named by its job's name (matrix values filled in), not its workflow's.
  it("are exactly the job check names of ci.yml and preview.yml", () => {
    const workflows = loadWorkflows();
    const checks = new Set<string>();
    for (const file of ["ci.yml", "preview.yml"]) {
      for (const job of Object.values(workflows[file].jobs)) {
        const name = job.name ?? "";
        const m = /\$\{\{\s*matrix\.(\w+)\s*\}\}/.exec(name);
        const values = m ? (job.strategy?.matrix?.[m[1]] ?? []).map(String) : [""];
        for (const value of values) checks.add(m ? name.replace(m[0], value) : name);
      }
    }
    const row = readFileSync(join(repoRoot, "docs", "pipeline.md"), "utf8")
      .split("\n")
      .find((line) => line.includes("| branch protection on `main` |"))!;
    const documented = [...row.split("|")[3].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    assert.deepEqual(documented.sort(), [...checks].sort());
  });
});

function deployTargets(steps: { with?: Record<string, unknown> }[]): string[] {
  return steps.map((s) => String(s.with?.target ?? "")).filter(Boolean);
}
