import { parseArgs } from "node:util";

export interface StackArgs {
  stack: string;
  /** `-c key=value` overrides, as `pulumi preview -c` takes them. */
  config: Record<string, string>;
  /** Value of `--write-export`, where the command takes it. */
  writeExport?: string;
}

/** Parses `--stack <name> [-c key=value ...] [--write-export FILE]`; a string is a usage error. */
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

/** Runs a command's main and exits with its code; an unexpected error exits 1 with its stack. */
export function runMain(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
