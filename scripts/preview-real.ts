/**
 * `npm run preview:real -- --stack <name> [-c key=value ...]`
 *
 * The real Pulumi CLI's `pulumi preview` of a stack, judged by the policy pack with the
 * environment's enforcement, as .github/workflows/preview.yml runs it:
 * `preview --policy-pack policies --policy-pack-config policies/config/<stack>.json`. It runs
 * offline, in a throw-away copy of the repository (the committed stack files stay as they are)
 * with a local file backend and the passphrase secrets provider, against:
 *
 * - our Node.js language host (tools/pulumi/language-nodejs, built with the CLI by
 *   scripts/pulumi.ts), which runs the program with the SDK's own runner and starts the pack;
 * - offline stand-ins for the provider plugins `aws`, `docker-build` and `random`
 *   (tools/pulumi/offline-provider.ts: answers from scripts/offline/mocks.ts), found on PATH, so
 *   nothing is downloaded (PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION makes a missing plugin an
 *   error, not a download).
 *
 * `-c` overrides a stack-file value for this run, as `pulumi preview -c` does. Prints the CLI's
 * output and exits with its code: 0, or non-zero on a program error or a mandatory violation.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { HELP, parseStackArgs } from "./offline/cli";
import { repoRoot } from "./offline/harness";
import { ensurePulumi, languageHost, pulumiEnv, toolsDir } from "./pulumi";

const usage = "usage: npm run preview:real -- --stack <name> [-c key=value ...]";

/** The provider plugins the program needs (package.json's provider packages). */
export const providers = ["aws", "docker-build", "random"];

/** The passphrase the throw-away stack's secrets are encrypted with. */
const passphrase = "preview-real: throw-away local stack";

/** A copy of the repository's files (tracked and new, as git lists them), sharing node_modules. */
function copyRepository(dir: string) {
  const listed = spawnSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split("\0")) {
    if (!file || !existsSync(join(repoRoot, file))) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(dir, file));
  }
  for (const modules of ["node_modules", "app/node_modules", "policies/node_modules"]) {
    if (existsSync(join(repoRoot, modules)))
      symlinkSync(join(repoRoot, modules), join(dir, modules));
  }
  // The compiled pack, as `npm ci` leaves it (git ignores it).
  const dist = join(repoRoot, "policies", "dist");
  if (existsSync(dist)) cpSync(dist, join(dir, "policies", "dist"), { recursive: true });
}

/** One `pulumi-resource-<pkg>` shim per provider, running the offline provider for that package. */
function writeProviderShims(dir: string) {
  mkdirSync(dir, { recursive: true });
  const register = join(repoRoot, "scripts", "register.cjs");
  const provider = join(toolsDir, "offline-provider.ts");
  for (const pkg of providers) {
    const shim = join(dir, `pulumi-resource-${pkg}`);
    writeFileSync(
      shim,
      `#!/bin/sh\nexec node --require ${JSON.stringify(register)} ${JSON.stringify(provider)} ${pkg} "$@"\n`,
    );
    chmodSync(shim, 0o755);
  }
}

export interface RealPreview {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the preview; with `capture` the CLI's output is returned rather than printed. `extraArgs`
 * go to `pulumi preview` (the tests pass `--json`); `prepare` changes the throw-away copy of the
 * repository first (the tests add resources to the program there).
 */
export function previewReal(
  stack: string,
  config: Record<string, string>,
  {
    capture = false,
    extraArgs = [] as string[],
    prepare = (() => {}) as (project: string) => void,
  } = {},
): RealPreview {
  const build = ensurePulumi();
  const root = mkdtempSync(join(tmpdir(), "preview-real-"));
  try {
    const project = join(root, "project");
    const home = join(root, "home");
    const state = join(root, "state");
    const shims = join(root, "plugins");
    for (const dir of [project, home, state]) mkdirSync(dir, { recursive: true });
    copyRepository(project);
    prepare(project);
    writeProviderShims(shims);

    const base = pulumiEnv(build.binDir);
    const env: NodeJS.ProcessEnv = {
      ...base,
      // Our language host and the provider shims before the CLI's folder on PATH.
      PATH: [join(build.binDir, languageHost), shims, base.PATH].join(delimiter),
      PULUMI_HOME: home,
      PULUMI_BACKEND_URL: `file://${state}`,
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    // A developer's own settings must not leak in.
    for (const key of [
      "PULUMI_CONFIG_PASSPHRASE_FILE",
      "PULUMI_ACCESS_TOKEN",
      "PULUMI_STACK",
      "PULUMI_IGNORE_AMBIENT_PLUGINS",
    ]) {
      delete env[key];
    }
    const pulumi = (args: string[], inherit: boolean) =>
      spawnSync(join(build.binDir, "pulumi"), args, {
        cwd: project,
        env,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        stdio: inherit ? "inherit" : "pipe",
      });

    const init = pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"], false);
    if (init.status !== 0) {
      return { code: init.status ?? 1, stdout: init.stdout ?? "", stderr: init.stderr ?? "" };
    }
    const preview = pulumi(
      [
        "preview",
        "--stack",
        stack,
        "--non-interactive",
        ...["--policy-pack", "policies"],
        ...["--policy-pack-config", join("policies", "config", `${stack}.json`)],
        ...Object.entries(config).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
        ...extraArgs,
      ],
      !capture,
    );
    if (preview.error) throw preview.error;
    return {
      code: preview.status ?? 1,
      stdout: preview.stdout ?? "",
      stderr: preview.stderr ?? "",
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function main(argv: string[]): number {
  const args = parseStackArgs(argv, false);
  if (args === HELP) {
    console.log(
      `${usage}\n\nRuns the real Pulumi CLI's preview with the policy pack and the stack's policy ` +
        "config, offline: a throw-away file backend, the language host and provider stand-ins " +
        "of tools/pulumi. Exits as the CLI does.",
    );
    return 0;
  }
  if (typeof args === "string") {
    console.error(`${args}\n${usage}`);
    return 2;
  }
  const started = process.hrtime.bigint();
  const result = previewReal(args.stack, args.config);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(`preview:real took ${seconds.toFixed(1)} s\n`);
  return result.code;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
