import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const repoRoot = path.resolve(__dirname, "../../..");

export interface ScriptRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout split into lines. */
  lines: string[];
}

export interface RunningScript {
  child: ChildProcess;
  /** Resolves with the first stdout line matching `pattern`. */
  waitForLine(pattern: RegExp): Promise<string>;
  done: Promise<ScriptRun>;
}

/**
 * Starts `scripts/<name>.ts` the way `npm run <name>` does (ts-node with swc) but as a
 * direct child, so a test can signal the script itself. `env` is added to the test's own;
 * `preload`: modules (TypeScript too) loaded before the script, to stand in for a service.
 */
export function startScript(
  name: string,
  args: string[],
  env: Record<string, string> = {},
  preload: string[] = [],
): RunningScript {
  const child = spawn(
    process.execPath,
    [
      "-r",
      path.join(repoRoot, "scripts", "register.cjs"),
      ...preload.flatMap((file) => ["-r", file]),
      path.join(repoRoot, "scripts", `${name}.ts`),
      ...args,
    ],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    for (const w of [...waiters]) {
      const line = stdout.split("\n").find((l) => w.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const done = new Promise<ScriptRun>((resolve) =>
    child.on("close", (code, signal) =>
      resolve({ code, signal, stdout, stderr, lines: stdout.split("\n").filter(Boolean) }),
    ),
  );
  return {
    child,
    done,
    waitForLine: (pattern) =>
      new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void done.then((r) =>
          reject(new Error(`exited before ${pattern}:\n${r.stdout}${r.stderr}`)),
        );
      }),
  };
}

/**
 * `npm run -s <name> -- args`, as the pipeline calls it; resolves when it has exited. `from`:
 * the directory npm is started in (`npm --prefix <root>` then finds the scripts).
 */
export function npmRun(
  name: string,
  args: string[],
  env: Record<string, string> = {},
  from = repoRoot,
): Promise<ScriptRun> {
  const child = spawn("npm", ["--prefix", repoRoot, "run", "-s", name, "--", ...args], {
    cwd: from,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve) =>
    child.on("close", (code, signal) =>
      resolve({ code, signal, stdout, stderr, lines: stdout.split("\n").filter(Boolean) }),
    ),
  );
}

/** The line of a check's result, e.g. `FAIL  readiness  ...`; undefined if none. */
export function resultLine(run: ScriptRun, check: string): string | undefined {
  return run.lines.find((l) => new RegExp(`^(PASS|FAIL|SKIP)  ${check}  `).test(l));
}

/**
 * Asserts the run's exit code and summary line, and that of `checks` exactly those in `failed`
 * did not pass (FAIL, or SKIP after an earlier failure).
 */
export function assertOutcome(
  run: ScriptRun,
  code: number,
  checks: string[],
  failed: string[] = [],
) {
  const output = `${run.stdout}${run.stderr}`;
  assert.equal(run.code, code, output);
  for (const check of checks) {
    const line = resultLine(run, check);
    assert.ok(line, `no result line for ${check}:\n${output}`);
    assert.match(line, failed.includes(check) ? /^(FAIL|SKIP)/ : /^PASS/, output);
  }
  assert.match(run.lines.at(-1) ?? "", code === 0 ? /^PASSED: / : /^FAILED: /, output);
}

/** Command lines of the processes still running that mention `text` (a profile directory). */
export function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    const file = `/proc/${pid}/cmdline`;
    try {
      const cmdline = existsSync(file) ? readFileSync(file, "utf8").replace(/\0/g, " ") : "";
      if (cmdline.includes(text)) found.push(`${pid}: ${cmdline.slice(0, 200)}`);
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}
