import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/**
 * ACM renews a certificate by itself only while it can validate it again without anyone: DNS
 * validation does that; e-mail validation needs someone to click a link before expiry, and an
 * imported certificate (privateKey) is never renewed by ACM.
 */
export const certificateDnsValidation: ResourceValidationPolicy = {
  name: "acm-certificate-dns-validation",
  description:
    "SSL/TLS 'auto-renewal configured': ACM certificates are issued by ACM and validated by DNS, so ACM renews them itself.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.acm.Certificate, (certificate, _args, report) => {
    if (certificate.privateKey) {
      report(
        "the certificate is imported, and ACM never renews imported certificates: request it " +
          'from ACM instead (domainName, validationMethod "DNS").',
      );
    } else if (certificate.validationMethod !== "DNS" && !certificate.certificateAuthorityArn) {
      report(
        `validationMethod is ${certificate.validationMethod ?? "not set"}: set it to "DNS" and ` +
          "create the validation records (aws.acm.CertificateValidation), so ACM renews the " +
          "certificate without anyone.",
      );
    }
  }),
};
