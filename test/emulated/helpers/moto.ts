/**
 * moto's server mode, an emulator of the AWS APIs, for the operator scripts' emulated tests
 * (`npm run test:emulated`). It is a Python package: the first use installs `moto[server]` at
 * MOTO_VERSION into a virtual environment in a cache folder outside the repository (about 200 MB,
 * a minute or two), later uses reuse it. Each `describe` block gets its own server on a free
 * loopback port, empty at the start of every test, stopped afterwards.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import path from "node:path";

/** Pinned: the emulated behaviour (and IMPLEMENTATION_COVERAGE.md) is that of this release. */
export const MOTO_VERSION = "5.2.5";

/** The AWS account moto answers as (its default). */
export const MOTO_ACCOUNT = "123456789012";

export const venvDir = path.join(
  process.env.XDG_CACHE_HOME ?? path.join(homedir(), ".cache"),
  "acme-ci",
  `moto-${MOTO_VERSION}`,
);
const python = path.join(venvDir, "bin", "python");
/** Written last, so a half-finished install is redone rather than used. */
const installedMarker = path.join(venvDir, ".installed");

/**
 * moto in the cached virtual environment; installs it when missing. Throws one clear line when
 * the machine has no Python able to make a virtual environment: the emulated tests fail, they
 * never pass by running nothing.
 */
export function ensureMoto(log: (line: string) => void = console.log): void {
  if (existsSync(installedMarker)) return;
  const probe = spawnSync("python3", ["-c", "import sys, venv, ensurepip; print(sys.version)"], {
    encoding: "utf8",
  });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `the emulated tests need python3 with its venv module to install moto[server]==${MOTO_VERSION} ` +
        `(Debian/Ubuntu: apt-get install python3 python3-venv); ` +
        `${probe.error ? "python3 not found" : probe.stderr.trim().split("\n").at(-1)}`,
    );
  }
  log(`installing moto[server]==${MOTO_VERSION} into ${venvDir} (Python ${probe.stdout.trim()})`);
  rmSync(venvDir, { recursive: true, force: true });
  const steps: string[][] = [
    ["python3", "-m", "venv", venvDir],
    [
      python,
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      `moto[server]==${MOTO_VERSION}`,
    ],
  ];
  for (const [command, ...args] of steps) {
    const run = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"] });
    if (run.status !== 0) {
      throw new Error(
        `installing moto failed: ${[command, ...args].join(" ")} exited ${run.status}`,
      );
    }
  }
  writeFileSync(installedMarker, `moto[server]==${MOTO_VERSION}\n`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Moto {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /**
   * What points an AWS SDK process at the emulator: the endpoint for every service
   * (AWS_ENDPOINT_URL, read by the SDK's endpoint resolution) and credentials moto accepts.
   */
  env: Record<string, string>;
  /** Back to an empty account (moto's own reset call). */
  reset(): Promise<void>;
}

/**
 * A moto server for the enclosing `describe`, emptied before each of its tests. `serverEnv`:
 * moto's own settings, e.g. MOTO_ECS_SERVICE_RUNNING (tasks it reports running per service).
 */
export function useMoto(serverEnv: Record<string, string> = {}): Moto {
  let child: ChildProcess | undefined;
  const moto: Moto = {
    endpoint: "",
    env: {},
    reset: async () => {
      const res = await fetch(`${moto.endpoint}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
    },
  };
  before(async function () {
    // The first run installs moto from the registry.
    this.timeout(600_000);
    ensureMoto();
    const port = await freePort();
    let output = "";
    child = spawn(python, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
      env: { ...process.env, ...serverEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    moto.endpoint = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`moto_server exited:\n${output}`);
      try {
        if ((await fetch(`${moto.endpoint}/moto-api/data.json`)).ok) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline)
        throw new Error(`moto_server not answering after 60 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    moto.env = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_SESSION_TOKEN: "testing",
      AWS_EC2_METADATA_DISABLED: "true",
    };
  });
  beforeEach(() => moto.reset());
  after(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  });
  return moto;
}
