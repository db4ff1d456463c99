import { parseArgs } from "node:util";
import { ProgramError, StackFileError } from "./harness";
import { PolicyConfigError } from "./policy-config";

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
      options: {
        stack: { type: "string", short: "s" },
        config: { type: "string", short: "c", multiple: true },
        "write-export": { type: "string" },
        verbose: { type: "boolean" },
      },
    }));
    if (!allowExport && values["write-export"] !== undefined) {
      return "--write-export is not an option of this command";
    }
  } catch (err) {
    return (err as Error).message;
  }
  if (!values.stack) return "--stack is required";
  const config: Record<string, string> = {};
  for (const pair of values.config ?? []) {
    const at = pair.indexOf("=");
    if (at < 1) return `--config takes key=value, got "${pair}"`;
    config[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { stack: values.stack, config, writeExport: values["write-export"] };
}

/** Mistakes a user can make whose message already says what and where: no stack trace helps. */
const userErrors = [ProgramError, StackFileError, PolicyConfigError];

/**
 * Runs a command's main and exits with its code. An error exits 1 with one `error:` line per
 * problem and no stack trace, unless `--verbose` or `DEBUG` asks for it.
 */
export function runMain(main: (argv: string[]) => Promise<number>): void {
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
