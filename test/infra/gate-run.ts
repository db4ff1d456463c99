/**
 * Runs `gate:offline` as its own process, the way `npm run gate:offline` does, and watches for
 * the policy-pack host it starts, so a test can signal the gate mid-run and check that no pack
 * process outlives it.
 */
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../scripts/offline/harness";

export interface GateRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Pids of the pack hosts the gate started (seen while it ran). */
  packPids: number[];
}

export interface GateOptions {
  /** Called once, when the pack host is first seen running; may signal the gate. */
  onPackStarted?: (gatePid: number, packPid: number) => void;
  /** The directory the user ran `npm run` from (npm passes it as INIT_CWD). */
  initCwd?: string;
}

/** The gate's child processes that are policy-pack hosts, from `ps`. */
function packChildren(gatePid: number): number[] {
  const table = execFileSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" });
  return table
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => !!m && Number(m[2]) === gatePid)
    .filter((m) => m[3].includes("run-policy-pack"))
    .map((m) => Number(m[1]));
}

/** True while `pid` is a live process (a zombie waiting to be reaped counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const state = execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" });
    return !state.trim().startsWith("Z");
  } catch {
    return false;
  }
}

export function runGate(args: string[], options: GateOptions = {}): Promise<GateRun> {
  const gate = spawn(
    process.execPath,
    ["-r", join(repoRoot, "scripts", "register.cjs"), join("scripts", "gate-offline.ts"), ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, INIT_CWD: options.initCwd ?? repoRoot },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  gate.stdout.on("data", (chunk) => (stdout += chunk));
  gate.stderr.on("data", (chunk) => (stderr += chunk));
  const packPids = new Set<number>();
  const watch = setInterval(() => {
    for (const pid of packChildren(gate.pid!)) {
      if (packPids.has(pid)) continue;
      packPids.add(pid);
      if (packPids.size === 1) options.onPackStarted?.(gate.pid!, pid);
    }
  }, 100);
  return new Promise((done, fail) => {
    gate.once("error", fail);
    gate.once("close", (code, signal) => {
      clearInterval(watch);
      done({ code, signal, stdout, stderr, packPids: [...packPids] });
    });
  });
}
