import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import type { PolicyResource } from "@pulumi/policy";
import { prop, refersTo, unknown } from "../lib/stack";

interface Lifecycle {
  deleteAfter?: number;
}
interface PlanRule {
  ruleName?: string;
  targetVaultName?: string;
  lifecycle?: Lifecycle;
  copyActions?: { destinationVaultArn?: string; lifecycle?: Lifecycle }[];
}

/** Each plan rule or copy that stores recovery points in `vault`, with the days it keeps them. */
function keptIn(vault: PolicyResource, plans: PolicyResource[]): [string, number][] {
  const name = prop<string>(vault, "name");
  const arn = prop<string>(vault, "arn");
  const known = (v: string | undefined) => v !== undefined && v !== unknown;
  const kept: [string, number][] = [];
  for (const plan of plans) {
    for (const rule of prop<PlanRule[]>(plan, "rules") ?? []) {
      const days = rule.lifecycle?.deleteAfter;
      if (known(name) && rule.targetVaultName === name && days) {
        kept.push([`rule ${rule.ruleName}`, days]);
      }
      for (const copy of rule.copyActions ?? []) {
        const copyDays = copy.lifecycle?.deleteAfter;
        if (known(arn) && copy.destinationVaultArn === arn && copyDays) {
          kept.push([`rule ${rule.ruleName}'s copy`, copyDays]);
        }
      }
    }
  }
  return kept;
}

export interface VaultLockConfig {
  requireCompliance: boolean;
}

/**
 * Safe condition: every backup vault has a Vault Lock with a minimum retention, whose frame
 * (minRetentionDays to maxRetentionDays) holds the retention of every plan rule and copy that
 * stores recovery points in the vault; with `requireCompliance` (prod), in compliance mode
 * (`changeableForDays` set), which after its cooling-off period nobody can remove, the root
 * user included. A vault without one lets whoever may delete recovery points delete them all.
 * Without minRetentionDays the lock enforces no minimum, so recovery points can still be deleted
 * at once; a retention outside the frame makes AWS Backup fail the job (AWS Backup Developer
 * Guide, "AWS Backup Vault Lock": "backup and copy jobs ... with retention periods shorter than
 * the minimum or longer than the maximum ... fail").
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
    const plans = args.resources.filter((r) => r.isType(aws.backup.Plan));
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
      const min = prop<number>(lock, "minRetentionDays");
      const max = prop<number>(lock, "maxRetentionDays");
      if (min === undefined) {
        report(
          `vault ${vault.name}'s lock sets no minRetentionDays, so it enforces no minimum and ` +
            "recovery points can still be deleted at once: set minRetentionDays (at most the " +
            "shortest retention of the plans that store here).",
          lock.urn,
        );
      }
      for (const [what, days] of keptIn(vault, plans)) {
        const outside =
          typeof min === "number" && days < min
            ? `shorter than the lock's minimum of ${min}`
            : typeof max === "number" && days > max
              ? `longer than the lock's maximum of ${max}`
              : undefined;
        if (outside) {
          report(
            `${what} keeps recovery points in vault ${vault.name} ${days} day(s), ${outside}: ` +
              "AWS Backup fails those jobs. Widen the lock's minRetentionDays/maxRetentionDays " +
              "or change the rule's lifecycle.deleteAfter.",
            lock.urn,
          );
        }
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
