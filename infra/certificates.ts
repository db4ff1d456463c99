import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * An ACM certificate for one name, validated by a DNS record in a Route 53 zone, so ACM renews it
 * by itself for as long as the record stays. `name`: the certificate and its validation;
 * `<name>-validation`: the record. `opts` decides the certificate's region (its provider); the
 * record, in global Route 53, takes `recordOpts`. Returns the ARN once validated.
 */
export function dnsValidatedCertificate(
  name: string,
  args: { domainName: string; zoneId: pulumi.Input<string> },
  opts: pulumi.CustomResourceOptions,
  recordOpts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
  const certificate = new aws.acm.Certificate(
    name,
    // P-256 ECDSA: smaller handshakes; ALB and CloudFront both serve it.
    { domainName: args.domainName, validationMethod: "DNS", keyAlgorithm: "EC_prime256v1" },
    opts,
  );
  const option = certificate.domainValidationOptions.apply((options) => options[0]);
  const record = new aws.route53.Record(
    `${name}-validation`,
    {
      zoneId: args.zoneId,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 300,
      allowOverwrite: true,
    },
    recordOpts,
  );
  const validation = new aws.acm.CertificateValidation(
    name,
    { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
    opts,
  );
  return validation.certificateArn;
}
