import assert from "node:assert/strict";
import { find, set, violations } from "./gate";

const key = "aws:kms/key:Key";

describe("kms", () => {
  describe("kms-key-rotation", () => {
    const policy = "kms-key-rotation";
    const message =
      "enableKeyRotation is not true: set it to true (yearly rotation, no extra cost).";

    it("1: reports the database key without rotation", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, key, "-db"), "enableKeyRotation", false),
      );
      assert.deepEqual(found, [message]);
    });

    it("2: reports a key that leaves rotation unset (off)", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, key, "-vault"), "enableKeyRotation", undefined),
      );
      assert.deepEqual(found, [message]);
    });

    it("3: reports the wrong value: rotation on, but once in seven years", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, key, "-db"), "rotationPeriodInDays", 2560),
      );
      assert.deepEqual(found, [
        "rotationPeriodInDays is 2560: rotate at least yearly (at most 365, the default when unset).",
      ]);
    });

    it("passes the program's keys (database, backup vaults)", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });

    it("passes an asymmetric key, which cannot rotate automatically", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const signing = find(resources, key, "-db");
        set(signing, "enableKeyRotation", undefined);
        set(signing, "customerMasterKeySpec", "RSA_3072");
      });
      assert.deepEqual(found, []);
    });
  });
});
