import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Database storage, snapshots and backups are encrypted at rest. */
export const instanceStorageEncrypted: ResourceValidationPolicy = {
  name: "rds-instance-storage-encrypted",
  description:
    "FSBP RDS.3: DB instances encrypt their storage (and so their snapshots and backups) at rest.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    if (instance.storageEncrypted !== true) {
      report(
        "storageEncrypted is not true: set it with kmsKeyId a customer-managed key (this " +
          "replaces an existing instance: restore an encrypted copy of a snapshot instead).",
      );
    }
  }),
};
