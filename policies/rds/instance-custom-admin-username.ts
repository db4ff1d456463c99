import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/**
 * The master user names the RDS console fills in: "postgres" for PostgreSQL, "admin" for the
 * other engines. AWS Config's rds-instance-default-admin-check, which
 * FSBP RDS.25 runs, treats both as defaults on every engine ("Cannot include 'postgres' or
 * 'admin' as valid username(s) as these are default values",
 * https://docs.aws.amazon.com/config/latest/developerguide/rds-instance-default-admin-check.html):
 * "admin" on PostgreSQL is guessed as readily as "postgres".
 */
const defaultUsernames = ["postgres", "admin"];

/**
 * Safe condition: the master username, compared without regard to case (a guess costs nothing
 * in either case), is neither "postgres" nor "admin", whatever the engine. An instance restored
 * from a snapshot or made a replica takes its source's user, which is not in the stack.
 */
export const instanceCustomAdminUsername: ResourceValidationPolicy = {
  name: "rds-instance-custom-admin-username",
  description:
    "FSBP RDS.25: DB instances use a custom master username, not a default (postgres or " +
    "admin, on any engine), which is the first one guessed.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    const username = instance.username;
    if (username !== undefined && defaultUsernames.includes(username.toLowerCase())) {
      report(
        `username is the default "${username}": choose another master username (this ` +
          "replaces the instance).",
      );
    }
  }),
};
