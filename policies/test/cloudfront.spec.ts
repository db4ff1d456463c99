import assert from "node:assert/strict";
import type { RegisteredResource } from "../../scripts/offline/harness";
import { withFixtures } from "./fixtures";
import { addBeside, find, remove, reported, set, type Stack, violations } from "./gate";

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
    const defaultBehaviour =
      (viewerProtocolPolicy: string) => (resources: RegisteredResource[]) => {
        const d = cdn(resources);
        set(d, "defaultCacheBehavior", {
          ...(d.inputs.defaultCacheBehavior as object),
          viewerProtocolPolicy,
        });
      };

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

    it("2: reports a default behaviour that serves plain HTTP", async () => {
      const found = await after(policy, defaultBehaviour("allow-all"));
      assert.deepEqual(found, [
        'defaultCacheBehavior has viewerProtocolPolicy allow-all: set it to "redirect-to-https" (or "https-only").',
      ]);
    });

    it("3: reports a wrongly cased value", async () => {
      const found = await after(policy, defaultBehaviour("Redirect-To-HTTPS"));
      assert.equal(found.length, 1);
      assert.match(found[0], /^defaultCacheBehavior has viewerProtocolPolicy Redirect-To-HTTPS:/);
    });

    it("passes behaviours that redirect to HTTPS, and https-only", async () => {
      assert.deepEqual(await after(policy), []);
      assert.deepEqual(await after(policy, defaultBehaviour("https-only")), []);
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

    it("3: reports the wrong value: dedicated IP addresses (vip) instead of SNI", async () => {
      assert.deepEqual(
        await after(policy, (resources) =>
          set(cdn(resources), "viewerCertificate", {
            acmCertificateArn: "arn:aws:acm:us-east-1:222222222222:certificate/0example",
            sslSupportMethod: "vip",
            minimumProtocolVersion: "TLSv1.2_2021",
          }),
        ),
        [
          'viewerCertificate.sslSupportMethod is vip: set it to "sni-only" ("vip" bills dedicated IP addresses for clients without SNI).',
        ],
      );
    });

    it("4: reports the wrong value: a certificate of the stack's own region, not us-east-1", async () => {
      assert.deepEqual(
        await after(policy, (resources) =>
          set(cdn(resources), "viewerCertificate", {
            acmCertificateArn: "arn:aws:acm:eu-west-1:222222222222:certificate/0example",
            sslSupportMethod: "sni-only",
            minimumProtocolVersion: "TLSv1.2_2021",
          }),
        ),
        [
          "viewerCertificate.acmCertificateArn is a certificate of eu-west-1: CloudFront uses ACM certificates of us-east-1 only; request it there (a us-east-1 provider).",
        ],
      );
    });

    it("5: reports aliases served with the default certificate", async () => {
      assert.deepEqual(
        await after(policy, (resources) => {
          set(cdn(resources), "aliases", ["app.example.com"]);
          set(cdn(resources), "viewerCertificate", { cloudfrontDefaultCertificate: true });
        }),
        [
          'aliases app.example.com are served with the default *.cloudfront.net certificate, which CloudFront refuses for alternate domain names: set viewerCertificate.acmCertificateArn to a us-east-1 ACM certificate for them, with minimumProtocolVersion TLSv1.2_2021 and sslSupportMethod "sni-only".',
        ],
      );
    });

    it("passes TLSv1.2_2021 and newer, and the default certificate (not applicable)", async () => {
      assert.deepEqual(await withCertificate("TLSv1.2_2021"), []);
      assert.deepEqual(await withCertificate("TLSv1.3_2025"), []);
      assert.deepEqual(await after(policy), []);
    });
  });

  describe("cloudfront-origin-https", () => {
    // Dev: the one stack without a custom domain, so no certificate until a case adds one.
    const policy = "cloudfront-origin-https";
    const afterIn = (change?: (resources: RegisteredResource[]) => void) =>
      after(policy, change, "dev");

    it("1: reports HTTP to the load balancer once it has an HTTPS listener", async () => {
      const found = await afterIn((resources) => {
        const http = find(resources, "aws:lb/listener:Listener", "-http");
        addBeside(resources, http, "aws:lb/listener:Listener", "dev-https", {
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
      assert.deepEqual(
        await reported(
          policy,
          "prod",
          withFixtures((resources) => set(cdn(resources), "webAclId", undefined)),
        ),
        [
          [
            "mandatory",
            "no web ACL is attached: set webAclId to the ARN of an aws.wafv2.WebAcl of scope CLOUDFRONT (created in us-east-1).",
          ],
        ],
      );
    });

    it("2: reports it as advisory in staging, where the WAF is configurable", async () => {
      const found = await reported(
        policy,
        "staging",
        withFixtures((resources) => set(cdn(resources), "webAclId", undefined)),
      );
      assert.deepEqual(
        found.map(([level]) => level),
        ["advisory"],
      );
    });

    it("passes a distribution with a web ACL", async () => {
      assert.deepEqual(await after(policy), []);
    });
  });

  describe("cloudfront-logging", () => {
    const policy = "cloudfront-logging";
    const ownership = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";
    /** Standard logging v2 in place of the legacy bucket: a source, and a delivery if asked. */
    const v2 =
      (options: { region: string; delivery: boolean }) => (resources: RegisteredResource[]) => {
        const d = cdn(resources);
        set(d, "loggingConfig", undefined);
        d.propertyDependencies.loggingConfig = [];
        const source = addBeside(
          resources,
          d,
          "aws:cloudwatch/logDeliverySource:LogDeliverySource",
          "cdn-access-logs",
          {
            name: "acme-cdn",
            logType: "ACCESS_LOGS",
            resourceArn: "arn:aws:cloudfront::222222222222:distribution/E1",
            region: options.region,
          },
        );
        source.propertyDependencies.resourceArn = [d.urn];
        if (!options.delivery) return;
        addBeside(resources, d, "aws:cloudwatch/logDelivery:LogDelivery", "cdn-access-logs", {
          deliverySourceName: "acme-cdn",
          deliveryDestinationArn: "arn:aws:logs:us-east-1:222222222222:delivery-destination:logs",
          region: options.region,
        }).propertyDependencies.deliverySourceName = [source.urn];
      };
    const withObjectOwnership = (objectOwnership: string) => (resources: RegisteredResource[]) =>
      set(find(resources, ownership, "cdn-logs"), "rule", { objectOwnership });

    it("1: reports a distribution without access logs", async () => {
      const found = await after(policy, (resources) => {
        set(cdn(resources), "loggingConfig", undefined);
        cdn(resources).propertyDependencies.loggingConfig = [];
      });
      assert.deepEqual(found, [
        "distribution cdn writes no access logs: set loggingConfig.bucket to a log bucket's domain name (with a lifecycle expiry), or add an aws.cloudwatch.LogDeliverySource (logType ACCESS_LOGS) with a LogDelivery.",
      ]);
    });

    it("2: reports a log bucket given by name, not domain name", async () => {
      const found = await after(policy, (resources) =>
        set(cdn(resources), "loggingConfig", { bucket: "acme-cdn-logs-1a2b3c4" }),
      );
      assert.deepEqual(found, [
        "distribution cdn: loggingConfig.bucket \"acme-cdn-logs-1a2b3c4\" is not a bucket's domain name: set it to the bucket's bucketDomainName (<bucket>.s3.amazonaws.com).",
      ]);
    });

    it("3: reports a log bucket whose Object Ownership turns ACLs off", async () => {
      const found = await after(policy, withObjectOwnership("BucketOwnerEnforced"));
      assert.deepEqual(found, [
        'distribution cdn: its log bucket cdn-logs has Object Ownership BucketOwnerEnforced, which turns ACLs off, so CloudFront cannot write the logs: add an aws.s3.BucketOwnershipControls with objectOwnership "BucketOwnerPreferred", or deliver through standard logging v2.',
      ]);
    });

    it("4: reports a log bucket without ownership controls (created bucket-owner-enforced)", async () => {
      const found = await after(policy, (resources) =>
        remove(resources, find(resources, ownership, "cdn-logs")),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /has Object Ownership BucketOwnerEnforced, which turns ACLs off/);
    });

    it("5: reports a v2 access log source that no LogDelivery sends anywhere", async () => {
      assert.deepEqual(await after(policy, v2({ region: "us-east-1", delivery: false })), [
        "distribution cdn's access log source has no aws.cloudwatch.LogDelivery, so nothing is delivered: add one from the source to a LogDeliveryDestination.",
      ]);
    });

    it("6: reports a v2 access log source outside us-east-1", async () => {
      assert.deepEqual(await after(policy, v2({ region: "eu-west-1", delivery: true })), [
        "distribution cdn's access log delivery is in eu-west-1: CloudFront's delivery sources and deliveries are created in us-east-1 (give them a us-east-1 provider).",
      ]);
    });

    it("7: says a log bucket from outside the stack is not checked", async () => {
      assert.deepEqual(
        await reported(
          policy,
          "prod",
          withFixtures((resources) => {
            set(cdn(resources), "loggingConfig", { bucket: "central-logs.s3.amazonaws.com" });
            cdn(resources).propertyDependencies.loggingConfig = [];
          }),
        ),
        [
          [
            "advisory",
            "not checked: distribution cdn logs to a bucket this stack does not declare, so whether its ACLs are enabled cannot be read",
          ],
        ],
      );
    });

    it("passes standard logging to an ACL-enabled bucket, and v2 delivered from us-east-1", async () => {
      assert.deepEqual(await after(policy), []);
      assert.deepEqual(await after(policy, withObjectOwnership("ObjectWriter")), []);
      assert.deepEqual(await after(policy, v2({ region: "us-east-1", delivery: true })), []);
    });
  });

  describe("cloudfront-default-root-object", () => {
    const policy = "cloudfront-default-root-object";
    /** The default behaviour on `targetOriginId`, and defaultRootObject `root`. */
    const defaultTo =
      (targetOriginId: string, root?: string) => (resources: RegisteredResource[]) => {
        const d = cdn(resources);
        set(d, "defaultRootObject", root);
        set(d, "defaultCacheBehavior", {
          ...(d.inputs.defaultCacheBehavior as object),
          targetOriginId,
        });
      };
    const fix = 'set defaultRootObject to an object\'s key (e.g. "index.html").';

    it("1: reports a default behaviour on the S3 origin without a root object", async () => {
      assert.deepEqual(await after(policy, defaultTo("static")), [
        `the default behaviour serves S3 origin static but defaultRootObject is not set: ${fix}`,
      ]);
    });

    it("2: reports a root object with a leading /", async () => {
      assert.deepEqual(await after(policy, defaultTo("static", "/index.html")), [
        "the default behaviour serves S3 origin static but defaultRootObject " +
          `"/index.html" is not an object name (a leading or trailing /): ${fix}`,
      ]);
    });

    it("3: reports a folder as root object", async () => {
      const found = await after(policy, defaultTo("static", "site/"));
      assert.equal(found.length, 1);
      assert.match(found[0], /defaultRootObject "site\/" is not an object name/);
    });

    it("4: reports an origin group with an S3 member, without a root object", async () => {
      const found = await after(policy, (resources) => {
        defaultTo("failover")(resources);
        set(cdn(resources), "originGroups", [
          {
            originId: "failover",
            failoverCriteria: { statusCodes: [500, 502, 503, 504] },
            members: [{ originId: "service" }, { originId: "static" }],
          },
        ]);
      });
      assert.deepEqual(found, [
        `the default behaviour serves S3 origin failover but defaultRootObject is not set: ${fix}`,
      ]);
    });

    it("5: says a target that names no origin is not checked", async () => {
      assert.deepEqual(await reported(policy, "prod", withFixtures(defaultTo("gone"))), [
        [
          "advisory",
          "not checked: the default behaviour's targetOriginId gone names no origin or origin group of the distribution",
        ],
      ]);
    });

    it("passes / served by the application (not applicable) and an S3 default with index.html", async () => {
      assert.deepEqual(await after(policy), []);
      assert.deepEqual(await after(policy, defaultTo("static", "index.html")), []);
      assert.deepEqual(await after(policy, defaultTo("static", "site/index.html")), []);
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
