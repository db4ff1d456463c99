import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Recovery points are encrypted with a key the account controls (and can revoke). */
export const vaultCustomerManagedKey: ResourceValidationPolicy = {
  name: "backup-vault-customer-managed-key",
  description:
    "FSBP Backup.1 (recovery points encrypted at rest) and 'backups automated': backup " +
    "vaults encrypt with a customer-managed KMS key, not the AWS-managed aws/backup key.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.backup.Vault, (vault, _args, report) => {
    const key = vault.kmsKeyArn;
    if (!key || /:alias\/aws\//.test(key)) {
      report(
        `the vault is encrypted with the AWS-managed key${key ? ` (${key})` : ""}: set kmsKeyArn ` +
          "to the ARN of an aws.kms.Key with enableKeyRotation (a new vault: this replaces it).",
      );
    }
  }),
};
