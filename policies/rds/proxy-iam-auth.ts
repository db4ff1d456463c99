import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Clients sign in to the proxy with IAM tokens, not passwords. */
export const proxyIamAuth: ResourceValidationPolicy = {
  name: "rds-proxy-iam-auth",
  description:
    "FSBP RDS.10 (IAM authentication) for a database behind RDS Proxy: every auth of the proxy " +
    "has iamAuth REQUIRED, so no client holds a database password.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Proxy, (proxy, _args, report) => {
    for (const auth of proxy.auths ?? []) {
      if (auth.iamAuth !== "REQUIRED") {
        report(
          `an auth of the proxy has iamAuth ${auth.iamAuth ?? "DISABLED"}: set iamAuth ` +
            '"REQUIRED" and grant clients rds-db:connect on the proxy\'s dbuser ARN.',
        );
      }
    }
  }),
};
