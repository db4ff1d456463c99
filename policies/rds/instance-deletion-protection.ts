import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** The database cannot be deleted by one command. */
export const instanceDeletionProtection: ResourceValidationPolicy = {
  name: "rds-instance-deletion-protection",
  description:
    "FSBP RDS.8: DB instances have deletion protection (advisory where the environment's data " +
    "is rebuildable: dev, staging).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    if (instance.deletionProtection !== true) {
      report(
        "deletionProtection is not true: set it (the stack's dbDeletionProtection), so deleting " +
          "the database takes a deliberate change first.",
      );
    }
  }),
};
