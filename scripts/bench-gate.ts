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
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { environmentOf } from "./gate-offline";
import { repoRoot, runProgram } from "./offline/harness";
import { AnalyzerHost, encodeAnalysis } from "./offline/policy-host";
import { packPolicies, stackPolicyConfig } from "./offline/policy-config";

const { values } = parseArgs({
  options: { stack: { type: "string", default: "prod" }, runs: { type: "string", default: "5" } },
});
const stack = values.stack!;
const runs = Number(values.runs);

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

console.log(
  `gate:offline --stack ${stack}, ${runs} runs; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  // What `npm run gate:offline` runs, without npm's own start-up in front of it.
  const gate = spawnSync(
    process.execPath,
    [
      join(repoRoot, "node_modules", "ts-node", "dist", "bin.js"),
      "--swc",
      join("scripts", "gate-offline.ts"),
      "--stack",
      stack,
      "--timings",
    ],
    { cwd: repoRoot, encoding: "utf8" },
  );
  const whole = performance.now() - started;
  const line = /^timings (.*)$/m.exec(gate.stderr)?.[1];
  if (gate.status !== 0 || !line) {
    console.error(`run ${i + 1} failed (exit ${gate.status}):\n${gate.stdout}${gate.stderr}`);
    process.exit(1);
  }
  const timings = JSON.parse(line) as Record<Phase, number>;
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

(async () => {
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
})().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/** A table row: the median, fastest and slowest of `values`. */
function row(label: string, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  const median =
    sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]
      : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  console.log(
    `${label.padEnd(22)} ${ms(median).padStart(7)} ${ms(sorted[0]).padStart(7)} ${ms(sorted[sorted.length - 1]).padStart(7)}`,
  );
}

function ms(value: number): string {
  return `${(value / 1000).toFixed(2)} s`;
}
