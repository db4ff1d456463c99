import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { refersToValue } from "../lib/references";

const requiresIam = (proxy: PolicyResource) => {
  const auths = (proxy.props.auths ?? []) as { iamAuth?: string }[];
  return auths.length > 0 && auths.every((a) => a.iamAuth === "REQUIRED");
};

/** Clients authenticate to the database with IAM, on the instance or through its proxy. */
export const instanceIamAuthentication: StackValidationPolicy = {
  name: "rds-instance-iam-authentication",
  description:
    "FSBP RDS.10: DB instances have IAM database authentication, or are the target of an RDS " +
    "Proxy whose every auth requires IAM.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const proxies = args.resources.filter((r) => r.isType(aws.rds.Proxy));
    const targets = args.resources.filter((r) => r.isType(aws.rds.ProxyTarget));
    for (const instance of args.resources.filter((r) => r.isType(aws.rds.Instance))) {
      if (instance.props.iamDatabaseAuthenticationEnabled === true) continue;
      const behindIamProxy = targets
        .filter((t) => refersToValue(t, "dbInstanceIdentifier", instance, "identifier"))
        .some((t) =>
          proxies.some((p) => refersToValue(t, "dbProxyName", p, "name") && requiresIam(p)),
        );
      if (!behindIamProxy) {
        report(
          `database ${instance.name} accepts passwords only: set iamDatabaseAuthenticationEnabled ` +
            'true, or put it behind an aws.rds.Proxy whose auths have iamAuth "REQUIRED".',
          instance.urn,
        );
      }
    }
  },
};
