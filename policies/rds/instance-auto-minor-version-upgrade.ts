import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Minor engine versions (security fixes) are applied automatically. */
export const instanceAutoMinorVersionUpgrade: ResourceValidationPolicy = {
  name: "rds-instance-auto-minor-version-upgrade",
  description:
    "FSBP RDS.13: DB instances upgrade minor engine versions automatically in the maintenance " +
    "window.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    // RDS upgrades automatically when the flag is unset.
    if (instance.autoMinorVersionUpgrade === false) {
      report(
        "autoMinorVersionUpgrade is false: set it to true and engineVersion to a major version " +
          'only (such as "17"), so security fixes arrive in the maintenance window.',
      );
    }
  }),
};
