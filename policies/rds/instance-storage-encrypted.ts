import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { notChecked } from "../lib/report";
import { prop, refersTo, unknown } from "../lib/stack";

/**
 * An AWS-managed key's ARN ends in its alias, `alias/aws/<service>` (aws/rds for RDS); the
 * provider takes kmsKeyId only as an ARN (@pulumi/aws rds.Instance: "The ARN for the KMS
 * encryption key").
 */
const awsManagedAlias = /:alias\/aws\//;

/**
 * Safe condition: every DB instance has storageEncrypted true and kmsKeyId naming, directly or
 * through an aws.kms.Alias, an aws.kms.Key of this stack (customer-managed) that is enabled and
 * is a symmetric encryption key (customerMasterKeySpec SYMMETRIC_DEFAULT, keyUsage
 * ENCRYPT_DECRYPT).
 *
 * - No kmsKeyId, or the aws/rds alias, encrypts with the account's AWS-managed key, and RDS
 *   refuses to share a snapshot encrypted with it: a copy to a backup account needs a
 *   customer-managed key ("You can't share a snapshot that has been encrypted using the default
 *   KMS key", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/share-encrypted-snapshot.html).
 * - RDS encrypts only with symmetric encryption keys ("Amazon RDS supports only symmetric
 *   encryption KMS keys", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html),
 *   and a disabled key makes the instance inaccessible (same page).
 * - A key from outside the stack cannot be read here: "not checked".
 */
export const instanceStorageEncrypted: StackValidationPolicy = {
  name: "rds-instance-storage-encrypted",
  description:
    "FSBP RDS.3: DB instances encrypt their storage (and so their snapshots and backups) at " +
    "rest with an enabled symmetric customer-managed KMS key of the stack, so a snapshot can " +
    "be copied to a backup account.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const keys = args.resources.filter((r) => r.isType(aws.kms.Key));
    const aliases = args.resources.filter((r) => r.isType(aws.kms.Alias));
    /** The stack's key that kmsKeyId names, itself or through one of the stack's aliases. */
    const keyOf = (instance: PolicyResource): PolicyResource | undefined => {
      const direct = keys.find((k) => refersTo(instance, "kmsKeyId", k));
      if (direct) return direct;
      const alias = aliases.find((a) => refersTo(instance, "kmsKeyId", a));
      return alias && keys.find((k) => refersTo(alias, "targetKeyId", k));
    };

    for (const instance of args.resources.filter((r) => r.isType(aws.rds.Instance))) {
      const at = instance.urn;
      if (prop(instance, "storageEncrypted") !== true) {
        report(
          `database ${instance.name}: storageEncrypted is not true: set it with kmsKeyId a ` +
            "customer-managed key (this replaces an existing instance: restore an encrypted " +
            "copy of a snapshot instead).",
          at,
        );
        continue;
      }
      const keyId = prop<string>(instance, "kmsKeyId");
      const key = keyOf(instance);
      if (!key && (keyId === undefined || awsManagedAlias.test(keyId))) {
        report(
          `database ${instance.name} is encrypted with the AWS-managed aws/rds key, whose ` +
            "snapshots cannot be shared with a backup account: set kmsKeyId to the ARN of an " +
            "aws.kms.Key with enableKeyRotation (this replaces the instance: restore a " +
            "snapshot copied to the new key).",
          at,
        );
        continue;
      }
      if (!key) {
        notChecked(
          report,
          `database ${instance.name}'s kmsKeyId ${keyId === unknown ? "(not known yet)" : keyId} ` +
            "is not a key this stack declares, so whether it is customer-managed, symmetric " +
            "and enabled cannot be read",
          at,
        );
        continue;
      }
      const spec = prop<string>(key, "customerMasterKeySpec") ?? "SYMMETRIC_DEFAULT";
      const usage = prop<string>(key, "keyUsage") ?? "ENCRYPT_DECRYPT";
      if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") {
        report(
          `database ${instance.name}'s key ${key.name} is ${spec} for ${usage}: RDS encrypts ` +
            "only with a symmetric encryption key (customerMasterKeySpec SYMMETRIC_DEFAULT, " +
            "keyUsage ENCRYPT_DECRYPT).",
          at,
        );
      } else if (prop(key, "isEnabled") === false) {
        report(
          `database ${instance.name}'s key ${key.name} is disabled (isEnabled false): RDS ` +
            "cannot read the instance's storage; enable the key.",
          at,
        );
      }
    }
  },
};
