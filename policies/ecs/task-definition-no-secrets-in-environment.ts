import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf } from "../lib/container-definitions";

/** Names that say the value is a credential: DB_PASSWORD, JWT_SECRET, GITHUB_TOKEN, STRIPE_KEY. */
const secretName = /PASSW(OR)?D|SECRET|TOKEN|CREDENTIAL|PRIVATE_?KEY|API_?KEY|(^|_)KEY$/i;
/** Values that are credentials whatever their name. */
const secretValues: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/, "an AWS access key id"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^@\s]+@/i, "a URL with a password"],
];

/** No container carries a secret in a plain environment variable. */
export const taskDefinitionNoSecretsInEnvironment: ResourceValidationPolicy = {
  name: "ecs-task-definition-no-secrets-in-environment",
  description:
    "FSBP ECS.8 and 'secrets in secret manager': no environment variable has a " +
    "secret-looking name or value; secrets come through `secrets` (valueFrom Secrets Manager or " +
    "SSM Parameter Store).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.TaskDefinition, (definition, _args, report) => {
    for (const container of containersOf(definition, report)) {
      for (const { name = "", value = "" } of container.environment ?? []) {
        const byValue = secretValues.find(([pattern]) => pattern.test(value))?.[1];
        if (!byValue && !secretName.test(name)) continue;
        // The value itself is never repeated: the report may end up in a CI log.
        report(
          `${containerLabel(container)}: environment variable ${name} ` +
            (byValue ? `holds ${byValue}` : "is named like a secret") +
            ": move it to the container's secrets with valueFrom a Secrets Manager or SSM " +
            "parameter ARN (anyone who can describe the task definition reads its environment).",
        );
      }
    }
  }),
};
