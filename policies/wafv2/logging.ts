import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { prop, refersTo, unknown } from "../lib/stack";

const redacted = ["authorization", "cookie"];

/**
 * The name a log destination's ARN ends with: a log group (`...:log-group:NAME[:*]`), a bucket
 * (`arn:aws:s3:::NAME[/prefix]`) or a Firehose stream (`...:deliverystream/NAME`).
 */
function destinationName(arn: string): string | undefined {
  const match =
    /:log-group:([^:]+)/.exec(arn) ??
    /^arn:[^:]+:s3:::([^/]+)/.exec(arn) ??
    /:deliverystream\/(.+)$/.exec(arn);
  return match?.[1];
}

/**
 * Safe condition: every web ACL has a logging configuration whose destinations WAF accepts and
 * that redacts the authorization and cookie headers. WAF only delivers to a log group, bucket
 * or Firehose stream whose name begins with `aws-waf-logs-` (AWS WAF Developer Guide, "Logging
 * destinations"); another name is refused when the configuration is created. A destination
 * ARN a preview does not know yet is not judged.
 */
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
      for (const arn of prop<string[]>(configuration, "logDestinationConfigs") ?? []) {
        const name = arn === unknown ? undefined : destinationName(arn);
        if (name !== undefined && !name.startsWith("aws-waf-logs-")) {
          report(
            `the logging configuration of web ACL ${acl.name} sends to ${name}, whose name ` +
              "does not begin with aws-waf-logs-: WAF refuses the destination. Name the log " +
              "group, bucket or Firehose stream aws-waf-logs-<something>.",
            configuration.urn,
          );
        }
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
