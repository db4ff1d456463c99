/**
 * `npm test`: every test suite (the root's and each workspace's), each to its end whatever the
 * others did, so one run reports every failure (an `&&` chain stopped at the first failing suite
 * and never ran the rest). The suites run in two lanes at once, the root's in one and the
 * others one after the other in the second: the root's takes about as long as they do together,
 * and none of them changes a file another reads (the root's tests rewrite stack files for a
 * moment; the workspaces read none, the fork's test reads a copy), so on two cores the run takes
 * the time of the longer lane instead of the sum. Each suite's output is printed whole when it ends, mocha's
 * closing `N passing` / `N failing` lines included, so the lanes' lines never interleave; then one
 * line per suite and the totals. Exits 1 if any suite failed.
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

/** Each lane's suites run one after the other; the lanes run at once. */
export const lanes: Suite[][] = [
  [
    {
      name: "infra, scripts and workflows (test/)",
      command: "npm",
      args: ["run", "-s", "test:infra"],
    },
  ],
  [
    { name: "service (app/)", command: "npm", args: ["test", "-s", "-w", "app"] },
    { name: "policy pack (policies/)", command: "npm", args: ["test", "-s", "-w", "policies"] },
    {
      name: "a fork's first commit (test/fork/)",
      command: "npm",
      args: ["run", "-s", "test:fork"],
    },
  ],
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

/** Runs one suite, then writes its output whole; resolves when it has exited. */
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
    let errors = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString("utf8")));
    const finish = (code: number | null) => {
      out.write(`\n== ${suite.name}: ${[suite.command, ...suite.args].join(" ")}\n${output}`);
      process.stderr.write(errors);
      resolve({ suite, code, ...mochaCounts(output), ms: performance.now() - started });
    };
    child.on("error", (err) => {
      output += `${suite.name}: ${err.message}\n`;
      finish(null);
    });
    child.on("close", (code) => finish(code));
  });
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
}

/** The closing summary: one line per suite, then the totals and the run's time (`ms`). */
export function summary(results: SuiteResult[], ms: number): string {
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
  lines.push(`suites: ${results.length - bad} passed, ${bad} failed (${duration(ms)})`);
  lines.push(`tests: ${passed} passed, ${failed} failed`);
  return lines.join("\n");
}

/** Runs the lanes at once, each lane's suites in turn; the exit code is 1 if any failed. */
export async function runAll(list: Suite[][], out: NodeJS.WritableStream): Promise<number> {
  const started = performance.now();
  const names = list.map((lane) => lane.map((s) => s.name).join(", then "));
  out.write(`npm test: ${names.map((n) => `[${n}]`).join(" alongside ")}\n`);
  const byLane = await Promise.all(
    list.map(async (lane) => {
      const results: SuiteResult[] = [];
      for (const suite of lane) results.push(await runSuite(suite, out));
      return results;
    }),
  );
  const results = byLane.flat();
  out.write(`${summary(results, performance.now() - started)}\n`);
  return results.every((r) => r.code === 0) ? 0 : 1;
}

if (require.main === module) {
  void runAll(lanes, process.stdout).then((code) => {
    process.exitCode = code;
  });
}
