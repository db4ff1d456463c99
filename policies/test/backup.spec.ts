import assert from "node:assert/strict";
import { find, set, violations } from "./gate";

const vault = "aws:backup/vault:Vault";
const plan = "aws:backup/plan:Plan";

type Rule = { ruleName: string; lifecycle?: { deleteAfter?: number }; copyActions?: Rule[] };

describe("backup", () => {
  describe("backup-vault-customer-managed-key", () => {
    const policy = "backup-vault-customer-managed-key";

    it("1: reports a vault without a key (the AWS-managed one)", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, vault, "-vault"), "kmsKeyArn", undefined),
      );
      assert.deepEqual(found, [
        "the vault is encrypted with the AWS-managed key: set kmsKeyArn to the ARN of an " +
          "aws.kms.Key with enableKeyRotation (a new vault: this replaces it).",
      ]);
    });

    it("2: reports the aws/backup alias named explicitly", async () => {
      const alias = "arn:aws:kms:eu-west-1:222222222222:alias/aws/backup";
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, vault, "-copy-vault"), "kmsKeyArn", alias),
      );
      assert.deepEqual(found, [
        `the vault is encrypted with the AWS-managed key (${alias}): set kmsKeyArn to the ARN ` +
          "of an aws.kms.Key with enableKeyRotation (a new vault: this replaces it).",
      ]);
    });

    it("passes the program's vaults (and prod's off-site copy vault), each with its own key", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });

  describe("backup-plan-retention", () => {
    const policy = "backup-plan-retention";
    const changeRules =
      (change: (rules: Rule[]) => void) => (resources: Parameters<typeof find>[0]) => {
        const found = find(resources, plan);
        const rules = structuredClone(found.inputs.rules) as Rule[];
        change(rules);
        set(found, "rules", rules);
      };

    it("1: reports a rule that keeps recovery points forever", async () => {
      const found = await violations(
        policy,
        "staging",
        changeRules((rules) => delete rules[0].lifecycle),
      );
      assert.deepEqual(found, [
        "rule daily keeps recovery points forever (and bills them): set lifecycle.deleteAfter " +
          "to at least 7 days.",
      ]);
    });

    it("2: reports prod's daily rule kept less than config/prod.json's 35 days", async () => {
      const found = await violations(
        policy,
        "prod",
        changeRules((rules) => (rules[0].lifecycle = { deleteAfter: 14 })),
      );
      assert.deepEqual(found, [
        "rule daily keeps recovery points 14 day(s): this environment requires at least 35.",
      ]);
    });

    it("3: reports an off-site copy kept forever", async () => {
      const found = await violations(
        policy,
        "prod",
        changeRules((rules) => delete rules[1].copyActions![0].lifecycle),
      );
      assert.deepEqual(found, [
        "rule weekly's copy keeps recovery points forever (and bills them): set " +
          "lifecycle.deleteAfter to at least 35 days.",
      ]);
    });

    it("passes the program's plans (staging 14/35 days, prod 35/365 with copies)", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });
});
