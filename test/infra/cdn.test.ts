import assert from "node:assert/strict";
import { join } from "node:path";
import { cloudFrontZoneId, managedPolicies, managedRuleGroups } from "../../infra/cdn";
import type { Environment } from "../../infra/config";
import { originHeaderName } from "../../infra/load-balancer";
import { ofType, repoRoot, runProgram, type ProgramRun } from "../../scripts/offline/harness";
import { assertPrivateEncryptedBucket, bucketPart, bucketPolicy } from "./buckets";
import {
  byId,
  hostedZoneOf,
  configKey,
  mockZoneId,
  one,
  plain,
  providerOf,
  regionOf,
  regionOfStack,
  serviceTask,
  setting,
  stackRun,
} from "./stacks";

type Inputs = Record<string, unknown>;

const distribution = (run: ProgramRun) => one(run, "aws:cloudfront/distribution:Distribution");
const byName = (run: ProgramRun, type: string, name: string) => {
  const found = ofType(run, type).find((r) => r.name === name);
  assert.ok(found, `${type} ${name}`);
  return found;
};
const origins = (run: ProgramRun) =>
  plain(distribution(run).inputs.origins) as (Inputs & { originId: string })[];
const behaviours = (run: ProgramRun) =>
  distribution(run).inputs.orderedCacheBehaviors as (Inputs & { pathPattern: string })[];
const behaviour = (run: ProgramRun, pattern: string) =>
  behaviours(run).find((b) => b.pathPattern === pattern)!;
const bucketNamed = (run: ProgramRun, name: string) =>
  byName(run, "aws:s3/bucket:Bucket", `${run.stack}-${name}`);

describe("CDN", () => {
  const expected = {
    staging: {
      priceClass: "PriceClass_100",
      waf: true,
      wafLogDays: 30,
      accessLogDays: 30,
      domain: setting("staging", "domainName"),
    },
    prod: {
      priceClass: "PriceClass_All",
      waf: true,
      wafLogDays: 365,
      accessLogDays: 90,
      domain: setting("prod", "domainName"),
    },
  } satisfies Partial<Record<Environment, unknown>>;

  for (const [stack, want] of Object.entries(expected) as [
    keyof typeof expected,
    (typeof expected)[keyof typeof expected],
  ][]) {
    describe(stack, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });

      it("has two origins: the load balancer with the secret header, and the static bucket through OAC", () => {
        const [alb, bucket] = origins(run);
        assert.equal(alb.originId, "load-balancer");
        const secret = one(run, "random:index/randomPassword:RandomPassword").outputs.result;
        assert.deepEqual(alb.customHeaders, [{ name: originHeaderName, value: secret }]);
        const config = alb.customOriginConfig as Inputs;
        assert.deepEqual(config.originSslProtocols, ["TLSv1.2"]);
        const lb = one(run, "aws:lb/loadBalancer:LoadBalancer");
        if (want.domain) {
          assert.equal(alb.domainName, `origin.${want.domain}`);
          assert.equal(config.originProtocolPolicy, "https-only");
        } else {
          assert.equal(alb.domainName, lb.outputs.dnsName);
          assert.equal(config.originProtocolPolicy, "http-only");
        }

        const staticBucket = bucketNamed(run, "static");
        assert.equal(bucket.originId, "static");
        assert.equal(bucket.domainName, staticBucket.outputs.bucketRegionalDomainName);
        const oac = byId(run, bucket.originAccessControlId);
        assert.equal(oac.type, "aws:cloudfront/originAccessControl:OriginAccessControl");
        assert.equal(oac.inputs.originAccessControlOriginType, "s3");
        assert.equal(oac.inputs.signingBehavior, "always");
        assert.equal(oac.inputs.signingProtocol, "sigv4");
      });

      it("sends /api/*, /healthz and /readyz to the load balancer uncached, with what the API needs", () => {
        for (const pattern of ["/api/*", "/healthz", "/readyz"]) {
          const b = behaviour(run, pattern);
          assert.equal(b.targetOriginId, "load-balancer", pattern);
          assert.equal(b.cachePolicyId, managedPolicies.cachingDisabled);
          assert.equal(b.originRequestPolicyId, managedPolicies.allViewerExceptHostHeader);
          assert.deepEqual([...(b.allowedMethods as string[])].sort(), [
            "DELETE",
            "GET",
            "HEAD",
            "OPTIONS",
            "PATCH",
            "POST",
            "PUT",
          ]);
        }
        assert.equal(managedPolicies.cachingDisabled, "4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
      });

      it("serves hashed assets from the bucket cached up to a year, and the page briefly", () => {
        const assets = behaviour(run, "/assets/*");
        assert.equal(assets.targetOriginId, "static");
        assert.equal(assets.cachePolicyId, managedPolicies.cachingOptimized);
        const page = distribution(run).inputs.defaultCacheBehavior as Inputs;
        assert.equal(page.targetOriginId, "static");
        assert.equal(distribution(run).inputs.defaultRootObject, "index.html");
        const pageCache = byId(run, page.cachePolicyId).inputs;
        assert.equal(pageCache.minTtl, 0);
        assert.ok((pageCache.maxTtl as number) <= 300, "the page at most 5 minutes");
        const key = pageCache.parametersInCacheKeyAndForwardedToOrigin as Inputs;
        assert.equal(key.enableAcceptEncodingBrotli, true);
        assert.equal(key.enableAcceptEncodingGzip, true);
        for (const b of [page, ...behaviours(run)]) {
          assert.equal(b.viewerProtocolPolicy, "redirect-to-https");
          assert.equal(b.compress, true);
          assert.equal(b.responseHeadersPolicyId, page.responseHeadersPolicyId);
          assert.ok(["static", "load-balancer"].includes(b.targetOriginId as string));
          assert.deepEqual(b.cachedMethods, ["GET", "HEAD"]);
        }
      });

      it("adds HSTS (a year or more, subdomains), nosniff, DENY framing and a referrer policy", () => {
        const page = distribution(run).inputs.defaultCacheBehavior as Inputs;
        const policy = byId(run, page.responseHeadersPolicyId);
        const security = policy.inputs.securityHeadersConfig as Record<string, Inputs>;
        const hsts = security.strictTransportSecurity;
        assert.ok((hsts.accessControlMaxAgeSec as number) >= 31536000);
        assert.equal(hsts.includeSubdomains, true);
        assert.equal(hsts.override, true);
        assert.deepEqual(security.contentTypeOptions, { override: true });
        assert.deepEqual(security.frameOptions, { frameOption: "DENY", override: true });
        assert.equal(security.referrerPolicy.referrerPolicy, "strict-origin-when-cross-origin");
        assert.match(
          security.contentSecurityPolicy.contentSecurityPolicy as string,
          /default-src 'self'/,
        );
      });

      it(`speaks HTTP/2 and HTTP/3 over IPv4 and IPv6, price class ${want.priceClass}`, () => {
        const inputs = distribution(run).inputs;
        assert.equal(inputs.httpVersion, "http2and3");
        assert.equal(inputs.isIpv6Enabled, true);
        assert.equal(inputs.enabled, true);
        assert.equal(inputs.priceClass, want.priceClass);
      });

      it("keeps the static bucket private, encrypted and versioned, readable only by this distribution", () => {
        const bucket = bucketNamed(run, "static");
        assertPrivateEncryptedBucket(run, bucket);
        assert.deepEqual(
          bucketPart(run, "aws:s3/bucketVersioning:BucketVersioning", bucket)
            .versioningConfiguration,
          { status: "Enabled" },
        );
        const [rule] = bucketPart(
          run,
          "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
          bucket,
        ).rules as Inputs[];
        assert.ok(rule.noncurrentVersionExpiration, "replaced versions expire");
        const allows = bucketPolicy(run, bucket).Statement.filter((s) => s.Effect === "Allow");
        assert.deepEqual(allows, [
          {
            Sid: "CloudFrontRead",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "s3:GetObject",
            Resource: `${bucket.outputs.arn}/*`,
            Condition: { StringEquals: { "AWS:SourceArn": distribution(run).outputs.arn } },
          },
        ]);
      });

      it("uploads the page and every hashed asset with its content type and Cache-Control", async () => {
        const objects = ofType(run, "aws:s3/bucketObjectv2:BucketObjectv2");
        const bucket = bucketNamed(run, "static");
        for (const o of objects) assert.equal(o.inputs.bucket, bucket.id);
        const byKey = new Map(objects.map((o) => [o.inputs.key as string, o.inputs]));
        const page = byKey.get("index.html")!;
        assert.equal(page.contentType, "text/html; charset=utf-8");
        assert.match(page.cacheControl as string, /max-age=0\b.*s-maxage=60\b/);
        const types: Record<string, string> = {
          js: "text/javascript; charset=utf-8",
          css: "text/css; charset=utf-8",
          svg: "image/svg+xml",
        };
        const assets = [...byKey.keys()].filter((k) => k !== "index.html");
        assert.deepEqual(assets.map((k) => k.replace(/\.[0-9a-f]{10}\./, ".<hash>.")).sort(), [
          "assets/app.<hash>.js",
          "assets/favicon.<hash>.svg",
          "assets/styles.<hash>.css",
        ]);
        for (const key of assets) {
          const asset = byKey.get(key)!;
          assert.equal(asset.cacheControl, "public, max-age=31536000, immutable", key);
          assert.equal(asset.contentType, types[key.split(".").pop()!], key);
          // The page names each asset by its key.
          assert.ok((page.content as string).includes(`"/${key}"`), key);
          const source = asset.source as { path: unknown };
          const path = String(await source.path);
          const name = key.replace(/^assets\//, "").replace(/\.[0-9a-f]{10}\./, ".");
          assert.equal(path, join(repoRoot, "app", "public", name));
        }
      });

      it(`logs access (standard logging v2, from us-east-1) to a private bucket that expires them after ${want.accessLogDays} days`, () => {
        const bucket = bucketNamed(run, "cdn-logs");
        assertPrivateEncryptedBucket(run, bucket);
        const [rule] = bucketPart(
          run,
          "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
          bucket,
        ).rules as Inputs[];
        assert.deepEqual(rule.expiration, { days: want.accessLogDays });

        const source = one(run, "aws:cloudwatch/logDeliverySource:LogDeliverySource");
        assert.equal(source.inputs.logType, "ACCESS_LOGS");
        assert.equal(source.inputs.resourceArn, distribution(run).outputs.arn);
        const destination = one(
          run,
          "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
        );
        assert.deepEqual(destination.inputs.deliveryDestinationConfiguration, {
          destinationResourceArn: bucket.outputs.arn,
        });
        const delivery = one(run, "aws:cloudwatch/logDelivery:LogDelivery");
        assert.equal(delivery.inputs.deliverySourceName, source.outputs.name);
        assert.equal(delivery.inputs.deliveryDestinationArn, destination.outputs.arn);
        for (const r of [source, destination, delivery])
          assert.equal(regionOf(run, r), "us-east-1");

        // Only this account's log deliveries from us-east-1 may write, and only under AWSLogs/.
        const account = run.config[configKey("accountId")];
        const write = bucketPolicy(run, bucket).Statement.find(
          (s) => s.Sid === "AWSLogDeliveryWrite",
        )!;
        assert.deepEqual(write.Principal, { Service: "delivery.logs.amazonaws.com" });
        assert.equal(write.Resource, `${bucket.outputs.arn}/AWSLogs/${account}/*`);
        assert.deepEqual(write.Condition, {
          StringEquals: {
            "aws:SourceAccount": account,
            "s3:x-amz-acl": "bucket-owner-full-control",
          },
          ArnLike: { "aws:SourceArn": `arn:aws:logs:us-east-1:${account}:delivery-source:*` },
        });
        const policy = ofType(run, "aws:s3/bucketPolicy:BucketPolicy").find(
          (p) => p.inputs.bucket === bucket.id,
        )!;
        assert.ok(delivery.options.dependsOn.includes(policy.urn));
      });

      it("creates the us-east-1 resources through a us-east-1 provider with the stack's tags and account", () => {
        const main = providerOf(run, distribution(run));
        const edge = providerOf(run, one(run, "aws:wafv2/webAcl:WebAcl"));
        assert.equal(edge.name, "aws-us-east-1");
        assert.equal(edge.inputs.region, "us-east-1");
        assert.equal(edge.inputs.defaultTags, main.inputs.defaultTags);
        assert.equal(edge.inputs.allowedAccountIds, main.inputs.allowedAccountIds);
        assert.deepEqual(JSON.parse(edge.inputs.allowedAccountIds as string), [
          run.config[configKey("accountId")],
        ]);
        // The CDN's own; the monitoring's us-east-1 alarms are tested with it.
        const inEdge = run.resources.filter(
          (r) => r.provider?.startsWith(`${edge.urn}::`) && r.parent?.includes("acme:cdn:Cdn"),
        );
        assert.deepEqual([...new Set(inEdge.map((r) => r.type))].sort(), [
          ...(want.domain
            ? [
                "aws:acm/certificate:Certificate",
                "aws:acm/certificateValidation:CertificateValidation",
              ]
            : []),
          ...(run.config[configKey("cdnAdditionalMetrics")] === "true"
            ? ["aws:cloudfront/monitoringSubscription:MonitoringSubscription"]
            : []),
          "aws:cloudwatch/logDelivery:LogDelivery",
          "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
          "aws:cloudwatch/logDeliverySource:LogDeliverySource",
          "aws:cloudwatch/logGroup:LogGroup",
          "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
          "aws:wafv2/webAcl:WebAcl",
          "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        ]);
      });

      it("WAF: managed common and known-bad-input rules after a per-IP rate limit, on the distribution", () => {
        const acl = one(run, "aws:wafv2/webAcl:WebAcl");
        assert.equal(acl.inputs.scope, "CLOUDFRONT");
        assert.deepEqual(acl.inputs.defaultAction, { allow: {} });
        assert.equal(distribution(run).inputs.webAclId, acl.outputs.arn);
        const rules = acl.inputs.rules as (Inputs & { statement: Record<string, Inputs> })[];
        assert.deepEqual(
          rules.map((r) => [r.priority, r.name]),
          [
            [0, "rate-limit"],
            [1, "AWSManagedRulesCommonRuleSet"],
            [2, "AWSManagedRulesKnownBadInputsRuleSet"],
          ],
        );
        const [rate, ...managed] = rules;
        assert.deepEqual(rate.action, { block: {} });
        assert.deepEqual(rate.statement.rateBasedStatement, {
          // The schema's one default where no stack file sets it.
          limit: Number(run.config[configKey("wafRateLimit")] ?? 2000),
          aggregateKeyType: "IP",
          evaluationWindowSec: 300,
        });
        assert.deepEqual(
          managed.map((r) => r.statement.managedRuleGroupStatement),
          managedRuleGroups.map((name) => ({ vendorName: "AWS", name })),
        );
        for (const r of managed) assert.deepEqual(r.overrideAction, { none: {} });
        assert.equal((acl.inputs.visibilityConfig as Inputs).metricName, acl.inputs.name);
        for (const r of [acl, ...rules.map((rule) => ({ inputs: rule }))]) {
          const visibility = r.inputs.visibilityConfig as Inputs;
          assert.equal(visibility.cloudwatchMetricsEnabled, true);
          assert.equal(visibility.sampledRequestsEnabled, true);
        }
      });

      it(`WAF: logs to aws-waf-logs-* in us-east-1 for ${want.wafLogDays} days, without authorization or cookie headers`, () => {
        const acl = one(run, "aws:wafv2/webAcl:WebAcl");
        const group = byName(run, "aws:cloudwatch/logGroup:LogGroup", `${stack}-waf-logs`);
        assert.match(group.inputs.name as string, /^aws-waf-logs-/);
        assert.equal(group.inputs.retentionInDays, want.wafLogDays);
        assert.equal(regionOf(run, group), "us-east-1");
        const logging = one(run, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
        assert.equal(logging.inputs.resourceArn, acl.outputs.arn);
        assert.deepEqual(logging.inputs.logDestinationConfigs, [group.outputs.arn]);
        assert.deepEqual(logging.inputs.redactedFields, [
          { singleHeader: { name: "authorization" } },
          { singleHeader: { name: "cookie" } },
        ]);
        const policy = JSON.parse(
          ofType(run, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy").find((p) =>
            p.parent?.includes("acme:cdn:Cdn"),
          )!.inputs.policyDocument as string,
        );
        assert.equal(policy.Statement[0].Resource, `${group.outputs.arn}:*`);
        assert.deepEqual(policy.Statement[0].Principal, { Service: "delivery.logs.amazonaws.com" });
      });

      it("exports the CDN's URL as the service URL and hands it to the service", () => {
        const url = want.domain
          ? `https://${want.domain}`
          : `https://${distribution(run).outputs.domainName}`;
        assert.equal(run.stackOutputs.serviceUrl, url);
        assert.match(String(distribution(run).outputs.domainName), /^d[0-9a-f]+\.cloudfront\.net$/);
        assert.equal(run.stackOutputs.distributionId, distribution(run).id);
        assert.equal(run.stackOutputs.distributionDomainName, distribution(run).outputs.domainName);
        assert.equal(run.stackOutputs.staticBucketName, bucketNamed(run, "static").outputs.bucket);
        assert.equal(run.stackOutputs.webAclArn, one(run, "aws:wafv2/webAcl:WebAcl").outputs.arn);
        const task = serviceTask(run);
        const [app] = (JSON.parse(task.inputs.containerDefinitions as string) as Inputs[]).filter(
          (c) => c.name === "app",
        );
        const env = app.environment as { name: string; value: string }[];
        assert.equal(env.find((v) => v.name === "PUBLIC_URL")?.value, url);
      });
    });
  }

  describe("dev: without a custom domain (only dev may run without one)", () => {
    let run: ProgramRun;
    before(async () => {
      run = await stackRun("dev");
    });

    it("uses CloudFront's default certificate (which cannot require TLS 1.2) and no alias", () => {
      const inputs = distribution(run).inputs;
      assert.deepEqual(inputs.viewerCertificate, { cloudfrontDefaultCertificate: true });
      assert.deepEqual(inputs.aliases, []);
      assert.equal(ofType(run, "aws:acm/certificate:Certificate").length, 0);
      assert.equal(ofType(run, "aws:route53/record:Record").length, 0);
    });
  });

  // Staging rehearses production's TLS: the same certificate, policy and records, on its own name.
  for (const stack of ["prod", "staging"] as const) {
    const name = setting(stack, "domainName");
    const zone = hostedZoneOf(stack);
    describe(`${stack}: with its custom domain`, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });
      const zoneId = mockZoneId(zone);
      it("serves the domain with a DNS-validated us-east-1 certificate, TLS 1.2 (2021 policy) and SNI", () => {
        const certificate = byName(run, "aws:acm/certificate:Certificate", `${stack}-cdn-cert`);
        assert.equal(certificate.inputs.domainName, name);
        assert.equal(certificate.inputs.validationMethod, "DNS");
        assert.equal(regionOf(run, certificate), "us-east-1");
        assert.match(certificate.id!, /^arn:aws:acm:us-east-1:/);
        const [option] = certificate.outputs.domainValidationOptions as Record<string, string>[];
        const record = byName(run, "aws:route53/record:Record", `${stack}-cdn-cert-validation`);
        assert.deepEqual(
          [record.inputs.zoneId, record.inputs.name, record.inputs.records],
          [zoneId, option.resourceRecordName, [option.resourceRecordValue]],
        );
        const validation = byName(
          run,
          "aws:acm/certificateValidation:CertificateValidation",
          `${stack}-cdn-cert`,
        );
        assert.equal(regionOf(run, validation), "us-east-1");
        const inputs = distribution(run).inputs;
        assert.deepEqual(inputs.aliases, [name]);
        assert.deepEqual(inputs.viewerCertificate, {
          acmCertificateArn: certificate.id,
          sslSupportMethod: "sni-only",
          minimumProtocolVersion: "TLSv1.2_2021",
        });
      });

      it("points A and AAAA alias records of the domain at the distribution", () => {
        for (const type of ["A", "AAAA"]) {
          const record = byName(
            run,
            "aws:route53/record:Record",
            `${stack}-cdn-${type.toLowerCase()}`,
          );
          assert.equal(record.inputs.zoneId, zoneId);
          assert.equal(record.inputs.name, name);
          assert.equal(record.inputs.type, type);
          assert.deepEqual(record.inputs.aliases, [
            {
              name: distribution(run).outputs.domainName,
              zoneId: cloudFrontZoneId,
              evaluateTargetHealth: false,
            },
          ]);
        }
      });

      it("has two certificates to watch for expiry: the CDN's in us-east-1, the load balancer's regional one", () => {
        const certificates = ofType(run, "aws:acm/certificate:Certificate");
        assert.deepEqual(
          certificates.map((c) => [c.inputs.domainName, regionOf(run, c)]).sort(),
          [
            [name, "us-east-1"],
            [`origin.${name}`, regionOfStack(stack)],
          ].sort(),
        );
      });
    });
  }

  describe("WAF switch", () => {
    it("dev runs without a WAF by default; staging may turn it off", async () => {
      for (const run of [
        await stackRun("dev"),
        await runProgram("staging", { config: { waf: "false" } }),
      ]) {
        assert.equal(ofType(run, "aws:wafv2/webAcl:WebAcl").length, 0);
        assert.equal(distribution(run).inputs.webAclId, undefined);
        assert.equal(run.stackOutputs.webAclArn, undefined);
      }
    });
  });
});
