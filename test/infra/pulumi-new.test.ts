/**
 * What `pulumi new <this repository>` does to a copy of it, reproduced from the Pulumi CLI's source
 * (pkg/cmd/pulumi/project/newcmd/config.go and sdk/go/common/resource/config/map.go), then the
 * real program and the gate run in that copy:
 * - the project is renamed if asked and the `template:` section is dropped from Pulumi.yaml;
 * - each `template.config` key is asked with its default; a blank answer takes the default, and
 *   an empty value is not saved;
 * - the answers are merged into Pulumi.<stack>.yaml if it exists (existing keys overwritten),
 *   and the file is written back with every key namespaced, as the CLI marshals its config map.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { environments } from "../../infra/config";
import { repoRoot, stackConfig } from "../../scripts/offline/harness";
import { npmRunIn } from "./npm-run";

interface TemplatePrompt {
  description: string;
  default?: string;
}

const template = () =>
  (
    parse(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8")) as {
      template: { config: Record<string, TemplatePrompt> };
    }
  ).template.config;

/** A checkout of the repository's files (tracked and new), sharing its installed packages. */
function copyRepository(): string {
  const dir = mkdtempSync(join(tmpdir(), "pulumi-new-"));
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
    cwd: repoRoot,
    encoding: "utf8",
  })
    .split("\0")
    .filter((f) => f && existsSync(join(repoRoot, f)));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(dir, file));
  }
  for (const modules of ["node_modules", "app/node_modules", "policies/node_modules"]) {
    if (existsSync(join(repoRoot, modules)))
      symlinkSync(join(repoRoot, modules), join(dir, modules));
  }
  // The compiled pack, as `npm ci` leaves it; a copy whose policies change rebuilds it.
  const dist = join(repoRoot, "policies", "dist");
  if (existsSync(dist)) cpSync(dist, join(dir, "policies", "dist"), { recursive: true });
  return dir;
}

/** A config key as the CLI parses it for a project: no namespace means the project's. */
const qualified = (project: string, key: string) => (key.includes(":") ? key : `${project}:${key}`);

/**
 * Runs `pulumi new` in `dir`, answering each prompt from `typed` (a key left out is answered by
 * pressing Enter), and saves the answers into the file of each of `stacks` (the first is the one
 * `pulumi new` creates; the others as `pulumi config set` would with the same answers).
 * Returns the project's name.
 */
function pulumiNew(
  dir: string,
  stacks: string[],
  typed: Record<string, string>,
  name?: string,
): string {
  const projectFile = join(dir, "Pulumi.yaml");
  const project = parse(readFileSync(projectFile, "utf8")) as Record<string, unknown> & {
    name: string;
    template: { config: Record<string, TemplatePrompt> };
  };
  const prompts = project.template.config;
  const projectName = name ?? project.name;
  const renamed: Record<string, unknown> = { ...project, name: projectName };
  delete renamed.template;
  writeFileSync(projectFile, stringify(renamed));

  const answers: Record<string, string> = {};
  for (const [key, prompt] of Object.entries(prompts)) {
    const value = typed[key] ?? prompt.default ?? "";
    if (value !== "") answers[qualified(projectName, key)] = value;
  }
  for (const key of Object.keys(typed)) assert.ok(key in prompts, `${key} is not prompted for`);

  for (const stack of stacks) {
    const stackFile = join(dir, `Pulumi.${stack}.yaml`);
    const existing = existsSync(stackFile)
      ? (parse(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> })
      : {};
    const merged: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(existing.config ?? {})) {
      merged[qualified(projectName, key)] = value;
    }
    Object.assign(merged, answers);
    const sorted = Object.fromEntries(
      Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)),
    );
    writeFileSync(stackFile, stringify({ ...existing, config: sorted }));
  }
  return projectName;
}

/** The gate runs the program offline, then the policy pack over what it declared. */
async function assertPassesGate(dir: string, stack: string, project: string) {
  const gate = await npmRunIn(dir, "gate:offline", "--stack", stack);
  assert.equal(gate.code, 0, `${stack}: ${gate.stderr}${gate.stdout}`);
  assert.match(gate.stdout, / 0 mandatory, \d+ advisory violation/);
  const preview = await npmRunIn(dir, "preview:offline", "--stack", stack);
  assert.match(preview.stdout, new RegExp(`^Stack ${project}/${stack} `, "m"));
}

describe("pulumi new", function () {
  // Up to two gate runs per test (two processes each), on machines shared with other test runs.
  this.timeout(600_000);
  const copies: string[] = [];
  const copy = () => {
    const dir = copyRepository();
    copies.push(dir);
    return dir;
  };
  after(() => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it("overwrites nothing a stack file tunes when every prompt is answered with Enter", () => {
    for (const env of environments) {
      const { config } = stackConfig(env);
      for (const [key, prompt] of Object.entries(template())) {
        if (prompt.default === undefined) continue;
        assert.equal(config[qualified("acme", key)], prompt.default, `Pulumi.${env}.yaml ${key}`);
      }
    }
  });

  it("renamed project: staging and prod preview and pass the gate with the answers under the new name", async () => {
    const dir = copy();
    assert.equal(pulumiNew(dir, ["staging", "prod"], {}, "myapp"), "myapp");
    for (const stack of ["staging", "prod"]) {
      assert.match(readFileSync(join(dir, `Pulumi.${stack}.yaml`), "utf8"), /^ {2}myapp:owner: /m);
      await assertPassesGate(dir, stack, "myapp");
    }
    assert.ok(!("template" in parse(readFileSync(join(dir, "Pulumi.yaml"), "utf8"))));
  });

  it("the default stack name, dev, with a fresh stack file holding only the answers", async () => {
    const dir = copy();
    rmSync(join(dir, "Pulumi.dev.yaml"));
    pulumiNew(
      dir,
      ["dev"],
      { accountId: "444455556666", owner: "payments", alertEmail: "payments-oncall@example.org" },
      "shop",
    );
    const written = parse(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8"));
    assert.deepEqual(Object.keys(written.config).sort(), [
      "aws:region",
      "shop:accountId",
      "shop:alertEmail",
      "shop:costCenter",
      "shop:owner",
    ]);
    await assertPassesGate(dir, "dev", "shop");
  });

  it("a project that keeps its name: the shipped dev stack file, merged with the answers", async () => {
    const dir = copy();
    pulumiNew(dir, ["dev"], { "aws:region": "eu-central-1", domainName: "app.example.com" });
    const { config } = parse(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8"));
    assert.equal(config["aws:region"], "eu-central-1");
    assert.equal(config["acme:natGateways"], "instance", "a tuned value survives");
    await assertPassesGate(dir, "dev", "acme");
  });

  it("a short-lived review stack takes an environment's defaults from one key", async () => {
    const dir = copy();
    writeFileSync(
      join(dir, "Pulumi.pr-42.yaml"),
      stringify({
        config: {
          "aws:region": "eu-west-1",
          environment: "dev",
          accountId: "444455556666",
          owner: "platform-team",
          costCenter: "cc-0000",
          alertEmail: "oncall@example.com",
          vpcCidr: "10.42.0.0/16",
        },
      }),
    );
    const preview = await npmRunIn(dir, "preview:offline", "--stack", "pr-42");
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /environment: "dev"/);
    const gate = await npmRunIn(dir, "gate:offline", "--stack", "pr-42");
    assert.equal(gate.code, 0, gate.stderr);
    assert.match(gate.stdout, /checked against policies\/config\/dev\.json: 0 mandatory/);
  });
});
