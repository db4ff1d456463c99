import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Distributions are protected by a WAF web ACL. */
export const waf: ResourceValidationPolicy = {
  name: "cloudfront-waf",
  description:
    "FSBP CloudFront.6: distributions have a WAFv2 web ACL (webAclId); staging may run without one (config), so it is advisory there.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.cloudfront.Distribution, (d, _args, report) => {
    if (!d.webAclId) {
      report(
        "no web ACL is attached: set webAclId to the ARN of an aws.wafv2.WebAcl of scope " +
          "CLOUDFRONT (created in us-east-1).",
      );
    }
  }),
};
