import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ignoreLeftoverRejections } from "../../scripts/offline/harness";
import { AwsMocks } from "../../scripts/offline/mocks";

/**
 * Declares resources alone (not the whole program) under the offline mocks and resolves to the
 * message of the error that declaring them throws; fails if nothing throws.
 */
export async function declarationError(declare: () => void): Promise<string> {
  await pulumi.runtime.setMocks(new AwsMocks("eu-west-1"), "acme", "unit");
  try {
    await pulumi.runtime.runInPulumiStack(async () => declare());
  } catch (err) {
    ignoreLeftoverRejections(err);
    await pulumi.runtime.disconnect();
    return (err as Error).message;
  }
  assert.fail("the declaration was accepted");
}
