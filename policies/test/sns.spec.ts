import assert from "node:assert/strict";
import { withFixtures } from "./fixtures";
import { find, set, violations } from "./gate";

describe("sns", () => {
  describe("sns-topic-encryption", () => {
    const policy = "sns-topic-encryption";

    it("1: reports an unencrypted topic", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(find(resources, "aws:sns/topic:Topic", "alerts-page"), "kmsMasterKeyId", undefined),
        ),
      );
      assert.deepEqual(found, [
        "the topic is not encrypted: set kmsMasterKeyId to a customer managed KMS key whose policy lets cloudwatch.amazonaws.com and events.amazonaws.com use it (the AWS managed alias/aws/sns key cannot grant them, so alarms could not publish).",
      ]);
    });

    it("2: reports the wrong value: the AWS managed alias/aws/sns key, which alarms cannot publish through", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(
            find(resources, "aws:sns/topic:Topic", "alerts-team"),
            "kmsMasterKeyId",
            "alias/aws/sns",
          ),
        ),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^the topic is encrypted with the AWS managed key alias\/aws\/sns/);
    });

    it("passes topics encrypted with a KMS key", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
    });
  });
});
