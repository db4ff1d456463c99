/**
 * The operator scripts' command line: `--help`, one clear line for a missing or bad argument,
 * and the exit codes every script shares.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** 0: done, all good. 1: a check or an operation failed. 2: the command was called wrongly. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * A mistake in how the command was called: printed as one `error:` line, exit 2. The one class
 * for every operator script; lib/checks.ts (smoke-test, e2e) re-exports it.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `argv` strictly against `options` (plus `--help`). Returns undefined after printing
 * `usage` for `--help`; throws `UsageError` for an unknown option, a missing value, or a
 * `required` option left out.
 */
export function parseCommandLine<O extends Options>(
  argv: string[],
  options: O,
  required: (keyof O & string)[],
  usage: string,
): ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"] | undefined {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { ...options, help: { type: "boolean", short: "h" } },
    }));
  } catch (err) {
    // Node's messages name the option ("Unknown option '--stak'"); drop its hints about `--`.
    throw new UsageError((err as Error).message.split(". To specify")[0]);
  }
  if (values.help) {
    console.log(usage);
    return undefined;
  }
  for (const name of required) {
    if (values[name] === undefined || values[name] === "") {
      throw new UsageError(`--${name} is required`);
    }
  }
  return values as ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"];
}

/**
 * Runs a script's main and exits with its code: a `UsageError` prints `error: ...` and the usage
 * (exit 2); any other error prints `error: <message>` (exit 1).
 */
export function runScript(main: (argv: string[]) => Promise<number>, usage: string): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      if (error instanceof UsageError) {
        console.error(`error: ${error.message}\n${usage}`);
        process.exit(exitCodes.usage);
      }
      console.error(`error: ${error.message}`);
      if (process.env.DEBUG) console.error(error.stack);
      process.exit(exitCodes.failed);
    },
  );
}

/** The stack name as Pulumi accepts it; anything else is a typo or an injection attempt. */
export function checkStackName(stack: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(stack)) {
    throw new UsageError(
      `--stack must be a stack name (letters, digits, "-", "_", "."), got "${stack}"`,
    );
  }
  return stack;
}
