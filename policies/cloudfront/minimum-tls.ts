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

/** An ACM certificate's ARN, with its region: arn:<partition>:acm:<region>:<account>:certificate/<id>. */
const acmArn = /^arn:[\w-]+:acm:([a-z0-9-]+):\d{12}:certificate\//;

/**
 * Safe condition: with a custom certificate, viewers must negotiate at least TLSv1.2_2021
 * (viewerCertificate.minimumProtocolVersion), over SNI (sslSupportMethod "sni-only": "vip" is
 * dedicated IP addresses at $600 a month for clients without SNI, and "static-ip" is for
 * distributions the CloudFront team has enabled, API reference ViewerCertificate), with an ACM
 * certificate of us-east-1 ("To use a certificate in AWS Certificate Manager (ACM) to require
 * HTTPS between viewers and CloudFront, make sure you request (or import) the certificate in the
 * US East (N. Virginia) Region (us-east-1)", CloudFront Developer Guide, "Requirements for using
 * SSL/TLS certificates with CloudFront"). A distribution with aliases needs such a certificate:
 * the default one covers only *.cloudfront.net, and CloudFront refuses the aliases without one
 * (InvalidViewerCertificate). CloudFront's default certificate (`*.cloudfront.net`, the template
 * without a domain) fixes the policy at TLSv1 and cannot be changed, so it is out of scope here.
 */
export const minimumTls: ResourceValidationPolicy = {
  name: "cloudfront-minimum-tls",
  description:
    "SSL/TLS 'TLS 1.2+ required': a distribution with its own certificate (which aliases require) sets viewerCertificate.minimumProtocolVersion to TLSv1.2_2021 or newer and sslSupportMethod sni-only, with an ACM certificate from us-east-1 (not applicable to the default *.cloudfront.net certificate).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.cloudfront.Distribution, (d, _args, report) => {
    const certificate = d.viewerCertificate;
    if (!certificate?.acmCertificateArn && !certificate?.iamCertificateId) {
      if ((d.aliases ?? []).length > 0) {
        report(
          `aliases ${(d.aliases ?? []).join(", ")} are served with the default *.cloudfront.net ` +
            "certificate, which CloudFront refuses for alternate domain names: set " +
            "viewerCertificate.acmCertificateArn to a us-east-1 ACM certificate for them, with " +
            `minimumProtocolVersion ${minimum} and sslSupportMethod "sni-only".`,
        );
      }
      return;
    }
    const version = certificate.minimumProtocolVersion;
    if (!version || versions.indexOf(version) < versions.indexOf(minimum)) {
      report(
        `viewerCertificate.minimumProtocolVersion is ${version ?? "not set"}: set it to ` +
          `${minimum} (or newer) and sslSupportMethod to "sni-only".`,
      );
    }
    if (certificate.sslSupportMethod !== "sni-only") {
      report(
        `viewerCertificate.sslSupportMethod is ${certificate.sslSupportMethod ?? "not set"}: ` +
          'set it to "sni-only" ("vip" bills dedicated IP addresses for clients without SNI).',
      );
    }
    const region = acmArn.exec(certificate.acmCertificateArn ?? "")?.[1];
    if (region !== undefined && region !== "us-east-1") {
      report(
        `viewerCertificate.acmCertificateArn is a certificate of ${region}: CloudFront uses ACM ` +
          "certificates of us-east-1 only; request it there (a us-east-1 provider).",
      );
    }
  }),
};
