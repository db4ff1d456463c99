import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { refersToValue } from "../lib/references";

/** Every secret the stack declares rotates automatically. */
export const secretRotation: StackValidationPolicy = {
  name: "secretsmanager-secret-rotation",
  description:
    "FSBP SecretsManager.1 and 'secrets in secret manager': every Secrets Manager secret " +
    "the stack declares has an aws.secretsmanager.SecretRotation (secrets RDS manages itself, " +
    "like the database's master password, rotate without one).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const rotations = args.resources.filter((r) => r.isType(aws.secretsmanager.SecretRotation));
    for (const secret of args.resources.filter((r) => r.isType(aws.secretsmanager.Secret))) {
      const rotated = rotations.some((rotation) =>
        refersToValue(rotation, "secretId", secret, "arn"),
      );
      if (!rotated) {
        report(
          `secret ${secret.name} never rotates: add an aws.secretsmanager.SecretRotation for it ` +
            "(rotationRules.automaticallyAfterDays), or let the owning service manage it (RDS " +
            "manageMasterUserPassword).",
          secret.urn,
        );
      }
    }
  },
};
