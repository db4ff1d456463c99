import assert from "node:assert/strict";
import { diagnostics, find, remove, set, violations } from "./gate";

const vault = "aws:backup/vault:Vault";
const plan = "aws:backup/plan:Plan";

type Rule = {
  ruleName: string;
  lifecycle?: { deleteAfter?: number; coldStorageAfter?: number };
  copyActions?: Rule[];
};

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

    it("4: reports the wrong value: an off-site copy deleted 30 days after its move to cold storage", async () => {
      const found = await violations(
        policy,
        "prod",
        changeRules(
          (rules) =>
            (rules[1].copyActions![0].lifecycle = { coldStorageAfter: 335, deleteAfter: 365 }),
        ),
      );
      assert.deepEqual(found, [
        "rule weekly's copy moves recovery points to cold storage after 335 days but deletes them after 365: cold storage keeps them at least 90 days, so set lifecycle.deleteAfter to at least 425 (or move them later).",
      ]);
    });

    it("passes the program's plans (staging 14/35 days, prod 35/365 with copies)", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });

  describe("backup-vault-lock", () => {
    const policy = "backup-vault-lock";
    const lock = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";

    it("1: reports a vault without a lock", async () => {
      const found = await violations(policy, "staging", (resources) =>
        remove(resources, find(resources, lock, "-vault")),
      );
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /^vault staging-vault has no Vault Lock: add an aws\.backup\.VaultLockConfiguration/,
      );
    });

    it("2: reports a governance lock in prod (a wrong mode, not a missing lock)", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, lock, "-copy-vault"), "changeableForDays", undefined),
      );
      assert.deepEqual(found, [
        "vault prod-copy-vault's lock is in governance mode, which anyone with the IAM " +
          "permission can remove: set changeableForDays (compliance mode; config " +
          "backupVaultLock: compliance).",
      ]);
    });

    it("3: reports a lock whose maximum is shorter than a rule's retention (the jobs fail)", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, lock, "prod-vault"), "maxRetentionDays", 30),
      );
      assert.equal(found.length, 2);
      assert.match(
        found[0],
        /^rule \S+ keeps recovery points in vault prod-vault \d+ day\(s\), longer than the lock's maximum of 30: AWS Backup fails those jobs/,
      );
    });

    it("4: reports a lock without a minimum retention (it protects nothing)", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, lock, "-vault"), "minRetentionDays", undefined),
      );
      assert.deepEqual(found, [
        "vault staging-vault's lock sets no minRetentionDays, so it enforces no minimum and recovery points can still be deleted at once: set minRetentionDays (at most the shortest retention of the plans that store here).",
      ]);
    });

    it("is advisory in dev, whose vault has no lock (backupVaultLock: none)", async () => {
      const found = (await diagnostics("dev")).filter((d) => d.policy === policy);
      assert.deepEqual(
        found.map((d) => d.level),
        ["advisory"],
      );
    });

    it("passes staging's governance lock and prod's compliance locks", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });
});
