import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/**
 * Dots in a major version, per engine: PostgreSQL's majors are one number from 10 on ("17"),
 * MySQL's and MariaDB's two ("8.0", "10.11"). One dot more names a minor version.
 */
const majorDots: Record<string, number> = { postgres: 0, mysql: 1, mariadb: 1 };

/**
 * Safe condition: autoMinorVersionUpgrade is not false (unset: RDS upgrades), and for the
 * engines above engineVersion names the major version only. The provider takes a prefix when
 * automatic upgrades are on ("If `autoMinorVersionUpgrade` is enabled, you can provide a prefix
 * of the version such as `8.0` (for `8.0.36`)", @pulumi/aws rds.Instance engineVersion); a full
 * version stops matching once RDS upgrades in the maintenance window, and the next deployment
 * asks RDS to go back to it.
 */
export const instanceAutoMinorVersionUpgrade: ResourceValidationPolicy = {
  name: "rds-instance-auto-minor-version-upgrade",
  description:
    "FSBP RDS.13: DB instances upgrade minor engine versions automatically in the maintenance " +
    "window, and engineVersion names only the major version, so the next deployment does not " +
    "undo the upgrade.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    if (instance.autoMinorVersionUpgrade === false) {
      report(
        "autoMinorVersionUpgrade is false: set it to true and engineVersion to a major version " +
          'only (such as "17"), so security fixes arrive in the maintenance window.',
      );
      return;
    }
    const dots = majorDots[instance.engine ?? ""];
    const version = instance.engineVersion;
    if (dots === undefined || !version) return;
    const parts = version.split(".");
    if (parts.length > dots + 1) {
      const major = parts.slice(0, dots + 1).join(".");
      report(
        `engineVersion "${version}" pins a minor version: RDS upgrades past it in the ` +
          "maintenance window and the next deployment asks for it again; set the major " +
          `version only ("${major}").`,
      );
    }
  }),
};
