import assert from "node:assert/strict";
import type { RegisteredResource } from "../../scripts/offline/harness";
import { withFixtures } from "./fixtures";
import { addBeside, diagnostics, find, remove, set, type Stack, violations } from "./gate";

const distribution = "aws:cloudfront/distribution:Distribution";
const cdn = (resources: RegisteredResource[]) => find(resources, distribution, "cdn");

/** The violations of `policy` on the program with the fixtures, after `change` to them. */
const after = (
  policy: string,
  change: (resources: RegisteredResource[]) => void = () => {},
  stack: Stack = "prod",
) => violations(policy, stack, withFixtures(change));

/** Changes the distribution's origin `originId` (inputs and outputs alike). */
function changeOrigin(
  resources: RegisteredResource[],
  originId: string,
  change: (origin: Record<string, unknown>) => void,
): void {
  for (const props of [cdn(resources).inputs, cdn(resources).outputs]) {
    change((props.origins as Record<string, unknown>[]).find((o) => o.originId === originId)!);
  }
}

describe("cloudfront", () => {
  describe("cloudfront-viewer-https", () => {
    const policy = "cloudfront-viewer-https";

    it("1: reports a behaviour that serves plain HTTP", async () => {
      const found = await after(policy, (resources) => {
        const d = cdn(resources);
        set(d, "orderedCacheBehaviors", [
          {
            ...(d.inputs.orderedCacheBehaviors as object[])[0],
            viewerProtocolPolicy: "allow-all",
          },
        ]);
      });
      assert.deepEqual(found, [
        'the /assets/* behaviour has viewerProtocolPolicy allow-all: set it to "redirect-to-https" (or "https-only").',
      ]);
    });

    it("passes behaviours that redirect to HTTPS", async () => {
      assert.deepEqual(await after(policy), []);
    });
  });

  describe("cloudfront-minimum-tls", () => {
    const policy = "cloudfront-minimum-tls";
    const withCertificate = (minimumProtocolVersion?: string) =>
      after(policy, (resources) =>
        set(cdn(resources), "viewerCertificate", {
          acmCertificateArn: "arn:aws:acm:us-east-1:222222222222:certificate/0example",
          sslSupportMethod: "sni-only",
          minimumProtocolVersion,
        }),
      );

    it("1: reports a custom certificate allowing TLS 1.1", async () => {
      assert.deepEqual(await withCertificate("TLSv1.1_2016"), [
        'viewerCertificate.minimumProtocolVersion is TLSv1.1_2016: set it to TLSv1.2_2021 (or newer) and sslSupportMethod to "sni-only".',
      ]);
    });

    it("2: reports TLSv1.2_2019, older than the required TLSv1.2_2021", async () => {
      assert.equal((await withCertificate("TLSv1.2_2019")).length, 1);
    });

    it("passes TLSv1.2_2021 and newer, and the default certificate (not applicable)", async () => {
      assert.deepEqual(await withCertificate("TLSv1.2_2021"), []);
      assert.deepEqual(await withCertificate("TLSv1.3_2025"), []);
      assert.deepEqual(await after(policy), []);
    });
  });

  describe("cloudfront-origin-https", () => {
    // Staging: no custom domain, so no certificate until a case adds one.
    const policy = "cloudfront-origin-https";
    const afterIn = (change?: (resources: RegisteredResource[]) => void) =>
      after(policy, change, "staging");

    it("1: reports HTTP to the load balancer once it has an HTTPS listener", async () => {
      const found = await afterIn((resources) => {
        const http = find(resources, "aws:lb/listener:Listener", "-http");
        addBeside(resources, http, "aws:lb/listener:Listener", "staging-https", {
          ...http.inputs,
          port: 443,
          protocol: "HTTPS",
          sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        }).propertyDependencies = http.propertyDependencies;
      });
      assert.deepEqual(found, [
        'origin service of cdn uses originProtocolPolicy http-only: set it to "https-only" (the origin needs a certificate: set config domainName).',
      ]);
    });

    it("2: reports HTTP to a custom origin that is not a load balancer of the stack", async () => {
      const found = await afterIn((resources) =>
        changeOrigin(resources, "service", (o) => (o.domainName = "api.example.org")),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^origin service of cdn uses originProtocolPolicy http-only/);
    });

    it("3: reports TLS 1.0 allowed towards the origin", async () => {
      const found = await afterIn((resources) =>
        changeOrigin(resources, "service", (o) => {
          o.customOriginConfig = {
            ...(o.customOriginConfig as object),
            originSslProtocols: ["TLSv1", "TLSv1.2"],
          };
        }),
      );
      assert.deepEqual(found, [
        'origin service of cdn allows TLSv1 to the origin: set originSslProtocols to ["TLSv1.2"].',
      ]);
    });

    it("passes HTTP only to the stack's certificate-less load balancer, and https-only anywhere", async () => {
      assert.deepEqual(await afterIn(), []);
      const httpsOnly = await afterIn((resources) =>
        changeOrigin(resources, "service", (o) => {
          o.domainName = "origin.example.org";
          o.customOriginConfig = {
            ...(o.customOriginConfig as object),
            originProtocolPolicy: "https-only",
          };
        }),
      );
      assert.deepEqual(httpsOnly, []);
    });
  });

  describe("cloudfront-s3-origin-access-control", () => {
    const policy = "cloudfront-s3-origin-access-control";

    it("1: reports an S3 origin without an origin access control", async () => {
      const found = await after(policy, (resources) =>
        changeOrigin(resources, "static", (o) => delete o.originAccessControlId),
      );
      assert.deepEqual(found, [
        "S3 origin static has no originAccessControlId: create an aws.cloudfront.OriginAccessControl (signingBehavior always, sigv4) and set it, and let the bucket policy allow only this distribution.",
      ]);
    });

    it("2: reports a legacy origin access identity left beside the control", async () => {
      const found = await after(policy, (resources) =>
        changeOrigin(resources, "static", (o) => {
          o.s3OriginConfig = { originAccessIdentity: "origin-access-identity/cloudfront/E1" };
        }),
      );
      assert.match(found[0], /^S3 origin static still sets an origin access identity/);
    });

    it("3: reports an S3 website endpoint as a custom origin", async () => {
      const found = await after(policy, (resources) =>
        changeOrigin(resources, "service", (o) => {
          o.domainName = "acme-static.s3-website-eu-west-1.amazonaws.com";
        }),
      );
      assert.match(
        found[0],
        /^origin service is an S3 website endpoint, which needs a public bucket/,
      );
    });

    it("passes the static bucket behind an origin access control", async () => {
      assert.deepEqual(await after(policy), []);
    });
  });

  describe("cloudfront-waf", () => {
    const policy = "cloudfront-waf";

    it("1: reports a distribution without a web ACL, mandatory in prod", async () => {
      const found = await diagnostics(
        "prod",
        withFixtures((resources) => set(cdn(resources), "webAclId", undefined)),
      );
      assert.deepEqual(
        found.filter((d) => d.policy === policy).map((d) => [d.level, d.message]),
        [
          [
            "mandatory",
            "no web ACL is attached: set webAclId to the ARN of an aws.wafv2.WebAcl of scope CLOUDFRONT (created in us-east-1).",
          ],
        ],
      );
    });

    it("2: reports it as advisory in staging, where the WAF is configurable", async () => {
      const found = await diagnostics(
        "staging",
        withFixtures((resources) => set(cdn(resources), "webAclId", undefined)),
      );
      assert.deepEqual(
        found.filter((d) => d.policy === policy).map((d) => d.level),
        ["advisory"],
      );
    });

    it("passes a distribution with a web ACL", async () => {
      assert.deepEqual(await after(policy), []);
    });
  });

  describe("cloudfront-logging", () => {
    const policy = "cloudfront-logging";

    it("1: reports a distribution without access logs", async () => {
      const found = await after(policy, (resources) => {
        set(cdn(resources), "loggingConfig", undefined);
        cdn(resources).propertyDependencies.loggingConfig = [];
      });
      assert.deepEqual(found, [
        "distribution cdn writes no access logs: set loggingConfig.bucket to a log bucket's domain name (with a lifecycle expiry), or add an aws.cloudwatch.LogDeliverySource (logType ACCESS_LOGS) with a LogDelivery.",
      ]);
    });

    it("passes standard logging to S3, and a v2 log delivery source instead", async () => {
      assert.deepEqual(await after(policy), []);
      const v2 = await after(policy, (resources) => {
        const d = cdn(resources);
        set(d, "loggingConfig", undefined);
        const source = addBeside(
          resources,
          d,
          "aws:cloudwatch/logDeliverySource:LogDeliverySource",
          "cdn-access-logs",
          {
            logType: "ACCESS_LOGS",
            resourceArn: "arn:aws:cloudfront::222222222222:distribution/E1",
          },
        );
        source.propertyDependencies.resourceArn = [d.urn];
      });
      assert.deepEqual(v2, []);
    });
  });

  describe("cloudfront-default-root-object", () => {
    const policy = "cloudfront-default-root-object";

    it("1: reports a default behaviour on the S3 origin without a root object", async () => {
      const found = await after(policy, (resources) => {
        const d = cdn(resources);
        set(d, "defaultCacheBehavior", {
          ...(d.inputs.defaultCacheBehavior as object),
          targetOriginId: "static",
        });
      });
      assert.deepEqual(found, [
        'the default behaviour serves S3 origin static but defaultRootObject is not set: set defaultRootObject (e.g. "index.html").',
      ]);
    });

    it("passes / served by the application (not applicable) and an S3 default with index.html", async () => {
      assert.deepEqual(await after(policy), []);
      const s3Default = await after(policy, (resources) => {
        const d = cdn(resources);
        set(d, "defaultRootObject", "index.html");
        set(d, "defaultCacheBehavior", {
          ...(d.inputs.defaultCacheBehavior as object),
          targetOriginId: "static",
        });
      });
      assert.deepEqual(s3Default, []);
    });
  });

  describe("cloudfront-hsts", () => {
    const policy = "cloudfront-hsts";
    const headersPolicy = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy";
    const withHsts = (hsts: Record<string, unknown>) =>
      after(policy, (resources) =>
        set(find(resources, headersPolicy), "securityHeadersConfig", {
          strictTransportSecurity: hsts,
        }),
      );

    it("1: reports HSTS shorter than a year, on each behaviour using the policy", async () => {
      const found = await withHsts({
        accessControlMaxAgeSec: 86_400,
        includeSubdomains: true,
        override: true,
      });
      assert.deepEqual(found, [
        "defaultCacheBehavior of cdn: response headers policy security-headers keeps HSTS for 86400 seconds, less than a year: attach an aws.cloudfront.ResponseHeadersPolicy whose securityHeadersConfig.strictTransportSecurity has accessControlMaxAgeSec >= 31536000, includeSubdomains true and override true.",
        "the /assets/* behaviour of cdn: response headers policy security-headers keeps HSTS for 86400 seconds, less than a year: attach an aws.cloudfront.ResponseHeadersPolicy whose securityHeadersConfig.strictTransportSecurity has accessControlMaxAgeSec >= 31536000, includeSubdomains true and override true.",
      ]);
    });

    it("2: reports HSTS without includeSubdomains", async () => {
      const found = await withHsts({ accessControlMaxAgeSec: 31_536_000, override: true });
      assert.equal(found.length, 2);
      assert.match(found[0], /does not include subdomains in HSTS/);
    });

    it("3: reports a behaviour with an AWS managed headers policy (cannot be checked, leaves subdomains out)", async () => {
      const found = await after(policy, (resources) => {
        const d = cdn(resources);
        set(d, "defaultCacheBehavior", {
          ...(d.inputs.defaultCacheBehavior as object),
          responseHeadersPolicyId: "67f7725c-6f97-4210-82d7-5512b31e9d03",
        });
      });
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /^defaultCacheBehavior of cdn has no response headers policy of this stack/,
      );
    });

    it("4: reports a headers policy without HSTS", async () => {
      const found = await after(policy, (resources) =>
        set(find(resources, headersPolicy), "securityHeadersConfig", {
          contentTypeOptions: { override: true },
        }),
      );
      assert.equal(found.length, 2);
      assert.match(found[0], /security-headers sets no Strict-Transport-Security header/);
    });

    it("5: reports behaviours whose headers policy was removed from the stack", async () => {
      const found = await after(policy, (resources) =>
        remove(resources, find(resources, headersPolicy)),
      );
      assert.equal(found.length, 2);
    });

    it("passes a year of HSTS with subdomains, found by dependency when the id is not known (preview)", async () => {
      assert.deepEqual(await after(policy), []);
      const preview = await after(policy, (resources) => {
        const d = cdn(resources);
        // What a preview shows: the policy's id, and so each behaviour's reference, unknown.
        const behaviour = { ...(d.inputs.defaultCacheBehavior as Record<string, unknown>) };
        delete behaviour.responseHeadersPolicyId;
        set(d, "defaultCacheBehavior", behaviour);
        set(d, "orderedCacheBehaviors", [{ ...behaviour, pathPattern: "/assets/*" }]);
        delete find(resources, headersPolicy).outputs.id;
      });
      assert.deepEqual(preview, []);
    });
  });
});
