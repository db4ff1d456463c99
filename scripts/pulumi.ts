/**
 * `npm run pulumi -- <args>`: the Pulumi CLI at the version of the SDK this project pins, built
 * from its Go module (`tools/pulumi/go.mod`, every dependency pinned by `go.sum`) with the local
 * Go toolchain, since no prebuilt CLI can be downloaded here. The first use builds it (several
 * minutes) into `${XDG_CACHE_HOME:-~/.cache}/acme-ci/pulumi-<version>/bin`; later uses reuse that
 * build while `tools/pulumi/` is unchanged. The CLI then runs with that directory first on PATH
 * (where it finds its plugins), no update check, and PULUMI_HOME under the same cache folder
 * unless set. `npm run pulumi:build` only builds.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, relative } from "node:path";
import { repoRoot } from "./offline/harness";

/** Our Go module: go.mod, go.sum and the plugin shim put beside the CLI. */
export const toolsDir = join(repoRoot, "tools", "pulumi");

/** The CLI's main package, in the module that `pkg/` of the Pulumi repository publishes. */
const cliPackage = "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi";

/** The files of `tools/pulumi/` that are copied next to the CLI, as plugins it looks for. */
const plugins = ["pulumi-analyzer-policy-nodejs"];

/**
 * The sub-folder of the build holding the stand-in `pulumi-language-nodejs` (see
 * tools/pulumi/language-standin/main.go): off PATH unless a caller adds it, since with a
 * language host present the CLI would start policy packs through it rather than the plugin above.
 */
export const standin = "language-standin";

/**
 * The sub-folder holding our real `pulumi-language-nodejs` (tools/pulumi/language-nodejs), which
 * runs the program: off PATH too, put on it by `npm run preview:real` (scripts/preview-real.ts).
 */
export const languageHost = "language-host";

/** The version `go.mod` requires of `pkg/v3`: the version of the CLI that is built. */
export function pulumiVersion(): string {
  const mod = readFileSync(join(toolsDir, "go.mod"), "utf8");
  const match = /^\s*github\.com\/pulumi\/pulumi\/pkg\/v3 (v\S+)/m.exec(mod);
  if (!match) throw new Error(`${join(toolsDir, "go.mod")} does not require pkg/v3`);
  return match[1];
}

/**
 * The version is stamped in by the linker, as in the release build
 * (sdk/go/common/version/version.go at v3.248.0: "initialized by the Go linker"); without it
 * `pulumi version` prints nothing and the CLI takes itself for a development build. CGO is off,
 * so no C compiler is needed; -s -w leave out the debug tables (a smaller, faster link); no VCS
 * stamp, so the build depends on tools/pulumi alone, not on the state of the git checkout.
 */
function buildArgs(version: string, staging: string): string[][] {
  const go = ["build", "-trimpath", "-buildvcs=false", "-mod=readonly", "-ldflags"];
  return [
    [
      ...go,
      `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${version}`,
      "-o",
      join(staging, "pulumi"),
      cliPackage,
    ],
    [
      ...go,
      `-s -w -X main.version=${version.replace(/^v/, "")}`,
      "-o",
      join(staging, standin, "pulumi-language-nodejs"),
      "./language-standin",
    ],
    [
      ...go,
      `-s -w -X main.version=${version.replace(/^v/, "")}`,
      "-o",
      join(staging, languageHost, "pulumi-language-nodejs"),
      "./language-nodejs",
    ],
  ];
}

/** `${XDG_CACHE_HOME:-$HOME/.cache}/acme-ci/pulumi-<version>`: the build and the CLI's home. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  return join(base, "acme-ci", `pulumi-${pulumiVersion()}`);
}

/** A hash of everything the build depends on that can change in this repository. */
function inputsHash(version: string): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(buildArgs(version, "")));
  const files = readdirSync(toolsDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(toolsDir, join(entry.parentPath, entry.name)))
    .sort();
  for (const file of files) {
    hash.update(`\0${file}\0`);
    hash.update(readFileSync(join(toolsDir, file)));
  }
  return hash.digest("hex");
}

export interface PulumiBuild {
  /** The directory holding `pulumi` and its plugins. */
  binDir: string;
  /** The directory holding the stand-in `pulumi-language-nodejs` alone. */
  standinDir: string;
  version: string;
  /** Whether this call built it (false: an earlier build was reused). */
  built: boolean;
  seconds: number;
}

const stampName = ".inputs-sha256";

/**
 * Builds the CLI into the cache unless a build of the same inputs is there. Concurrent callers
 * each build into a folder of their own and the first to finish wins, so none sees half a build.
 */
export function ensurePulumi(env: NodeJS.ProcessEnv = process.env): PulumiBuild {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const version = pulumiVersion();
  const dir = cacheDir(env);
  const binDir = join(dir, "bin");
  const standinDir = join(binDir, standin);
  const stamp = inputsHash(version);
  const stampFile = join(binDir, stampName);
  const fresh = () =>
    existsSync(join(binDir, "pulumi")) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, "utf8") === stamp;
  if (fresh()) return { binDir, standinDir, version, built: false, seconds: seconds() };

  mkdirSync(dir, { recursive: true });
  const staging = join(dir, `build-${process.pid}-${Date.now()}`);
  mkdirSync(staging);
  try {
    process.stderr.write(
      `Building the Pulumi CLI ${version} from its Go module (tools/pulumi) into ${binDir}: ` +
        "a few minutes the first time, with empty Go caches...\n",
    );
    for (const args of buildArgs(version, staging)) {
      const go = spawnSync("go", args, {
        cwd: toolsDir,
        env: { ...env, CGO_ENABLED: "0" },
        stdio: ["ignore", "inherit", "inherit"],
      });
      if (go.error)
        throw new Error(`cannot run go (a Go toolchain is needed): ${go.error.message}`);
      if (go.status !== 0) throw new Error(`go ${args.join(" ")} failed (in ${toolsDir})`);
    }
    for (const plugin of plugins) {
      copyFileSync(join(toolsDir, plugin), join(staging, plugin));
      chmodSync(join(staging, plugin), 0o755);
    }
    writeFileSync(join(staging, stampName), stamp);
    if (!fresh()) {
      rmSync(binDir, { recursive: true, force: true });
      try {
        renameSync(staging, binDir);
      } catch (err) {
        // Another build of the same inputs finished first: use it.
        if (!fresh()) throw err;
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  process.stderr.write(`Built the Pulumi CLI ${version} in ${seconds().toFixed(0)} s\n`);
  return { binDir, standinDir, version, built: true, seconds: seconds() };
}

/** The environment the CLI runs in: its plugins first on PATH, no update check, a home of ours. */
export function pulumiEnv(binDir: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    PATH: [binDir, env.PATH].filter(Boolean).join(delimiter),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_HOME: env.PULUMI_HOME || join(cacheDir(env), "home"),
  };
}

function main(argv: string[]): number {
  let build: PulumiBuild;
  try {
    build = ensurePulumi();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  if (argv.length === 1 && argv[0] === "--build-only") {
    process.stdout.write(`${join(build.binDir, "pulumi")}\n`);
    return 0;
  }
  const cli = spawnSync(join(build.binDir, "pulumi"), argv, {
    stdio: "inherit",
    env: pulumiEnv(build.binDir),
  });
  if (cli.error) {
    process.stderr.write(`${cli.error.message}\n`);
    return 1;
  }
  if (cli.signal) process.kill(process.pid, cli.signal);
  return cli.status ?? 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
