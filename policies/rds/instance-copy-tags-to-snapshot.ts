import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Snapshots carry the instance's tags (owner, cost centre, environment). */
export const instanceCopyTagsToSnapshot: ResourceValidationPolicy = {
  name: "rds-instance-copy-tags-to-snapshot",
  description:
    "FSBP RDS.17: DB instances copy their tags to snapshots, so snapshots stay attributable " +
    "after the instance is gone.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    if (instance.copyTagsToSnapshot !== true) {
      report("copyTagsToSnapshot is not true: set it to true.");
    }
  }),
};
