import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** The database publishes OS metrics (Enhanced Monitoring). */
export const instanceEnhancedMonitoring: ResourceValidationPolicy = {
  name: "rds-instance-enhanced-monitoring",
  description:
    "FSBP RDS.6 and 'database monitoring enabled': DB instances have Enhanced Monitoring " +
    "(monitoringInterval above 0, with a monitoring role).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    if (!instance.monitoringInterval) {
      report(
        "Enhanced Monitoring is off: set monitoringInterval (60 seconds or less) and " +
          "monitoringRoleArn a role with AmazonRDSEnhancedMonitoringRole.",
      );
    } else if (!instance.monitoringRoleArn) {
      report(
        "monitoringInterval is set without monitoringRoleArn: add a role that " +
          "monitoring.rds.amazonaws.com assumes, with AmazonRDSEnhancedMonitoringRole.",
      );
    }
  }),
};
