/**
 * The mistakes a user can make whose message already says what and where, in a module of their
 * own: `runMain` (cli.ts) tells them from other failures, and it must not load the program
 * (@pulumi/pulumi, infra/) to do so, because the gate starts its policy pack before that load.
 */
import type { RegisteredResource } from "./harness";

/** The program failed (bad config, for example); `resources` is what it declared before that. */
export class ProgramError extends Error {
  constructor(
    override readonly cause: Error,
    readonly resources: RegisteredResource[],
    message = cause.message,
  ) {
    super(message);
    this.name = "ProgramError";
  }
}

/** `Pulumi.yaml` or `Pulumi.<stack>.yaml` is missing, empty or not YAML; the message names it. */
export class StackFileError extends Error {
  override readonly name = "StackFileError";
}

/** An export file the gate cannot read; the message names the file and what was expected. */
export class ExportFileError extends Error {
  override readonly name = "ExportFileError";
}
