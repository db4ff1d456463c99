import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

export interface InstanceBackupRetentionConfig {
  minimumDays: number;
}

/** The longest automated backup retention RDS accepts. */
const maximumDays = 35;

/**
 * Safe condition: backupRetentionPeriod (unset: RDS keeps 1 day) is at least the environment's
 * `minimumDays` (the point-in-time recovery window) and at most 35, the most RDS accepts
 * ("BackupRetentionPeriod ... Must be a value from 0 to 35", CreateDBInstance, Amazon RDS API
 * Reference): a longer period, written in the hope of keeping backups longer, fails the
 * deployment; backups kept longer than 35 days belong in AWS Backup.
 */
export const instanceBackupRetention: ResourceValidationPolicy = {
  name: "rds-instance-backup-retention",
  description:
    "FSBP RDS.11 and 'automatic backups enabled, point-in-time recovery available': DB " +
    "instances keep automated backups at least the environment's minimum number of days, and " +
    "at most the 35 RDS accepts.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minimumDays: { type: "integer", minimum: 1, maximum: 35, default: 7 },
    },
  },
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, args, report) => {
    const { minimumDays } = args.getConfig<InstanceBackupRetentionConfig>();
    // RDS keeps one day when backupRetentionPeriod is unset.
    const days = instance.backupRetentionPeriod ?? 1;
    if (days === 0) {
      report(
        `automated backups are off (backupRetentionPeriod 0): set at least ${minimumDays} days.`,
      );
    } else if (days > maximumDays) {
      report(
        `backupRetentionPeriod is ${days} days: RDS accepts at most ${maximumDays}, so the ` +
          `deployment fails; set ${maximumDays} or less and keep longer copies with an AWS Backup ` +
          "plan.",
      );
    } else if (days < minimumDays) {
      report(
        `backupRetentionPeriod is ${days} day(s): this environment requires at least ${minimumDays}.`,
      );
    }
  }),
};
