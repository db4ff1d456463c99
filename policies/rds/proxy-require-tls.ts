import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Clients reach the proxy over TLS only. */
export const proxyRequireTls: ResourceValidationPolicy = {
  name: "rds-proxy-require-tls",
  description:
    "'SSL configured', 'TLS 1.2+ required': RDS Proxy refuses connections without TLS " +
    "(requireTls).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Proxy, (proxy, _args, report) => {
    if (proxy.requireTls !== true) {
      report("requireTls is not true: set it, so no client reaches the database in clear text.");
    }
  }),
};
