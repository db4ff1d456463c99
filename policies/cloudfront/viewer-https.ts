import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { behaviors } from "../lib/cloudfront";

/**
 * The two viewerProtocolPolicy values that keep viewers on HTTPS; the third CloudFront knows is
 * allow-all ("Valid Values: allow-all | https-only | redirect-to-https", API reference
 * DefaultCacheBehavior.ViewerProtocolPolicy,
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DefaultCacheBehavior.html).
 */
const secure = ["redirect-to-https", "https-only"];

/**
 * Safe condition: the default cache behaviour and every ordered one has viewerProtocolPolicy
 * exactly "redirect-to-https" or "https-only"; allow-all, a misspelt or wrongly cased value, or
 * none at all is refused here rather than served over HTTP or failed at deploy.
 */
export const viewerHttps: ResourceValidationPolicy = {
  name: "cloudfront-viewer-https",
  description:
    "FSBP CloudFront.3, CDN 'HTTPS enabled': every cache behaviour's viewerProtocolPolicy is redirect-to-https or https-only.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.cloudfront.Distribution, (d, _args, report) => {
    for (const { where, behavior } of behaviors(d)) {
      if (!secure.includes(behavior.viewerProtocolPolicy ?? "")) {
        report(
          `${where} has viewerProtocolPolicy ${behavior.viewerProtocolPolicy}: set it to ` +
            '"redirect-to-https" (or "https-only").',
        );
      }
    }
  }),
};
