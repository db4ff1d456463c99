/** AWS Backup: how long recovery points are kept, where they are copied, how they are locked. */
import { z } from "zod";
import { vaultLockModes, type BackupSettings } from "../backup";
import {
  atOrAbove,
  daysFrom,
  integer,
  quoted,
  setting,
  type Assert,
  type CheckContext,
  type ConfigProblem,
  type Fits,
} from "./setting";

/** The shape of `aws:region`'s value, for the backup copy region. */
const regionFormat = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
/** arn:<partition>:backup:<region>:<account>:backup-vault:<name> */
const backupVaultArnFormat =
  /^arn:aws[a-z-]*:backup:[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d:\d{12}:backup-vault:[A-Za-z0-9_-]{2,50}$/;

/** The component's settings, and the copy region, whose provider the program creates. */
export const backupSection = z.object({
  dailyRetentionDays: setting(integer(1, 36500), {
    key: "backupDailyRetentionDays",
    description: "Days AWS Backup keeps each daily recovery point",
    expected: daysFrom(1, 36500),
  }),
  weeklyRetentionDays: setting(integer(7, 36500), {
    key: "backupWeeklyRetentionDays",
    description: "Days AWS Backup keeps each weekly recovery point",
    expected: "an integer from 7 to 36500, at least backupDailyRetentionDays",
  }),
  copyRegion: setting(z.string().regex(regionFormat), {
    key: "backupCopyRegion",
    description: "Second region AWS Backup copies recovery points to; required in prod",
    expected: "an AWS region other than aws:region, such as eu-central-1",
    optional: true,
  }),
  crossAccountCopyVaultArn: setting(z.string().regex(backupVaultArnFormat), {
    key: "backupCopyVaultArn",
    description:
      "Vault in a separate backup account every recovery point is also copied to (its policy must admit this account)",
    expected:
      "a backup vault ARN in another account, such as arn:aws:backup:eu-west-1:444444444444:backup-vault:acme-prod",
    optional: true,
  }),
  vaultLock: setting(z.enum(vaultLockModes), {
    key: "backupVaultLock",
    description:
      "AWS Backup Vault Lock: `compliance` (immutable after the cooling-off period), `governance` (removable with IAM permission), or `none`",
    expected: (floor: string | undefined) => `one of ${quoted(atOrAbove(vaultLockModes, floor))}`,
  }),
  vaultLockChangeableDays: setting(integer(3, 36500), {
    key: "backupVaultLockChangeableDays",
    description:
      "Compliance lock's cooling-off period: days the lock can still be removed, after which nobody can",
    expected: "an integer from 3 to 36500",
    default: 7,
  }),
});
export type BackupConfig = z.infer<typeof backupSection>;
export type BackupFits = Assert<Fits<Omit<BackupConfig, "copyRegion">, BackupSettings>>;

export function backupProblems(v: Partial<BackupConfig>, { key, region, accountId }: CheckContext) {
  const problems: ConfigProblem[] = [];
  const { dailyRetentionDays: daily, weeklyRetentionDays: weekly } = v;
  if (daily !== undefined && weekly !== undefined && weekly < daily) {
    problems.push({
      key: key("backupWeeklyRetentionDays"),
      message: `must be >= ${key("backupDailyRetentionDays")} (${daily}), got "${weekly}"`,
    });
  }
  if (v.copyRegion !== undefined && v.copyRegion === region) {
    problems.push({
      key: key("backupCopyRegion"),
      message:
        `must differ from aws:region (${region}): ` +
        `a copy in the same region is not off-site, got "${v.copyRegion}"`,
    });
  }
  // The point of the copy is an account this one's credentials cannot reach.
  const copyAccount = v.crossAccountCopyVaultArn?.split(":")[4];
  if (copyAccount !== undefined && copyAccount === accountId) {
    problems.push({
      key: key("backupCopyVaultArn"),
      message:
        `must be a vault of another account than ${key("accountId")} (${accountId}): ` +
        `a copy this account can delete is no off-site copy, got "${v.crossAccountCopyVaultArn}"`,
    });
  }
  return problems;
}
