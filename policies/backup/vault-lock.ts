import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { prop, refersTo } from "../lib/stack";

export interface VaultLockConfig {
  requireCompliance: boolean;
}

/**
 * Every backup vault has a Vault Lock; with `requireCompliance` (prod), in compliance mode
 * (`changeableForDays` set), which after its cooling-off period nobody can remove, the root
 * user included. A vault without one lets whoever may delete recovery points delete them all.
 */
export const vaultLock: StackValidationPolicy = {
  name: "backup-vault-lock",
  description:
    "Backup & recovery: every AWS Backup vault has a Vault Lock (minimum and maximum retention); with requireCompliance (prod), in compliance mode, which nobody can remove once its cooling-off period ends.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { requireCompliance: { type: "boolean", default: true } },
  },
  validateStack: (args, report) => {
    const { requireCompliance } = args.getConfig<VaultLockConfig>();
    const locks = args.resources.filter((r) => r.isType(aws.backup.VaultLockConfiguration));
    for (const vault of args.resources.filter((r) => r.isType(aws.backup.Vault))) {
      const lock = locks.find((l) => refersTo(l, "backupVaultName", vault));
      if (!lock) {
        report(
          `vault ${vault.name} has no Vault Lock: add an aws.backup.VaultLockConfiguration with ` +
            "its backupVaultName (config backupVaultLock).",
          vault.urn,
        );
        continue;
      }
      if (requireCompliance && prop(lock, "changeableForDays") === undefined) {
        report(
          `vault ${vault.name}'s lock is in governance mode, which anyone with the IAM ` +
            "permission can remove: set changeableForDays (compliance mode; config " +
            "backupVaultLock: compliance).",
          lock.urn,
        );
      }
    }
  },
};
