import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { behaviors } from "../lib/cloudfront";

const secure = ["redirect-to-https", "https-only"];

/** Every cache behaviour sends viewers to HTTPS. */
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
