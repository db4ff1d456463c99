import assert from "node:assert/strict";
import { ofType, type ProgramRun, type RegisteredResource } from "../../scripts/offline/harness";
import { ofType as typed, runProgram } from "../../scripts/offline/harness";
import { Backup, vaultDeniedActions } from "../../infra/backup";
import { declarationError } from "./declare-alone";
import {
  configKey,
  project,
  providerOf,
  regionOf,
  regionOfStack,
  setting,
  stackRun,
} from "./stacks";

interface Rule {
  ruleName: string;
  targetVaultName: string;
  schedule: string;
  lifecycle: { deleteAfter: number };
  copyActions?: { destinationVaultArn: string; lifecycle: { deleteAfter: number } }[];
}

describe("backup", () => {
  const expected = {
    dev: { daily: 7, weekly: 14, copyRegion: undefined, lock: "none" },
    staging: { daily: 14, weekly: 35, copyRegion: undefined, lock: "governance" },
    prod: {
      daily: 35,
      weekly: 365,
      copyRegion: setting("prod", "backupCopyRegion"),
      lock: "compliance",
    },
  };

  for (const [stack, want] of Object.entries(expected) as [
    keyof typeof expected,
    { daily: number; weekly: number; copyRegion?: string; lock: string },
  ][]) {
    describe(stack, () => {
      let run: ProgramRun;
      let vaults: RegisteredResource[];
      let rules: Rule[];
      before(async () => {
        run = await stackRun(stack);
        vaults = ofType(run, "aws:backup/vault:Vault");
        const [plan] = ofType(run, "aws:backup/plan:Plan");
        rules = plan.inputs.rules as Rule[];
      });

      it("keeps recovery points in a vault encrypted with a rotated customer-managed key", () => {
        const primary = vaults.find((v) => regionOf(run, v) === regionOfStack(stack))!;
        const key = ofType(run, "aws:kms/key:Key").find(
          (k) => k.outputs.arn === primary.inputs.kmsKeyArn,
        );
        assert.ok(key, "the vault's key is one of the stack's");
        assert.equal(key.inputs.enableKeyRotation, true);
      });

      it(`runs a daily rule kept ${want.daily} days and a weekly rule kept ${want.weekly} days`, () => {
        const primary = vaults.find((v) => regionOf(run, v) === regionOfStack(stack))!;
        assert.deepEqual(
          rules.map((r) => [r.ruleName, r.schedule, r.lifecycle.deleteAfter, r.targetVaultName]),
          [
            ["daily", "cron(0 5 * * ? *)", want.daily, primary.outputs.name],
            ["weekly", "cron(0 6 ? * SUN *)", want.weekly, primary.outputs.name],
          ],
        );
      });

      it("selects the database, with a role holding AWS Backup's managed policies", () => {
        const [selection] = ofType(run, "aws:backup/selection:Selection");
        const [db] = ofType(run, "aws:rds/instance:Instance");
        assert.deepEqual(selection.inputs.resources, [db.outputs.arn]);
        assert.equal(selection.inputs.planId, ofType(run, "aws:backup/plan:Plan")[0].id);
        const role = ofType(run, "aws:iam/role:Role").find(
          (r) => r.outputs.arn === selection.inputs.iamRoleArn,
        )!;
        assert.equal(
          JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal.Service,
          "backup.amazonaws.com",
        );
        const policies = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
          .filter((a) => a.inputs.role === role.outputs.name)
          .map((a) => a.inputs.policyArn);
        assert.deepEqual(policies, [
          "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
          "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
        ]);
      });

      if (want.copyRegion) {
        it(`copies every recovery point to a KMS-encrypted vault in ${want.copyRegion}`, () => {
          const copy = vaults.find((v) => regionOf(run, v) === want.copyRegion);
          assert.ok(copy, `a vault in ${want.copyRegion}`);
          const key = ofType(run, "aws:kms/key:Key").find(
            (k) => k.outputs.arn === copy.inputs.kmsKeyArn,
          )!;
          assert.equal(regionOf(run, key), want.copyRegion);
          for (const rule of rules) {
            assert.deepEqual(rule.copyActions, [
              { destinationVaultArn: copy.outputs.arn, lifecycle: rule.lifecycle },
            ]);
          }
        });
      } else {
        it("keeps backups in the stack's region only (no off-site copy outside prod)", () => {
          assert.equal(vaults.length, 1);
          for (const rule of rules) assert.equal(rule.copyActions, undefined);
          assert.ok(vaults.every((v) => regionOf(run, v) === regionOfStack(stack)));
        });
      }

      it(`locks every vault: ${want.lock}`, () => {
        const locks = ofType(run, "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
        const policies = ofType(run, "aws:backup/vaultPolicy:VaultPolicy");
        if (want.lock === "none") {
          assert.deepEqual([locks.length, policies.length], [0, 0]);
          return;
        }
        assert.deepEqual(
          locks.map((l) => l.inputs.backupVaultName).sort(),
          vaults.map((v) => v.outputs.name).sort(),
        );
        for (const lock of locks) {
          // Compliance mode is changeableForDays set; governance leaves it unset.
          assert.equal(lock.inputs.changeableForDays, want.lock === "compliance" ? 7 : undefined);
          assert.equal(lock.inputs.minRetentionDays, want.daily);
          assert.equal(lock.inputs.maxRetentionDays, want.weekly);
          const vault = vaults.find((v) => v.outputs.name === lock.inputs.backupVaultName)!;
          assert.equal(regionOf(run, lock), regionOf(run, vault));
        }
      });

      if (want.lock !== "none") {
        it("denies everyone deleting or shortening recovery points, or lifting the denial", () => {
          const policies = ofType(run, "aws:backup/vaultPolicy:VaultPolicy");
          assert.equal(policies.length, vaults.length);
          for (const vault of vaults) {
            const policy = policies.find((p) => p.inputs.backupVaultName === vault.outputs.name)!;
            assert.deepEqual(JSON.parse(policy.inputs.policy as string).Statement, [
              {
                Sid: "NobodyDeletesOrShortensRecoveryPoints",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: vaultDeniedActions,
                Resource: vault.outputs.arn,
              },
            ]);
          }
          for (const action of [
            "backup:DeleteRecoveryPoint",
            "backup:UpdateRecoveryPointLifecycle",
            "backup:PutBackupVaultAccessPolicy",
          ]) {
            assert.ok(vaultDeniedActions.includes(action), action);
          }
        });
      }

      it("every AWS provider refuses credentials of another account, the copy region's included", () => {
        for (const resource of ofType(run, "aws:backup/vault:Vault")) {
          // Provider inputs reach the engine as JSON text.
          const allowed = providerOf(run, resource).inputs.allowedAccountIds as string;
          assert.deepEqual(JSON.parse(allowed), [run.config[configKey("accountId")]]);
        }
      });

      it("sends failed, aborted and expired backup and copy jobs to an EventBridge rule", () => {
        const rule = ofType(run, "aws:cloudwatch/eventRule:EventRule").find((r) =>
          r.name.endsWith("-backup-failures"),
        )!;
        assert.deepEqual(JSON.parse(rule.inputs.eventPattern as string), {
          source: ["aws.backup"],
          "detail-type": ["Backup Job State Change", "Copy Job State Change"],
          detail: { state: ["FAILED", "ABORTED", "EXPIRED"] },
        });
        assert.equal(run.stackOutputs.backupFailureRuleArn, rule.outputs.arn);
      });
    });
  }

  describe("off-site copy to a backup account", () => {
    const backupAccount = "444444444444";
    const vaultArn = `arn:aws:backup:${regionOfStack("prod")}:${backupAccount}:backup-vault:${project}-prod-offsite`;

    it("copies every recovery point to the backup account's vault too", async () => {
      const run = await runProgram("prod", { config: { backupCopyVaultArn: vaultArn } });
      const [plan] = typed(run, "aws:backup/plan:Plan");
      const copyVault = typed(run, "aws:backup/vault:Vault").find(
        (v) => regionOf(run, v) === setting("prod", "backupCopyRegion"),
      )!;
      for (const rule of plan.inputs.rules as Rule[]) {
        assert.deepEqual(rule.copyActions, [
          { destinationVaultArn: copyVault.outputs.arn, lifecycle: rule.lifecycle },
          { destinationVaultArn: vaultArn, lifecycle: rule.lifecycle },
        ]);
      }
    });

    it("refuses a vault of the stack's own account, or a malformed ARN", async () => {
      await assert.rejects(
        runProgram("prod", {
          config: {
            backupCopyVaultArn: vaultArn.replace(backupAccount, setting("prod", "accountId")),
          },
        }),
        new RegExp(
          `${configKey("backupCopyVaultArn")} must be a vault of another account than ${configKey("accountId")}`,
        ),
      );
      await assert.rejects(
        runProgram("prod", { config: { backupCopyVaultArn: `${project}-prod-offsite` } }),
        new RegExp(
          `${configKey("backupCopyVaultArn")} must be a backup vault ARN in another account`,
        ),
      );
    });

    it("prod refuses a vault without a compliance lock; staging without any", async () => {
      await assert.rejects(
        runProgram("prod", { config: { backupVaultLock: "governance" } }),
        new RegExp(`${configKey("backupVaultLock")} must be one of "compliance", got "governance"`),
      );
      await assert.rejects(
        runProgram("staging", { config: { backupVaultLock: "none" } }),
        new RegExp(
          `${configKey("backupVaultLock")} must be one of "governance", "compliance", got "none"`,
        ),
      );
      await assert.rejects(
        runProgram("prod", { config: { backupVaultLockChangeableDays: "2" } }),
        new RegExp(
          `${configKey("backupVaultLockChangeableDays")} must be an integer from 3 to 36500, got "2"`,
        ),
      );
    });
  });

  describe("Backup args", () => {
    it("rejects a compliance cooling-off period shorter than AWS's 3 days", async () => {
      const message = await declarationError(
        () =>
          new Backup("unit", {
            resourceArns: ["arn:aws:rds:eu-west-1:123456789012:db:unit"],
            vaultLockChangeableDays: 2,
          }),
      );
      assert.equal(message, "Backup unit: vaultLockChangeableDays must be at least 3");
    });

    it("rejects weekly recovery points kept shorter than daily ones", async () => {
      const message = await declarationError(
        () =>
          new Backup("unit", {
            resourceArns: ["arn:aws:rds:eu-west-1:123456789012:db:unit"],
            dailyRetentionDays: 35,
            weeklyRetentionDays: 14,
          }),
      );
      assert.equal(message, "Backup unit: weeklyRetentionDays must be >= dailyRetentionDays");
    });
  });
});
