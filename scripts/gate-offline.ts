/**
 * `npm run gate:offline -- --stack <name> [-c key=value ...] [--preview] [--json] [--json-file FILE] [--sarif FILE]`
 * `npm run gate:offline -- --export FILE [--stack <environment>] [--json] [--json-file FILE] [--sarif FILE]`
 *
 * What `pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json`
 * checks, without AWS or the Pulumi CLI: the program runs offline (AWS mocked), or a `pulumi stack
 * export` file is read, and the policy pack judges the resources in its own process, over the
 * analyzer protocol, with the stack's policy config (the config of the environment the stack
 * names, for a review stack). Prints the violations grouped by policy; exits 1 if any is
 * mandatory, 2 on a usage error.
 */
// Only what starting the pack needs is imported here: the program's modules (harness.ts, which
// loads @pulumi/pulumi and infra/) are loaded in main once the pack starts, the export reader
// only for an export.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative, sep } from "node:path";
import { configPairs, HELP, parseOptions, runMain, stackOptions } from "./offline/cli";
import type { RegisteredResource, SourceLocation } from "./offline/harness";
import { AnalyzerHost, encodeAnalysis } from "./offline/policy-host";
import { fromUser, userDir } from "./lib/user-paths";
import { packIsFresh, packPolicies, stackPolicyConfig } from "./offline/policy-config";
import { buildReport, renderText, toSarif, type Subject } from "./offline/report";

const usage = [
  "usage: npm run gate:offline -- --stack <name> [-c key=value ...] [--preview] [--json] [--json-file FILE] [--sarif FILE]",
  "       npm run gate:offline -- --export FILE [--stack <environment>] [--json] [--json-file FILE] [--sarif FILE]",
].join("\n");

const help = `${usage}

Checks a stack with the policy pack (policies/) as pulumi preview --policy-pack does, offline:
the program runs with AWS mocked, or a pulumi stack export file is read.

  --stack, -s NAME        the stack: Pulumi.NAME.yaml, judged with policies/config/<its environment>.json
  --config, -c KEY=VALUE  override a stack-file value for this run
  --preview               run the program as a preview (values AWS computes unknown)
  --export FILE           judge a pulumi stack export file instead of running the program
  --json                  the report as JSON on standard output (npm run -s keeps npm's banner out)
  --json-file FILE        also write the JSON report to FILE (the text report stays on the terminal)
  --sarif FILE            also write the violations as SARIF 2.1.0 (code scanning)
  --timings               each phase's time on standard error
  --verbose               a stack trace with an error
  --help, -h              this help

Relative paths are from the directory npm run was started in.
Exit code: 0 no mandatory violation, 1 a mandatory violation or an error, 2 a bad argument.`;

interface GateArgs {
  stack?: string;
  config: Record<string, string>;
  exportFile?: string;
  preview: boolean;
  json: boolean;
  jsonFile?: string;
  sarif?: string;
  timings: boolean;
}

/** The command line; a string is a usage error. */
export function parseGateArgs(argv: string[]): GateArgs | string | typeof HELP {
  const values = parseOptions(argv, {
    ...stackOptions,
    export: { type: "string" },
    preview: { type: "boolean" },
    json: { type: "boolean" },
    "json-file": { type: "string" },
    sarif: { type: "string" },
    timings: { type: "boolean" },
  });
  if (typeof values === "string" || values === HELP) return values;
  if (values.export !== undefined) {
    if (values.config) return "-c sets the program's config: it has no effect with --export";
    if (values.preview)
      return "--preview runs the program as a preview: it has no effect with --export";
  } else if (!values.stack) {
    return "--stack or --export is required";
  }
  const config = configPairs(values.config);
  if (typeof config === "string") return config;
  return {
    stack: values.stack,
    config,
    exportFile: values.export,
    preview: values.preview ?? false,
    json: values.json ?? false,
    jsonFile: values["json-file"],
    sarif: values.sarif,
    timings: values.timings ?? false,
  };
}

async function main(argv: string[]): Promise<number> {
  const args = parseGateArgs(argv);
  if (args === HELP) {
    console.log(help);
    return 0;
  }
  if (typeof args === "string") {
    console.error(`${args}\n${usage}`);
    return 2;
  }
  const started = performance.now();
  const timings: Record<string, number> = {};
  const since = (from: number) => Math.round(performance.now() - from);

  // An export is read first, in-process (0.3 s for 2,000 resources): a file that is not
  // one fails at once, before the pack starts.
  const exportPath = args.exportFile === undefined ? undefined : fromUser(args.exportFile);
  const exported =
    exportPath === undefined
      ? undefined
      : (await import("./offline/read-export")).readExport(exportPath, args.exportFile);
  const stack = args.stack ?? exported?.stack;
  if (stack === undefined) {
    console.error(
      `${args.exportFile}: the export has no resources to take the stack from; pass --stack`,
    );
    return 2;
  }

  // The pack takes seconds to start (loading its SDK and policies): start it next, on the other
  // core, while this process loads the program's modules and checks the stack and policy config.
  // A mistake in those still fails in a second or two: the pack is stopped unused (`finally`).
  // One look at the pack's freshness (a hash of its sources) serves starting it and loading it here.
  const packFresh = packIsFresh();
  const abort = new AbortController();
  const launch = AnalyzerHost.launch(abort.signal, packFresh);
  const starting = launch.host.then((host) => {
    timings.packStartMs = since(started);
    return host;
  });
  // `starting` is awaited once the program has run: a pack that fails sooner is reported then,
  // and is not an unhandled rejection meanwhile.
  starting.catch(() => undefined);
  await launch.launched;
  let host: AnalyzerHost | undefined;
  try {
    const { environmentOf, repoRoot, runProgram, stackConfig } = await import("./offline/harness");
    // A stack that does not exist: the stacks that do, as preview:offline says it (not a policy
    // config to create, which is what the next step would ask for).
    if (!exported) stackConfig(stack);
    const environment = environmentOf(stack);
    const policyConfig = stackPolicyConfig(environment, packPolicies(packFresh));

    let resources: RegisteredResource[];
    let declaredAt = new Map<string, SourceLocation>();
    let subject: Subject;
    if (exported) {
      resources = exported.resources;
      subject = { kind: "export", file: args.exportFile!, stack };
    } else {
      const run = await runProgram(stack, { commandLine: args.config, preview: args.preview });
      timings.programRunMs = since(started);
      ({ resources, declaredAt } = run);
      subject = { kind: "program", stack, preview: args.preview };
    }
    // The requests need no pack: encode them while it may still be starting.
    const encoding = performance.now();
    const requests = encodeAnalysis(resources);
    timings.encodingMs = since(encoding);
    host = await starting;
    const evaluating = performance.now();
    // stackPolicyConfig checked it against the same pack.
    await host.configure(policyConfig, { validated: true });
    const diagnostics = await host.analyze(requests);
    timings.evaluationMs = since(evaluating);

    const report = buildReport(
      subject,
      `policies/config/${environment}.json`,
      resources,
      diagnostics,
      declaredAt,
    );
    if (args.sarif !== undefined) {
      const file = fromUser(args.sarif);
      // Where a violation without a declaring line shows: the export, if in the repository.
      const inRepo = exportPath === undefined ? undefined : relative(repoRoot, exportPath);
      const fallback =
        inRepo === undefined
          ? `Pulumi.${stack}.yaml`
          : inRepo.startsWith("..") || isAbsolute(inRepo)
            ? "Pulumi.yaml"
            : inRepo.split(sep).join("/");
      const sarif = toSarif(report, await host.pack(), fallback);
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(sarif, null, 2)}\n`);
      } catch (err) {
        console.error(
          `error: ${args.sarif}: cannot write the SARIF file (${(err as Error).message})`,
        );
        return 1;
      }
      console.error(`Wrote ${relative(userDir(), file)} (SARIF 2.1.0)`);
    }
    if (args.jsonFile !== undefined) {
      // A file, not standard output: `npm run` without -s prints its banner there.
      const file = fromUser(args.jsonFile);
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
      } catch (err) {
        console.error(
          `error: ${args.jsonFile}: cannot write the JSON report (${(err as Error).message})`,
        );
        return 1;
      }
      console.error(`Wrote ${relative(userDir(), file)} (JSON report)`);
    }
    console.log(args.json ? JSON.stringify(report, null, 2) : renderText(report));
    timings.totalMs = since(started);
    if (args.timings) console.error(`timings ${JSON.stringify(timings)}`);
    return report.exitCode;
  } finally {
    if (host) await host.stop();
    else {
      abort.abort();
      await starting.catch(() => undefined);
    }
  }
}

if (require.main === module) runMain(main);
