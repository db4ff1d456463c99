import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** The master user names a default engine's superuser. */
const defaultUsernames: Record<string, string> = {
  postgres: "postgres",
  mysql: "admin",
  mariadb: "admin",
};

/** The master user is not the engine's well-known default. */
export const instanceCustomAdminUsername: ResourceValidationPolicy = {
  name: "rds-instance-custom-admin-username",
  description:
    "FSBP RDS.25: DB instances use a custom master username, not the engine's default " +
    "(postgres, admin), which is the first one guessed.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    const engineDefault = defaultUsernames[instance.engine ?? ""];
    if (engineDefault && instance.username === engineDefault) {
      report(
        `username is the default "${engineDefault}": choose another master username (this ` +
          "replaces the instance).",
      );
    }
  }),
};
