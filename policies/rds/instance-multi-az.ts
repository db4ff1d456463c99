import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** The database has a standby in a second availability zone. */
export const instanceMultiAz: ResourceValidationPolicy = {
  name: "rds-instance-multi-az",
  description:
    "FSBP RDS.5: DB instances are Multi-AZ, failing over to a standby when an AZ fails " +
    "(advisory in dev and staging, which run single-AZ to save cost).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    if (instance.multiAz !== true) {
      report(
        "multiAz is not true: set it (the stack's dbMultiAz); it doubles the instance and " +
          "storage cost, and the change applies in the maintenance window.",
      );
    }
  }),
};
