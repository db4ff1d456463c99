/**
 * The stack file as the operator scripts read it. Kept apart from cli.ts, which stays free of the
 * Pulumi program's imports so that lib/checks.ts (smoke-test, e2e) can share its `UsageError`.
 */
import { StackFileError } from "../offline/errors";
import { stackConfig } from "../offline/harness";
import { UsageError } from "./cli";

/** `read()`, reading a stack file: a missing or broken one (`StackFileError`) is a usage error. */
export function readStackFile<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof StackFileError) throw new UsageError(err.message);
    throw err;
  }
}

/** The region in the stack's file; a missing or broken stack file is a usage error. */
export function stackRegion(stack: string): string | undefined {
  return readStackFile(() => stackConfig(stack)).config["aws:region"];
}
