import { parseArgs } from "node:util";
import { ProgramError, StackFileError } from "./harness";
import { PackBuildError, PolicyConfigError } from "./policy-config";
import { ExportFileError } from "./read-export";

export interface StackArgs {
  stack: string;
  /** `-c key=value` overrides, as `pulumi preview -c` takes them. */
  config: Record<string, string>;
  /** Value of `--write-export`, where the command takes it. */
  writeExport?: string;
}

/**
 * Parses `--stack <name> [-c key=value ...] [--write-export FILE] [--verbose]`; a string is a
 * usage error. `--verbose` is read by `runMain`.
 */
export function parseStackArgs(argv: string[], allowExport: boolean): StackArgs | string {
  let values: { stack?: string; config?: string[]; "write-export"?: string };
  try {
    ({ values } = parseArgs({
      strict: true,
      args: argv,
      options: { ...stackOptions, "write-export": { type: "string" } },
    }));
    if (!allowExport && values["write-export"] !== undefined) {
      return "--write-export is not an option of this command";
    }
  } catch (err) {
    return (err as Error).message;
  }
  if (!values.stack) return "--stack is required";
  const config = configPairs(values.config);
  if (typeof config === "string") return config;
  return { stack: values.stack, config, writeExport: values["write-export"] };
}

/** The options every offline command takes (`parseArgs` form). */
export const stackOptions = {
  stack: { type: "string", short: "s" },
  config: { type: "string", short: "c", multiple: true },
  verbose: { type: "boolean" },
} as const;

/** `-c key=value` pairs as a map; a string is a usage error. */
export function configPairs(pairs: string[] = []): Record<string, string> | string {
  const config: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at < 1) return `--config takes key=value, got "${pair}"`;
    config[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return config;
}

/** Mistakes a user can make whose message already says what and where: no stack trace helps. */
const userErrors = [
  ProgramError,
  StackFileError,
  PolicyConfigError,
  ExportFileError,
  PackBuildError,
];

/**
 * Runs a command's main and exits with its code. An error exits 1 with one `error:` line per
 * problem and no stack trace, unless `--verbose` or `DEBUG` asks for it. Ctrl-C (SIGINT) and
 * SIGTERM exit at once with 130 and 143, as a shell reports them; the child processes end with
 * this one (see policy-host.ts).
 */
export function runMain(main: (argv: string[]) => Promise<number>): void {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      console.error(`interrupted (${signal})`);
      process.exit(code);
    });
  }
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(
        describeFailure(err, process.argv.includes("--verbose") || !!process.env.DEBUG),
      );
      process.exit(1);
    },
  );
}

export function describeFailure(err: unknown, verbose: boolean): string {
  const error = err instanceof Error ? err : new Error(String(err));
  if (verbose) {
    const cause = error.cause instanceof Error ? `\ncaused by: ${error.cause.stack}` : "";
    return `${error.stack}${cause}`;
  }
  if (userErrors.some((kind) => error instanceof kind)) {
    return error.message
      .split("\n")
      .map((line) => `error: ${line}`)
      .join("\n");
  }
  // Not a mistake we know of: its first line, and how to see the rest.
  return `error: ${error.message.split("\n")[0]}\n(rerun with --verbose for the stack trace)`;
}
