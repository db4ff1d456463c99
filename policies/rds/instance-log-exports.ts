import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** The logs each engine must publish to CloudWatch Logs. */
const requiredLogs: Record<string, string[]> = {
  postgres: ["postgresql", "upgrade"],
  mysql: ["audit", "error", "general", "slowquery"],
  mariadb: ["audit", "error", "general", "slowquery"],
};

/** The database's logs reach CloudWatch Logs. */
export const instanceLogExports: ResourceValidationPolicy = {
  name: "rds-instance-log-exports",
  description:
    "FSBP RDS.9 and 'slow query log', 'logging centralized': DB instances publish their " +
    "engine's logs to CloudWatch Logs (PostgreSQL: postgresql, upgrade).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    const required = requiredLogs[instance.engine ?? ""];
    if (!required) return;
    const exported = instance.enabledCloudwatchLogsExports ?? [];
    const missing = required.filter((log) => !exported.includes(log));
    if (missing.length > 0) {
      report(
        `logs not exported to CloudWatch: ${missing.join(", ")}: add them to ` +
          "enabledCloudwatchLogsExports (and create their log groups with a retention first).",
      );
    }
  }),
};
