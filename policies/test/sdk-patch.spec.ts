/**
 * `patches/@pulumi+policy+1.21.0.patch` (applied by `patch-package` at `npm ci`): the SDK
 * converts a resource's properties from protobuf once, not once per policy reading them, and
 * each policy still gets objects of its own. Fails if the patch is not applied.
 */
import * as deserialize from "@pulumi/policy/deserialize";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import assert from "node:assert/strict";

type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
// Marked @internal in the SDK, so its typings leave it out.
const { deserializeProperties } = deserialize as unknown as {
  deserializeProperties: (properties: Struct, proxySecrets: boolean) => Props;
};

/** A properties Struct counting its conversions to plain values. */
function countingStruct(value: Record<string, never>): {
  struct: Struct;
  conversions: () => number;
} {
  const struct = Struct.fromJavaScript(value);
  const convert = struct.toJavaScript.bind(struct);
  let conversions = 0;
  struct.toJavaScript = () => {
    conversions++;
    return convert();
  };
  return { struct, conversions: () => conversions };
}

describe("@pulumi/policy, as patched", () => {
  const properties = { bucket: "logs", tags: { team: "web" }, rules: [{ days: 30 }] } as never;

  it("converts a resource's properties Struct once, however many policies read them", () => {
    const { struct, conversions } = countingStruct(properties);
    for (let policy = 0; policy < 24; policy++) deserializeProperties(struct, false);
    assert.equal(conversions(), 1);
  });

  it("gives each policy its own objects: what one changes, the next does not see", () => {
    const { struct } = countingStruct(properties);
    const first = deserializeProperties(struct, false);
    first.tags.team = "changed";
    first.rules[0].days = 1;
    first.added = true;
    assert.deepEqual(deserializeProperties(struct, false), properties);
  });

  it("converts different Structs each to their own value", () => {
    const a = deserializeProperties(Struct.fromJavaScript({ name: "a" }), false);
    const b = deserializeProperties(Struct.fromJavaScript({ name: "b" }), false);
    assert.deepEqual([a.name, b.name], ["a", "b"]);
  });
});
