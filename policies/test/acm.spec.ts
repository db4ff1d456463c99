import assert from "node:assert/strict";
import { addBeside, find, violations } from "./gate";

const certificate = "aws:acm/certificate:Certificate";

/** The policy's violations for a certificate of `props` added to the prod program. */
const withCertificate = (props: Record<string, unknown>) =>
  violations("acm-certificate-dns-validation", "prod", (resources) => {
    addBeside(resources, find(resources, "aws:lb/loadBalancer:LoadBalancer"), certificate, "cert", {
      domainName: "example.com",
      ...props,
    });
  });

describe("acm", () => {
  describe("acm-certificate-dns-validation", () => {
    it("1: reports a certificate validated by e-mail", async () => {
      assert.deepEqual(await withCertificate({ validationMethod: "EMAIL" }), [
        'validationMethod is EMAIL: set it to "DNS" and create the validation records (aws.acm.CertificateValidation), so ACM renews the certificate without anyone.',
      ]);
    });

    it("2: reports an imported certificate", async () => {
      const found = await withCertificate({ privateKey: "-----BEGIN PRIVATE KEY-----" });
      assert.match(found[0], /^the certificate is imported, and ACM never renews/);
    });

    it("passes a DNS-validated certificate", async () => {
      assert.deepEqual(await withCertificate({ validationMethod: "DNS" }), []);
    });
  });
});
