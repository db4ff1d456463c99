import assert from "node:assert/strict";
import type { Environment } from "../../infra/config";
import {
  ofType,
  runProgram,
  type ProgramRun,
  type RegisteredResource,
} from "../../scripts/offline/harness";

const runs = new Map<string, Promise<ProgramRun>>();

/** The real program run once per stack with its own stack file, shared by every spec. */
export function stackRun(stack: Environment): Promise<ProgramRun> {
  if (!runs.has(stack)) runs.set(stack, runProgram(stack));
  return runs.get(stack)!;
}

/** The one resource of `type` in the run; fails if there are none or several. */
export function one(run: ProgramRun, type: string): RegisteredResource {
  const found = ofType(run, type);
  assert.equal(found.length, 1, `one ${type}, found ${found.length}`);
  return found[0];
}
