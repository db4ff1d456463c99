/**
 * `npm test`: every test suite (the root's, then each workspace's), one after the other, each to
 * its end whatever the ones before it did, so one run reports every failure (an `&&` chain stopped
 * at the first failing suite and never ran the rest). Each suite's own output passes through as
 * it comes, mocha's closing `N passing` / `N failing` lines included; then one line per suite
 * and the totals. Exits 1 if any suite failed.
 */
import { spawn } from "node:child_process";
import path from "node:path";

export interface Suite {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
}

export interface SuiteResult {
  suite: Suite;
  code: number | null;
  passing: number;
  failing: number;
  ms: number;
}

const repoRoot = path.resolve(__dirname, "..");

export const suites: Suite[] = [
  {
    name: "infra, scripts and workflows (test/)",
    command: "npm",
    args: ["run", "-s", "test:infra"],
  },
  { name: "service (app/)", command: "npm", args: ["test", "-s", "-w", "app"] },
  { name: "policy pack (policies/)", command: "npm", args: ["test", "-s", "-w", "policies"] },
];

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;

/** Mocha's closing counts in a suite's output (0 when it printed none). */
export function mochaCounts(output: string): { passing: number; failing: number } {
  const text = output.replace(ansi, "");
  const count = (word: string) =>
    [...text.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, "gm"))].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  return { passing: count("passing"), failing: count("failing") };
}

/** Runs one suite, its output passed through; resolves when it has exited. */
function runSuite(suite: Suite, out: NodeJS.WritableStream): Promise<SuiteResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    // Colours as if mocha wrote to the terminal itself, when it is one.
    const color = process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: "1" } : {};
    const child = spawn(suite.command, suite.args, {
      cwd: suite.cwd ?? repoRoot,
      env: { ...process.env, ...color },
      stdio: ["inherit", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      out.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    const finish = (code: number | null) =>
      resolve({ suite, code, ...mochaCounts(output), ms: performance.now() - started });
    child.on("error", (err) => {
      out.write(`${suite.name}: ${err.message}\n`);
      finish(null);
    });
    child.on("close", (code) => finish(code));
  });
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
}

/** The closing summary: one line per suite, then the totals. */
export function summary(results: SuiteResult[]): string {
  const lines = ["", "npm test: every suite"];
  for (const r of results) {
    const ok = r.code === 0;
    const counts = `${r.passing} passing, ${r.failing} failing`;
    const exit = ok ? "" : r.code === null ? ", did not run" : `, exit ${r.code}`;
    lines.push(`  ${ok ? "ok  " : "FAIL"}  ${r.suite.name}: ${counts}${exit} (${duration(r.ms)})`);
  }
  const passed = results.reduce((sum, r) => sum + r.passing, 0);
  const failed = results.reduce((sum, r) => sum + r.failing, 0);
  const bad = results.filter((r) => r.code !== 0).length;
  const total = duration(results.reduce((sum, r) => sum + r.ms, 0));
  lines.push(`suites: ${results.length - bad} passed, ${bad} failed (${total})`);
  lines.push(`tests: ${passed} passed, ${failed} failed`);
  return lines.join("\n");
}

/** Runs every suite in turn; the exit code is 1 if any failed. */
export async function runAll(list: Suite[], out: NodeJS.WritableStream): Promise<number> {
  const results: SuiteResult[] = [];
  for (const suite of list) {
    out.write(`\n== ${suite.name}: ${[suite.command, ...suite.args].join(" ")}\n`);
    results.push(await runSuite(suite, out));
  }
  out.write(`${summary(results)}\n`);
  return results.every((r) => r.code === 0) ? 0 : 1;
}

if (require.main === module) {
  void runAll(suites, process.stdout).then((code) => {
    process.exitCode = code;
  });
}
