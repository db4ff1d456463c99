import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

export interface InstanceBackupRetentionConfig {
  minimumDays: number;
}

/** Automated backups are on and kept at least `minimumDays` (the point-in-time recovery window). */
export const instanceBackupRetention: ResourceValidationPolicy = {
  name: "rds-instance-backup-retention",
  description:
    "FSBP RDS.11 and 'automatic backups enabled, point-in-time recovery available': DB " +
    "instances keep automated backups at least the environment's minimum number of days.",
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
    } else if (days < minimumDays) {
      report(
        `backupRetentionPeriod is ${days} day(s): this environment requires at least ${minimumDays}.`,
      );
    }
  }),
};
