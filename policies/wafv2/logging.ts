import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { prop, refersTo } from "../lib/stack";

const redacted = ["authorization", "cookie"];

/** Web ACLs log their decisions, with credentials redacted. */
export const logging: StackValidationPolicy = {
  name: "wafv2-logging",
  description:
    "FSBP WAF.11, logging 'sensitive data excluded' and 'security events': every web ACL has a logging configuration that redacts the authorization and cookie headers.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const configurations = args.resources.filter((r) =>
      r.isType(aws.wafv2.WebAclLoggingConfiguration),
    );
    for (const acl of args.resources.filter((r) => r.isType(aws.wafv2.WebAcl))) {
      const configuration = configurations.find((c) => refersTo(c, "resourceArn", acl));
      if (!configuration) {
        report(
          `web ACL ${acl.name} is not logged: add an aws.wafv2.WebAclLoggingConfiguration for ` +
            "it (to a log group named aws-waf-logs-*) that redacts the authorization and " +
            "cookie headers.",
          acl.urn,
        );
        continue;
      }
      const fields = prop<{ singleHeader?: { name?: string } }[]>(configuration, "redactedFields");
      const names = (fields ?? []).map((f) => f.singleHeader?.name?.toLowerCase());
      const missing = redacted.filter((header) => !names.includes(header));
      if (missing.length > 0) {
        report(
          `the logging configuration of web ACL ${acl.name} writes the ${missing.join(" and ")} ` +
            `header(s) in clear: add redactedFields ${missing
              .map((h) => `{ singleHeader: { name: "${h}" } }`)
              .join(", ")}.`,
          configuration.urn,
        );
      }
    }
  },
};
