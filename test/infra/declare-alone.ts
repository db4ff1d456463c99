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

/** A resource a component declared alone registered: its type, name, inputs and provider. */
export interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider?: string;
}

/**
 * Declares resources alone (not the whole program) under the offline mocks, in `region`, and
 * resolves to every custom resource they registered once all their inputs have resolved.
 */
export async function declaredAlone(
  declare: () => void,
  region = "eu-west-1",
): Promise<Declared[]> {
  const declared: Declared[] = [];
  const mocks = new AwsMocks(region);
  const newResource = mocks.newResource.bind(mocks);
  mocks.newResource = (args) => {
    if (args.custom !== false) {
      declared.push({
        type: args.type,
        name: args.name,
        inputs: args.inputs,
        provider: args.provider,
      });
    }
    return newResource(args);
  };
  await pulumi.runtime.setMocks(mocks, "acme", "unit");
  await pulumi.runtime.runInPulumiStack(async () => declare());
  await pulumi.runtime.disconnect();
  return declared;
}
