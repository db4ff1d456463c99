/**
 * The real Pulumi CLI (built from its Go module by scripts/pulumi.ts, the build `npm run pulumi`
 * uses) in a sandbox of its own per test: a home, a local file backend and the passphrase secrets
 * provider, so nothing reaches Pulumi Cloud or AWS.
 */
import { execFile } from "node:child_process";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../scripts/offline/harness";
import { ensurePulumi, pulumiEnv, type PulumiBuild } from "../../scripts/pulumi";

export { copyRepository, linkInstall } from "../infra/repo-copy";

const exec = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The passphrase every sandbox's stacks are encrypted with. */
export const passphrase = "correct horse battery staple";

/** Long enough for a cold build: module downloads and the compile of the CLI on 2 cores. */
export const buildTimeout = 45 * 60_000;

let build: PulumiBuild | undefined;

/** The CLI, built on first use (the same cache as `npm run pulumi`). */
export function pulumiBuild(): PulumiBuild {
  build ??= ensurePulumi();
  return build;
}

export class Sandbox {
  readonly root = mkdtempSync(join(tmpdir(), "pulumi-cli-"));
  readonly home = join(this.root, "home");

  constructor() {
    mkdirSync(this.home);
  }

  /**
   * The environment for the CLI run in `cwd`: a file backend of that directory's own (a stack
   * name is unique per project in a backend, and each test's project is named `acme`).
   */
  env(cwd: string): NodeJS.ProcessEnv {
    const state = join(this.root, "state", relative(this.root, cwd).replaceAll(sep, "_"));
    mkdirSync(state, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...pulumiEnv(pulumiBuild().binDir),
      PULUMI_HOME: this.home,
      PULUMI_BACKEND_URL: `file://${state}`,
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      // Plugins come from PATH only: the CLI must not try to download one.
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      NO_COLOR: "1",
    };
    // A developer's own settings must not leak in.
    delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
    delete env.PULUMI_ACCESS_TOKEN;
    delete env.PULUMI_STACK;
    return env;
  }

  /** A directory under the sandbox holding copies of these repository files. */
  project(name: string, files: string[]): string {
    const dir = join(this.root, name);
    mkdirSync(dir, { recursive: true });
    for (const file of files) cpSync(join(repoRoot, file), join(dir, file));
    return dir;
  }

  /** With `languageStandin`, the stand-in language host is on PATH (for `pulumi new` only). */
  languageStandin = false;

  async pulumi(cwd: string, ...args: string[]): Promise<CliResult> {
    const env = this.env(cwd);
    if (this.languageStandin) env.PATH = `${pulumiBuild().standinDir}${delimiter}${env.PATH}`;
    try {
      const { stdout, stderr } = await exec(join(pulumiBuild().binDir, "pulumi"), args, {
        cwd,
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number | string; stdout: string; stderr: string };
      if (typeof e.code !== "number") throw err;
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  /** The same, failing the test with the CLI's output unless it exits 0. */
  async ok(cwd: string, ...args: string[]): Promise<string> {
    const r = await this.pulumi(cwd, ...args);
    if (r.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stderr}${r.stdout}`);
    }
    return r.stdout;
  }

  remove() {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A `pulumi stack export` file, as far as these tests look into it. */
export interface Deployment {
  version: number;
  deployment: {
    manifest: Record<string, unknown>;
    secrets_providers?: { type: string; state?: unknown };
    resources?: ({ urn: string; type: string } & Record<string, unknown>)[];
  };
}

export const readDeployment = (file: string) =>
  JSON.parse(readFileSync(file, "utf8")) as Deployment;

/**
 * An offline export made importable into `stack`: with that stack's secrets provider, as
 * `pulumi stack export` of the new, empty stack shows it. The CLI builds the imported state's
 * secrets manager from this section only; the offline export has none (there is no passphrase
 * offline to write it with), and without it `pulumi stack import` of a state with secrets fails
 * (pkg/cmd/pulumi/stack/stack_import.go at v3.248.0 saves the snapshot with no secrets manager:
 * the encrypter panics, "attempt to encrypt value").
 */
export async function withSecretsProvider(
  sandbox: Sandbox,
  dir: string,
  stack: string,
  offline: Deployment,
): Promise<Deployment> {
  const empty = JSON.parse(
    await sandbox.ok(dir, "stack", "export", "--stack", stack),
  ) as Deployment;
  assert.equal(empty.deployment.secrets_providers?.type, "passphrase");
  return {
    ...offline,
    deployment: { ...offline.deployment, secrets_providers: empty.deployment.secrets_providers },
  };
}
