import { runProgram, type ProgramRun } from "../../scripts/offline/harness";

const runs = new Map<string, Promise<ProgramRun>>();

/** The real program run once per stack with its own stack file, shared by every spec. */
export function stackRun(stack: "dev" | "staging" | "prod"): Promise<ProgramRun> {
  if (!runs.has(stack)) runs.set(stack, runProgram(stack));
  return runs.get(stack)!;
}
