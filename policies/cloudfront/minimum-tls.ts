import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** CloudFront's viewer security policies, oldest first. */
const versions = [
  "SSLv3",
  "TLSv1",
  "TLSv1_2016",
  "TLSv1.1_2016",
  "TLSv1.2_2018",
  "TLSv1.2_2019",
  "TLSv1.2_2021",
  "TLSv1.2_2025",
  "TLSv1.3_2025",
];
const minimum = "TLSv1.2_2021";

/**
 * With a custom certificate, viewers must negotiate at least TLSv1.2_2021. CloudFront's default
 * certificate (`*.cloudfront.net`, the template without a domain) fixes the policy at TLSv1
 * and cannot be changed, so it is out of scope here.
 */
export const minimumTls: ResourceValidationPolicy = {
  name: "cloudfront-minimum-tls",
  description:
    "SSL/TLS 'TLS 1.2+ required': a distribution with its own certificate sets viewerCertificate.minimumProtocolVersion to TLSv1.2_2021 or newer (not applicable to the default *.cloudfront.net certificate).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.cloudfront.Distribution, (d, _args, report) => {
    const certificate = d.viewerCertificate;
    if (!certificate?.acmCertificateArn && !certificate?.iamCertificateId) return;
    const version = certificate.minimumProtocolVersion;
    if (!version || versions.indexOf(version) < versions.indexOf(minimum)) {
      report(
        `viewerCertificate.minimumProtocolVersion is ${version ?? "not set"}: set it to ` +
          `${minimum} (or newer) and sslSupportMethod to "sni-only".`,
      );
    }
  }),
};
