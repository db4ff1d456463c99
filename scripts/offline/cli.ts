import { parseArgs, type ParseArgsConfig } from "node:util";
import { ExportFileError, ProgramError, StackFileError } from "./errors";
import { PackBuildError, PolicyConfigError } from "./policy-config";

export interface StackArgs {
  stack: string;
  /** `-c key=value` overrides, as `pulumi preview -c` takes them. */
  config: Record<string, string>;
  /** Value of `--write-export`, where the command takes it. */
  writeExport?: string;
  /** `--details`: each resource's main inputs under its line. */
  details?: boolean;
  /** `--diff EXPORT`: the export to compare with. */
  diff?: string;
}

/** `--help` (`-h`) was asked for: print the command's help and exit 0. */
export const HELP = Symbol("help");

/**
 * `parseArgs` over the command line, strict, with `--help` added; a string is a usage error, said
 * the way a user can act on: `-c key value` (a space where `=` belongs) gets the line to write.
 */
export function parseOptions<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
):
  | ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>["values"]
  | string
  | typeof HELP {
  let parsed;
  try {
    parsed = parseArgs({
      strict: true,
      allowPositionals: true,
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    return (err as Error).message;
  }
  if ((parsed.values as { help?: boolean }).help) return HELP;
  for (const positional of parsed.positionals) {
    const at = argv.indexOf(positional);
    const flag = argv[at - 2];
    const key = argv[at - 1];
    if ((flag === "-c" || flag === "--config") && key !== undefined && !key.includes("=")) {
      return `${flag} takes key=value in one argument: write ${flag} ${key}=${positional}`;
    }
    return `unexpected argument "${positional}": options start with -- (see --help)`;
  }
  return parsed.values as never;
}

/**
 * Parses `--stack <name> [-c key=value ...] [--write-export FILE] [--details] [--diff EXPORT]
 * [--verbose]`; a string is a usage error. `--verbose` is read by `runMain`.
 */
export function parseStackArgs(
  argv: string[],
  allowExport: boolean,
): StackArgs | string | typeof HELP {
  const values = parseOptions(argv, {
    ...stackOptions,
    "write-export": { type: "string" },
    details: { type: "boolean" },
    diff: { type: "string" },
  });
  if (typeof values === "string" || values === HELP) return values;
  if (!allowExport) {
    for (const option of ["write-export", "details", "diff"] as const) {
      if (values[option] !== undefined) return `--${option} is not an option of this command`;
    }
  }
  if (!values.stack) return "--stack is required";
  const config = configPairs(values.config);
  if (typeof config === "string") return config;
  return {
    stack: values.stack,
    config,
    writeExport: values["write-export"],
    details: values.details ?? false,
    diff: values.diff,
  };
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
