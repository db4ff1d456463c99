/**
 * `pulumi new <a copy of this repository>` run by the real CLI (the build `npm run pulumi` uses),
 * offline: a local file backend, the passphrase secrets provider, and the template's prompts
 * answered with `--yes` (each default) and `-c key=value` (a typed answer). Then the real program
 * and the gate run in the new project. What the CLI does, as these tests see it:
 * - Pulumi.yaml: the name replaced, the `template:` section removed, the comments kept, and a
 *   `pulumi:tags` config naming the template added (pkg/cmd/pulumi/project/newcmd/new.go at
 *   v3.248.0);
 * - the stack file: the template's own file if it has one, with the answers merged in, or a new
 *   one holding only the answers; either way re-marshalled as the CLI writes config
 *   (sdk/go/common/resource/config/map.go): every project key namespaced with the new name,
 *   sorted, numbers and booleans as strings, the comments among the keys dropped, and
 *   `encryptionsalt:` added. A prompt with no default answered blank writes nothing.
 * The CLI needs a language host to create a project of runtime nodejs; the real one cannot be
 * built here (its module is not served), so a stand-in that does nothing stands in for it
 * (tools/pulumi/language-standin), and the repository's installed packages are linked into the
 * new project instead of `npm install`.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { environments } from "../../infra/config";
import { repoRoot } from "../../scripts/offline/harness";
import { npmRunIn } from "../infra/npm-run";
import { buildTimeout, copyRepository, linkInstall, pulumiBuild, Sandbox } from "./cli";

interface StackFile {
  config: Record<string, unknown>;
  encryptionsalt?: string;
}

const readYaml = <T>(file: string) => parse(readFileSync(file, "utf8")) as T;

/** The config as the CLI writes it back: namespaced, scalars as strings, objects as they were. */
function asRewritten(config: Record<string, unknown>, project: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key.includes(":") ? key : `${project}:${key}`,
      value !== null && typeof value === "object" ? value : String(value),
    ]),
  );
}

/** The gate runs the program offline, then the policy pack over what it declared. */
async function assertPassesGate(dir: string, stack: string, project: string) {
  const gate = await npmRunIn(dir, "gate:offline", "--stack", stack);
  assert.equal(gate.code, 0, `${stack}: ${gate.stderr}${gate.stdout}`);
  assert.match(gate.stdout, / 0 mandatory, \d+ advisory violation/);
  const preview = await npmRunIn(dir, "preview:offline", "--stack", stack);
  assert.match(preview.stdout, new RegExp(`^Stack ${project}/${stack} `, "m"));
}

describe("pulumi new (the real CLI)", function () {
  // Up to two gate runs per test (two processes each), on machines shared with other test runs.
  this.timeout(600_000);
  let sandbox: Sandbox;
  let count = 0;
  before(function () {
    this.timeout(buildTimeout);
    pulumiBuild();
    sandbox = new Sandbox();
    sandbox.languageStandin = true;
  });
  after(() => sandbox?.remove());

  /**
   * `pulumi new` of a fresh copy of the repository (`edit` may change the copy first) into a new
   * directory, for `stack`, answering `typed` (every other prompt takes its default). Returns
   * the new project's directory, with the repository's packages linked in.
   */
  async function pulumiNew(
    stack: string,
    typed: Record<string, string>,
    { name, edit }: { name?: string; edit?: (template: string) => void } = {},
  ): Promise<string> {
    count += 1;
    const template = copyRepository(join(sandbox.root, `template-${count}`), {
      linkModules: false,
    });
    edit?.(template);
    const dir = join(sandbox.root, `project-${count}`);
    mkdirSync(dir);
    const answers = Object.entries(typed).flatMap(([key, value]) => ["-c", `${key}=${value}`]);
    const run = await sandbox.pulumi(
      dir,
      ...["new", template, "--yes", "--stack", stack],
      ...(name ? ["--name", name] : []),
      ...answers,
    );
    assert.equal(run.code, 0, `${run.stderr}${run.stdout}`);
    assert.match(run.stderr, new RegExp(`Created stack '${stack}'`));
    assert.match(run.stdout, /Saved config\n[^]*Your new project is ready to go!/);
    linkInstall(dir);
    return dir;
  }

  it("Enter at every prompt: each environment's stack file keeps every value it tunes", async () => {
    for (const env of environments) {
      const dir = await pulumiNew(env, {});
      const shipped = readYaml<StackFile>(join(repoRoot, `Pulumi.${env}.yaml`));
      const written = readYaml<StackFile>(join(dir, `Pulumi.${env}.yaml`));
      assert.deepEqual(written.config, asRewritten(shipped.config, "acme"), `Pulumi.${env}.yaml`);
      assert.match(written.encryptionsalt ?? "", /^v1:/);
    }
  });

  it("renamed project: the project file renamed and its stacks' keys under the new name; staging and prod pass the gate", async () => {
    const dir = await pulumiNew("staging", {}, { name: "myapp" });
    const project = readYaml<Record<string, unknown>>(join(dir, "Pulumi.yaml"));
    assert.equal(project.name, "myapp");
    assert.ok(!("template" in project), "the template section is removed");
    assert.deepEqual(project.config, {
      "pulumi:tags": { value: { "pulumi:template": join(sandbox.root, `template-${count}`) } },
    });
    assert.match(readFileSync(join(dir, "Pulumi.yaml"), "utf8"), /^# The Pulumi project\./);
    assert.match(readFileSync(join(dir, "Pulumi.staging.yaml"), "utf8"), /^ {2}myapp:owner: /m);

    // The second stack: `pulumi stack init` namespaces its file's keys with the new name too.
    assert.match(readFileSync(join(dir, "Pulumi.prod.yaml"), "utf8"), /^ {2}owner: /m);
    await sandbox.ok(dir, "stack", "init", "prod", "--secrets-provider", "passphrase");
    assert.match(readFileSync(join(dir, "Pulumi.prod.yaml"), "utf8"), /^ {2}myapp:owner: /m);
    for (const stack of ["staging", "prod"]) await assertPassesGate(dir, stack, "myapp");
  });

  it("the default stack name, dev, without a committed stack file: only the answers, and the program says to start from a copy", async () => {
    const dir = await pulumiNew(
      "dev",
      { accountId: "444455556666", owner: "payments", alertEmail: "payments-oncall@example.org" },
      { name: "shop", edit: (template) => rmSync(join(template, "Pulumi.dev.yaml")) },
    );
    const written = readYaml<StackFile>(join(dir, "Pulumi.dev.yaml"));
    assert.deepEqual(written.config, {
      "aws:region": "eu-west-1",
      "shop:accountId": "444455556666",
      "shop:alertEmail": "payments-oncall@example.org",
      "shop:costCenter": "cc-0000",
      "shop:owner": "payments",
    });
    // The per-environment values live in the committed stack files, not in the program.
    const preview = await npmRunIn(dir, "preview:offline", "--stack", "dev");
    assert.notEqual(preview.code, 0);
    assert.match(
      preview.stderr,
      /Pulumi\.dev\.yaml: leaves out \d+ keys every stack file sets .*; start from a copy of Pulumi\.dev\.yaml/,
    );
  });

  it("a project that keeps its name: the shipped dev stack file, merged with the answers", async () => {
    const dir = await pulumiNew("dev", {
      "aws:region": "eu-central-1",
      domainName: "app.example.com",
    });
    const { config } = readYaml<StackFile>(join(dir, "Pulumi.dev.yaml"));
    assert.equal(config["aws:region"], "eu-central-1");
    assert.equal(config["acme:domainName"], "app.example.com");
    assert.equal(config["acme:natGateways"], "instance", "a tuned value survives");
    await assertPassesGate(dir, "dev", "acme");
  });

  it("a short-lived review stack: dev's stack file with the environment key and a CIDR of its own", async () => {
    const dir = copyRepository(join(sandbox.root, "review"));
    const dev = readYaml<StackFile>(join(dir, "Pulumi.dev.yaml"));
    writeFileSync(
      join(dir, "Pulumi.pr-42.yaml"),
      stringify({ config: { ...dev.config, environment: "dev", vpcCidr: "10.42.0.0/16" } }),
    );
    const preview = await npmRunIn(dir, "preview:offline", "--stack", "pr-42");
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /environment: "dev"/);
    const gate = await npmRunIn(dir, "gate:offline", "--stack", "pr-42");
    assert.equal(gate.code, 0, gate.stderr);
    assert.match(gate.stdout, /checked against policies\/config\/dev\.json: 0 mandatory/);
  });
});
