import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Symmetric customer-managed keys rotate their key material. */
export const keyRotation: ResourceValidationPolicy = {
  name: "kms-key-rotation",
  description:
    "FSBP KMS.4: symmetric customer-managed KMS keys have automatic key rotation enabled.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.kms.Key, (key, _args, report) => {
    // Only symmetric encryption keys can rotate automatically.
    const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
    if (spec !== "SYMMETRIC_DEFAULT") return;
    if (key.enableKeyRotation !== true) {
      report("enableKeyRotation is not true: set it to true (yearly rotation, no extra cost).");
    }
  }),
};
