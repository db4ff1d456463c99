import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Symmetric customer-managed keys rotate their key material. */
/** KMS.4 asks for yearly rotation; KMS accepts periods up to 2560 days. */
const maximumDays = 365;

/**
 * Safe condition: a symmetric key rotates (enableKeyRotation true) at least yearly
 * (rotationPeriodInDays unset or at most 365).
 */
export const keyRotation: ResourceValidationPolicy = {
  name: "kms-key-rotation",
  description:
    "FSBP KMS.4: symmetric customer-managed KMS keys have automatic key rotation enabled, at least yearly (rotationPeriodInDays at most 365).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.kms.Key, (key, _args, report) => {
    // Only symmetric encryption keys can rotate automatically.
    const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
    if (spec !== "SYMMETRIC_DEFAULT") return;
    if (key.enableKeyRotation !== true) {
      report("enableKeyRotation is not true: set it to true (yearly rotation, no extra cost).");
    } else if ((key.rotationPeriodInDays ?? 365) > maximumDays) {
      report(
        `rotationPeriodInDays is ${key.rotationPeriodInDays}: rotate at least yearly (at most ` +
          `${maximumDays}, the default when unset).`,
      );
    }
  }),
};
