import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../ops/cli";

/** Thrown for a missing or bad argument: the script prints one line and exits 2. */
export { UsageError };

/** The names app/scripts/build-assets.ts gives: `app.3f2a9c1b0d.js` (10 hex digits of SHA-256). */
export const HASHED_NAME = /\.[0-9a-f]{10}\.(js|css)$/;

/** What a check reports: `detail` says what was seen, so a FAIL line is enough to start on. */
export type Outcome = { ok: true; detail: string } | { ok: false; detail: string };

export const pass = (detail: string): Outcome => ({ ok: true, detail });
export const fail = (detail: string): Outcome => ({ ok: false, detail });

/**
 * Prints one `PASS  <name>  <detail>` or `FAIL  <name>  <detail>` line per check as it ends
 * (`SKIP` when an earlier failure made the check meaningless) and a summary line; the process
 * exit code is 1 if anything failed or was skipped, else 0.
 */
export class Report {
  private counts = { passed: 0, failed: 0, skipped: 0 };

  constructor(private readonly title: string) {}

  /** Runs a check; a thrown error is a failure with its message, never a crash. */
  async check(name: string, run: () => Promise<Outcome>): Promise<boolean> {
    const started = Date.now();
    let outcome: Outcome;
    try {
      outcome = await run();
    } catch (err) {
      outcome = fail(describeError(err));
    }
    const ms = Date.now() - started;
    this.counts[outcome.ok ? "passed" : "failed"]++;
    console.log(`${outcome.ok ? "PASS" : "FAIL"}  ${name}  ${outcome.detail} (${ms} ms)`);
    return outcome.ok;
  }

  /** True once a check has failed or been skipped. */
  get failed(): boolean {
    return this.counts.failed + this.counts.skipped > 0;
  }

  skip(name: string, why: string): void {
    this.counts.skipped++;
    console.log(`SKIP  ${name}  ${why}`);
  }

  /** Prints the summary and returns the exit code. */
  finish(): number {
    const { passed, failed, skipped } = this.counts;
    const ok = failed === 0 && skipped === 0;
    console.log(
      `${ok ? "PASSED" : "FAILED"}: ${this.title}: ${passed} passed, ${failed} failed, ${skipped} skipped`,
    );
    return ok ? 0 : 1;
  }
}

/**
 * An error in one line: its message's first line (Playwright appends a call log) with its cause
 * (fetch puts the useful part there: ECONNREFUSED, certificate errors).
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const message = err.message.split("\n")[0];
  if (err.name === "TimeoutError") return `no answer in time (${message})`;
  const cause = err.cause as { code?: string; message?: string } | undefined;
  const why = cause?.code ?? cause?.message;
  return why && !message.includes(why) ? `${message}: ${why}` : message;
}

/**
 * Parses argv with node:util's parseArgs (strict); parse errors become UsageErrors. `--help`
 * is declared here for every script.
 */
export function parseCli<O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: O,
) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { ...options, help: { type: "boolean", short: "h" } },
    }).values;
  } catch (err) {
    // parseArgs explains some mistakes over several lines; the contract is one line.
    throw new UsageError((err as Error).message.replace(/\s*\n\s*/g, " "));
  }
}

/** `--url`: an absolute http(s) URL; the string is the flag's value, undefined when absent. */
export function parseUrl(value: string | undefined): URL {
  if (value === undefined) throw new UsageError("--url is required (the service's base URL)");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `--url must be an absolute URL such as https://example.com, got "${value}"`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--url must be http:// or https://, got "${value}"`);
  }
  return url;
}

/** An integer flag within bounds; `fallback` when absent. */
export function parseIntFlag(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/**
 * Runs a script's main and exits with its code (without waiting for idle keep-alive sockets).
 * A UsageError is one line, `error: <message> (see --help)`, exit 2; anything else unexpected
 * is `error: <message>`, exit 1.
 */
export function runScript(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof UsageError) {
        console.error(`error: ${err.message} (see --help)`);
        process.exit(2);
      }
      console.error(`error: ${describeError(err)}`);
      process.exit(1);
    },
  );
}
