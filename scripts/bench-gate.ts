/**
 * `npm run bench:gate -- [--stack prod] [--runs 5]`
 *
 * Times `gate:offline --stack <s>` as a user runs it, each run a fresh process (as in CI), and
 * prints per phase the median and range over the runs: the whole command, the program run under
 * mocks, the pack start (compiled pack, hosted by @pulumi/pulumi's run-policy-pack; it overlaps
 * the program run), the encoding of the requests (done while the pack starts, so it overlaps it
 * too) and the evaluation (Configure, Analyze for every resource, AnalyzeStack, until the last
 * answer).
 * The phases come from the gate's own `--timings`; the whole is measured from outside. Not a
 * test: the numbers depend on the machine and its load, printed first.
 *
 * `npm run bench:gate -- [--stack prod] [--runs 3] --scale 1,10,50` times instead how the gate
 * grows with the stack: the stack's export, and the same export with its resources repeated
 * that many times over as copies renamed throughout (scripts/offline/scale-export.ts), each run
 * through `gate:offline --export FILE` in fresh processes; one row per size with the median
 * evaluation and whole command.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { toDeployment } from "./offline/export";
import { environmentOf, repoRoot, runProgram } from "./offline/harness";
import { AnalyzerHost, encodeAnalysis } from "./offline/policy-host";
import { packPolicies, stackPolicyConfig } from "./offline/policy-config";
import { scaleExport } from "./offline/scale-export";

const { values } = parseArgs({
  options: {
    stack: { type: "string", default: "prod" },
    runs: { type: "string", default: "5" },
    scale: { type: "string" },
  },
});
const stack = values.stack!;
const runs = Number(values.runs);

/** One `gate:offline` in a fresh process, as a user runs it: its `--timings` and the whole. */
function timeGate(args: string[]): { whole: number; timings: Record<string, number> } {
  const started = performance.now();
  // What `npm run gate:offline` runs, without npm's own start-up in front of it.
  const gate = spawnSync(
    process.execPath,
    [
      join(repoRoot, "node_modules", "ts-node", "dist", "bin.js"),
      "--swc",
      join("scripts", "gate-offline.ts"),
      ...args,
      "--timings",
    ],
    { cwd: repoRoot, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
  );
  const whole = performance.now() - started;
  const line = /^timings (.*)$/m.exec(gate.stderr)?.[1];
  if (gate.status !== 0 || !line) {
    console.error(
      `gate ${args.join(" ")} failed (exit ${gate.status}):\n${gate.stdout}${gate.stderr}`,
    );
    process.exit(1);
  }
  return { whole, timings: JSON.parse(line) as Record<string, number> };
}

async function scaleBench(sizes: number[]): Promise<void> {
  const exported = toDeployment(await runProgram(stack));
  const dir = mkdtempSync(join(tmpdir(), "bench-gate-"));
  try {
    console.log(
      `gate:offline --export (${stack}'s export, repeated), ${runs} runs each; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    const rows: [string, number, number[], number[]][] = [];
    for (const size of sizes) {
      const file = join(dir, `${stack}-x${size}.json`);
      const scaled = scaleExport(exported, size);
      writeFileSync(file, JSON.stringify(scaled));
      const count = scaled.deployment.resources.length;
      const evaluation: number[] = [];
      const whole: number[] = [];
      for (let i = 0; i < runs; i++) {
        const run = timeGate(["--export", file, "--stack", environmentOf(stack)]);
        evaluation.push(run.timings.evaluationMs);
        whole.push(run.whole);
        console.log(
          `x${size} (${count} resources) run ${i + 1}: evaluation ${ms(run.timings.evaluationMs)}, ` +
            `requests encoded ${ms(run.timings.encodingMs)}, pack start ${ms(run.timings.packStartMs)}, ` +
            `whole command ${ms(run.whole)}`,
        );
      }
      rows.push([`x${size}`, count, evaluation, whole]);
    }
    console.log(
      "\nsize  resources  evaluation (median, min-max)   whole command (median, min-max)",
    );
    for (const [label, count, evaluation, whole] of rows) {
      const spread = (values: number[]) => {
        const sorted = [...values].sort((a, b) => a - b);
        return `${ms(median(values)).padStart(7)} (${ms(sorted[0])}-${ms(sorted[sorted.length - 1])})`;
      };
      console.log(
        `${label.padEnd(5)} ${String(count).padStart(9)}  ${spread(evaluation).padEnd(28)} ${spread(whole)}`,
      );
    }
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Phase = "totalMs" | "programRunMs" | "packStartMs" | "encodingMs" | "evaluationMs";
const phases: Record<Phase, string> = {
  totalMs: "whole command",
  programRunMs: "program run (mocks)",
  packStartMs: "pack start",
  encodingMs: "requests encoded",
  evaluationMs: "evaluation",
};
const samples: Record<Phase, number[]> = {
  totalMs: [],
  programRunMs: [],
  packStartMs: [],
  encodingMs: [],
  evaluationMs: [],
};

/**
 * The same evaluation in this process, on a fresh pack each time, with the stack's policy config
 * and with every policy disabled: the second is what the analyzer protocol itself costs (gRPC and
 * protobuf on both sides), the floor under the first.
 */
async function evaluationAgainstProtocol(): Promise<
  Record<"withPolicies" | "protocolOnly", number[]>
> {
  // Encoded once, beforehand, as the gate does while the pack starts.
  const requests = encodeAnalysis((await runProgram(stack)).resources);
  const config = stackPolicyConfig(environmentOf(stack));
  const disabled = Object.fromEntries(packPolicies().map((p) => [p.name, "disabled" as const]));
  const times = { withPolicies: [] as number[], protocolOnly: [] as number[] };
  for (let i = 0; i < runs; i++) {
    for (const [series, packConfig] of [
      ["withPolicies", config],
      ["protocolOnly", disabled],
    ] as const) {
      const host = await AnalyzerHost.start();
      try {
        const started = performance.now();
        // The stack's config has passed stackPolicyConfig's check; `disabled` is checked here.
        await host.configure(packConfig, { validated: series === "withPolicies" });
        await host.analyze(requests);
        times[series].push(performance.now() - started);
      } finally {
        await host.stop();
      }
    }
  }
  return times;
}

async function phasesBench(): Promise<void> {
  console.log(
    `gate:offline --stack ${stack}, ${runs} runs; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  for (let i = 0; i < runs; i++) {
    const { whole, timings } = timeGate(["--stack", stack]);
    samples.totalMs.push(whole);
    for (const phase of ["programRunMs", "packStartMs", "encodingMs", "evaluationMs"] as const) {
      samples[phase].push(timings[phase]);
    }
    console.log(
      `run ${i + 1}: ${Object.entries(phases)
        .map(([phase, label]) => `${label} ${ms(samples[phase as Phase][i])}`)
        .join(", ")}`,
    );
  }
  const inProcess = await evaluationAgainstProtocol();
  console.log("\nphase                  median     min     max");
  for (const [phase, label] of Object.entries(phases)) row(label, samples[phase as Phase]);
  row("evaluation in-process", inProcess.withPolicies);
  row("  protocol only", inProcess.protocolOnly);
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}

/** A table row: the median, fastest and slowest of `values`. */
function row(label: string, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  console.log(
    `${label.padEnd(22)} ${ms(median(values)).padStart(7)} ${ms(sorted[0]).padStart(7)} ${ms(sorted[sorted.length - 1]).padStart(7)}`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2
    ? sorted[(sorted.length - 1) / 2]
    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
}

function ms(value: number): string {
  return `${(value / 1000).toFixed(2)} s`;
}

function fail(err: unknown): never {
  console.error(err);
  process.exit(1);
}

if (values.scale !== undefined) {
  const sizes = values.scale.split(",").map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error(`--scale takes whole numbers from 1, as 1,10,50; got ${values.scale}`);
    process.exit(2);
  }
  scaleBench(sizes).catch(fail);
} else {
  phasesBench().catch(fail);
}
