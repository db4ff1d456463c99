import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** The Enhanced Monitoring intervals RDS accepts, in seconds, other than 0 (off). */
const intervals = [1, 5, 10, 15, 30, 60];

/**
 * Safe condition: monitoringInterval is one of 1, 5, 10, 15, 30 or 60 seconds ("Valid Values: 0
 * | 1 | 5 | 10 | 15 | 30 | 60", MonitoringInterval, CreateDBInstance, Amazon RDS API Reference;
 * 0 turns Enhanced Monitoring off, any other value fails the deployment), with a
 * monitoringRoleArn.
 */
export const instanceEnhancedMonitoring: ResourceValidationPolicy = {
  name: "rds-instance-enhanced-monitoring",
  description:
    "FSBP RDS.6 and 'database monitoring enabled': DB instances have Enhanced Monitoring " +
    "(monitoringInterval 1, 5, 10, 15, 30 or 60 seconds, with a monitoring role).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    if (!instance.monitoringInterval) {
      report(
        "Enhanced Monitoring is off: set monitoringInterval (60 seconds or less) and " +
          "monitoringRoleArn a role with AmazonRDSEnhancedMonitoringRole.",
      );
    } else if (!intervals.includes(instance.monitoringInterval)) {
      report(
        `monitoringInterval is ${instance.monitoringInterval}: RDS accepts only ` +
          `${intervals.join(", ")} seconds (0 is off), so the deployment fails; set 60 or less ` +
          "from that list.",
      );
    } else if (!instance.monitoringRoleArn) {
      report(
        "monitoringInterval is set without monitoringRoleArn: add a role that " +
          "monitoring.rds.amazonaws.com assumes, with AmazonRDSEnhancedMonitoringRole.",
      );
    }
  }),
};
