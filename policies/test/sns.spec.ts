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

    /** The alert key's policy with the statement granting `service` taken out. */
    const withoutGrant = (service: string) => (resources: Parameters<typeof find>[0]) => {
      const key = find(resources, "aws:kms/key:Key", "alerts");
      const document = JSON.parse(key.outputs.policy as string);
      document.Statement = document.Statement.filter(
        (s: { Principal?: { Service?: string } }) => s.Principal?.Service !== service,
      );
      set(key, "policy", JSON.stringify(document));
    };

    it("3: reports the wrong value: a key policy that does not let CloudWatch use the key", async () => {
      const found = await violations(policy, "prod", withoutGrant("cloudwatch.amazonaws.com"));
      assert.deepEqual(found, [
        'CloudWatch alarms publish to topic prod-page, but the policy of its key prod-alerts does not let cloudwatch.amazonaws.com use it, so their messages are refused: add a key policy statement { Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" }.',
        'CloudWatch alarms publish to topic prod-team, but the policy of its key prod-alerts does not let cloudwatch.amazonaws.com use it, so their messages are refused: add a key policy statement { Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" }.',
      ]);
    });

    it("4: reports a grant to EventBridge that lacks kms:GenerateDataKey*", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const key = find(resources, "aws:kms/key:Key", "alerts");
        const document = JSON.parse(key.outputs.policy as string);
        for (const s of document.Statement) {
          if (s.Principal?.Service === "events.amazonaws.com") s.Action = ["kms:Decrypt"];
        }
        set(key, "policy", JSON.stringify(document));
      });
      assert.deepEqual(found, [
        'EventBridge rules publish to topic prod-team, but the policy of its key prod-alerts does not let events.amazonaws.com use it, so their messages are refused: add a key policy statement { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" }.',
      ]);
    });

    it("passes topics encrypted with a KMS key", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
      assert.deepEqual(await violations(policy, "prod"), []);
      assert.deepEqual(await violations(policy, "staging"), []);
    });
  });
});
