/**
 * `npm run gate:offline -- --stack <name> [-c key=value ...] [--verbose]`
 *
 * What `pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json`
 * checks, without AWS or the Pulumi CLI: the program runs offline (AWS mocked), and the policy
 * pack judges its resources in its own process, over the analyzer protocol, with that stack's
 * policy config (the config of the environment the stack names, for a review stack). Prints every
 * violation; exits 1 if any is mandatory.
 */
import { parseStackArgs, runMain } from "./offline/cli";
import { projectName, runProgram, stackConfig } from "./offline/harness";
import { AnalyzerHost } from "./offline/policy-host";
import { stackPolicyConfig } from "./offline/policy-config";

const usage = "usage: npm run gate:offline -- --stack <name> [-c key=value ...] [--verbose]";

async function main(argv: string[]): Promise<number> {
  const args = parseStackArgs(argv, false);
  if (typeof args === "string") {
    console.error(`${args}\n${usage}`);
    return 2;
  }
  const { stack, config } = args;

  // The files first, in-process: a mistake in either fails in a second, before the pack starts.
  // A stack that names an environment (a review stack: `environment: dev`) takes its settings.
  const environment = stackConfig(stack).config[`${projectName()}:environment`] ?? stack;
  const policyConfig = stackPolicyConfig(environment);

  // The pack takes seconds to start (ts-node type-checks it): start it while the program runs.
  const abort = new AbortController();
  const starting = AnalyzerHost.start(abort.signal);
  let host: AnalyzerHost | undefined;
  try {
    const run = await runProgram(stack, { commandLine: config });
    host = await starting;
    await host.configure(policyConfig);
    const diagnostics = await host.analyze(run.resources);

    for (const d of diagnostics) {
      console.log(`${d.level.toUpperCase()}  ${d.policy}\n  ${d.urn}\n  ${d.message}\n`);
    }
    const mandatory = diagnostics.filter((d) => d.level === "mandatory").length;
    console.log(
      `${run.resources.length} resources checked against policies/config/${environment}.json: ` +
        `${mandatory} mandatory, ${diagnostics.length - mandatory} advisory violation(s)`,
    );
    return mandatory > 0 ? 1 : 0;
  } finally {
    if (host) await host.stop();
    else {
      abort.abort();
      await starting.catch(() => undefined);
    }
  }
}

if (require.main === module) runMain(main);
