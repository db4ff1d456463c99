import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expireLogsAfter, privateBucket, tlsOnly } from "./buckets";
import { dnsValidatedCertificate } from "./certificates";

/** A file published to the static bucket, with the headers S3 serves it with. */
export interface StaticFile {
  /** Object key, and the URL path below the root (`assets/app.3f2a9c1b0d.js`, `index.html`). */
  key: string;
  contentType: string;
  cacheControl: string;
  /** Path of the file to upload, unchanged. Exactly one of `sourcePath` and `content`. */
  sourcePath?: string;
  /** Text to upload (UTF-8), for a file the build rewrites, such as the page. */
  content?: string;
}

/** CloudFront price classes: the edge locations a distribution uses, cheapest regions first. */
export const priceClasses = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof priceClasses)[number];

/**
 * The settings a stack file tunes (infra/config/cdn.ts reads them, one key each); the rest of the
 * args are wiring from other components.
 */
export interface CdnSettings {
  /** Edge locations used. Default `PriceClass_100` (North America and Europe). */
  priceClass?: PriceClass;
  /**
   * A WAF web ACL: AWS managed common and known-bad-input rules and a per-IP rate limit,
   * logging to CloudWatch Logs in us-east-1. Default false: no WAF.
   */
  waf?: boolean;
  /** With `waf`: requests one client IP may make in any 5 minutes before it is blocked. Default 2000. */
  wafRateLimit?: number;
  /** With `waf`: days its logs are kept. Default 90. */
  wafLogRetentionDays?: number;
  /** Days access logs are kept in their S3 bucket. Default 90. */
  accessLogRetentionDays?: number;
  /**
   * CloudFront's additional metrics (cache hit rate, origin latency, error rates by status
   * code), which it publishes only with a monitoring subscription: billed as 8 CloudWatch
   * metrics, about $2.40 a month per distribution. Default false.
   */
  additionalMetrics?: boolean;
}

export interface CdnArgs extends CdnSettings {
  /**
   * Prefix of the names AWS requires to be unique in the account (policies, web ACL, log group):
   * `<project>-<stack>`.
   */
  namePrefix: string;
  /** The load balancer's name as CloudFront reaches it (`origin.<domain>` with a domain). */
  originDomainName: pulumi.Input<string>;
  /**
   * The load balancer presents a certificate for `originDomainName`: CloudFront then talks to it
   * over HTTPS only, TLS 1.2. Otherwise over HTTP (see the class comment).
   */
  originHttps: boolean;
  /** Header CloudFront adds to every origin request, and its secret value. */
  originHeader: { name: string; value: pulumi.Input<string> };
  /** Paths served by the load balancer, uncached: the service's API and health paths. */
  apiPaths: string[];
  /** The service's readiness path (`/readyz`), which `readinessUrl` points at. */
  readinessPath: string;
  /** The page and its assets; keys under `assets/` are cached a year, the rest briefly. */
  staticFiles: StaticFile[];
  /** Key prefix of the content-hashed assets (`assets/`). */
  assetsPrefix: string;
  /** Served at `/` (`index.html`). */
  rootObject: string;
  /** The page's Content-Security-Policy, which the CDN adds where the service's is missing. */
  pageContentSecurityPolicy: string;
  /**
   * Seconds the CDN may keep the page at most, whatever its `Cache-Control`. Default 300. The
   * page's own `s-maxage` (60 s) normally decides.
   */
  pageMaxTtlSeconds?: number;
  /**
   * A custom domain in a public Route 53 zone: an ACM certificate for it in us-east-1,
   * DNS-validated (so ACM renews it), viewers on TLS 1.2+, and alias A/AAAA records. Default
   * unset: CloudFront's `*.cloudfront.net` name and default certificate.
   */
  domain?: { name: string; hostedZoneName: string };
  /** Days a replaced or deleted version of a static file is kept. Default 30. */
  noncurrentVersionDays?: number;
  /** Delete the buckets with their contents on destroy. Default false. */
  forceDestroy?: boolean;
  /**
   * A provider for us-east-1, where CloudFront takes its certificates, web ACLs and log
   * deliveries from; give it the same default tags and allowed accounts as the main provider.
   */
  edgeProvider: aws.Provider;
}

/** AWS managed policies, by their documented ids. */
export const managedPolicies = {
  /** https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html */
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  /** Honours the object's `Cache-Control` up to a year; gzip and Brotli; no cookies or queries. */
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  /**
   * Every viewer header, cookie and query string but `Host` (CloudFront then sends the origin's
   * own name, which its certificate matches). https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
   */
  allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
} as const;

/** The AWS managed rule groups of the web ACL, in evaluation order after the rate limit. */
export const managedRuleGroups = [
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
] as const;

/** Route 53's hosted zone id for every CloudFront alias target. */
export const cloudFrontZoneId = "Z2FDTNDATAQYW2";

const oneYear = 365 * 24 * 3600;

/**
 * The CloudFront distribution in front of the service: the entry page and content-hashed assets
 * from a private S3 bucket (Origin Access Control), `/api/*` and the health checks from the load
 * balancer, uncached, with the secret origin header it requires. HTTP redirects to HTTPS; HTTP/2
 * and HTTP/3; compression; a response headers policy adds HSTS (two years, subdomains),
 * `nosniff`, `DENY` framing, a strict referrer policy and the page's content security policy.
 * Access logs go to an S3 bucket through CloudWatch Logs delivery (standard logging v2), so the
 * bucket keeps ACLs disabled like every other bucket here; they expire after
 * `accessLogRetentionDays`. Optionally a WAF web ACL, and a custom domain.
 *
 * Every asset is uploaded with its content type and `Cache-Control` (hashed assets a year,
 * immutable; the page briefly): a changed file gets a new name, so no invalidation is ever
 * needed. Replaced versions stay `noncurrentVersionDays` in the versioned bucket.
 *
 * Without a custom domain, CloudFront's default certificate serves `*.cloudfront.net` and its
 * minimum viewer protocol cannot be raised above TLSv1 (SSL 3 is off), and the load balancer has
 * no certificate, so the CloudFront -> load balancer hop is HTTP. That hop is still reachable
 * only from CloudFront (prefix list) with the secret header. Production requires a domain.
 *
 * Outputs for alarms and dashboards: `distributionId`; `webAclName` and `wafMetricNames`
 * (CloudWatch `AWS/WAFV2` in us-east-1, dimensions `WebACL` = the web ACL's name, which is also
 * its metric name, and `Rule` = a rule's metric name, or `ALL`; `BlockedRequests`); `certificateArns`
 * (the us-east-1 certificate, with a domain; add the load balancer's regional one for a
 * "certificate expiring" alarm on `AWS/CertificateManager` `DaysToExpiry`); `url` and
 * `readinessUrl` (`<url>/readyz`, through the CDN, for an external probe). CloudFront metrics
 * are in us-east-1, dimension `DistributionId` and `Region=Global`.
 *
 * Cost: CloudFront is pay per use (from $0.085/GB out and $0.0120 per 10,000 HTTPS requests in
 * North America and Europe; the first 1 TB and 10 million requests each month are free), the
 * TLS certificate is free (SNI). The WAF: $5 per web ACL, $1 per rule (3 here) a month, plus
 * $0.60 per million requests; its logs $0.50/GB ingested. S3: cents for the assets, access logs
 * $0.023/GB-month until they expire, log delivery $0.25/GB.
 */
export class Cdn extends pulumi.ComponentResource {
  readonly distribution: aws.cloudfront.Distribution;
  readonly staticBucket: aws.s3.Bucket;
  readonly accessLogBucket: aws.s3.Bucket;
  readonly webAcl?: aws.wafv2.WebAcl;
  readonly wafLogGroup?: aws.cloudwatch.LogGroup;
  /** `https://<domain>`, or `https://<id>.cloudfront.net` without one. */
  readonly url: pulumi.Output<string>;
  /** `<url><readinessPath>`: the service's readiness, seen from outside through the CDN. */
  readonly readinessUrl: pulumi.Output<string>;
  readonly distributionId: pulumi.Output<string>;
  /** Name of the web ACL, the `WebACL` dimension of its metrics (undefined without a WAF). */
  readonly webAclName?: pulumi.Output<string>;
  /** Metric names (`Rule` dimension) of the web ACL and each rule; undefined without a WAF. */
  readonly wafMetricNames?: { webAcl: string; rateLimit: string; managedRuleGroups: string[] };
  /** ACM certificates this component owns (us-east-1), for expiry alarms. */
  readonly certificateArns: pulumi.Output<string>[];
  /** Whether CloudFront publishes its additional metrics (the cache hit rate among them). */
  readonly additionalMetrics: boolean;

  private readonly name: string;
  private readonly args: Required<Omit<CdnArgs, "domain">> & Pick<CdnArgs, "domain">;
  private readonly edge: pulumi.CustomResourceOptions;

  constructor(name: string, args: CdnArgs, opts?: pulumi.ComponentResourceOptions) {
    super("acme:cdn:Cdn", name, {}, opts);
    this.name = name;
    this.args = {
      pageMaxTtlSeconds: 300,
      priceClass: "PriceClass_100",
      accessLogRetentionDays: 90,
      additionalMetrics: false,
      waf: false,
      wafRateLimit: 2000,
      wafLogRetentionDays: 90,
      noncurrentVersionDays: 30,
      forceDestroy: false,
      ...args,
    };
    this.edge = { parent: this, provider: args.edgeProvider };
    const { staticFiles, rootObject, assetsPrefix } = this.args;
    for (const file of staticFiles) {
      if ((file.sourcePath === undefined) === (file.content === undefined)) {
        throw new Error(`Cdn ${name}: static file ${file.key} needs sourcePath or content`);
      }
    }
    if (!staticFiles.some((f) => f.key === rootObject)) {
      throw new Error(`Cdn ${name}: staticFiles has no ${rootObject} (rootObject)`);
    }
    if (!/^[a-z0-9-]+\/$/.test(assetsPrefix)) {
      throw new Error(`Cdn ${name}: assetsPrefix must be a folder such as "assets/"`);
    }

    this.staticBucket = this.createStaticBucket();
    this.accessLogBucket = this.createAccessLogBucket();
    const certificate = this.args.domain ? this.createCertificate(this.args.domain) : undefined;
    if (this.args.waf) {
      const waf = this.createWebAcl({
        rateLimit: this.args.wafRateLimit,
        logRetentionDays: this.args.wafLogRetentionDays,
      });
      this.webAcl = waf.webAcl;
      this.wafLogGroup = waf.logGroup;
      this.webAclName = waf.webAcl.name;
      this.wafMetricNames = waf.metricNames;
    }
    this.distribution = this.createDistribution(certificate?.arn);
    this.grantDistributionRead();
    this.publishStaticFiles();
    this.deliverAccessLogs();
    this.additionalMetrics = this.args.additionalMetrics;
    if (this.additionalMetrics) {
      // CloudFront is global: its monitoring subscription, like its metrics, is in us-east-1.
      new aws.cloudfront.MonitoringSubscription(
        `${this.name}-metrics`,
        {
          distributionId: this.distribution.id,
          monitoringSubscription: {
            realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" },
          },
        },
        this.edge,
      );
    }
    if (this.args.domain && certificate) {
      this.createAliasRecords(this.args.domain, certificate.zoneId);
    }

    this.distributionId = this.distribution.id;
    this.url = this.args.domain
      ? pulumi.output(`https://${this.args.domain.name}`)
      : pulumi.interpolate`https://${this.distribution.domainName}`;
    this.readinessUrl = pulumi.interpolate`${this.url}${this.args.readinessPath}`;
    this.certificateArns = certificate ? [certificate.arn] : [];

    this.registerOutputs({
      distributionId: this.distributionId,
      url: this.url,
      readinessUrl: this.readinessUrl,
      staticBucketName: this.staticBucket.bucket,
      webAclArn: this.webAcl?.arn,
    });
  }

  /**
   * SSE-S3 rather than KMS: the files are public through the CDN anyway, and CloudFront would
   * need a key policy for a customer-managed key. Versioned, so an overwritten page can be
   * restored; old versions expire.
   */
  private createStaticBucket(): aws.s3.Bucket {
    const name = `${this.name}-static`;
    const bucket = privateBucket(
      name,
      {
        forceDestroy: this.args.forceDestroy,
        lifecycleRules: [
          {
            id: "expire-replaced-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: this.args.noncurrentVersionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent: this },
    );
    new aws.s3.BucketVersioning(
      name,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      { parent: this },
    );
    return bucket;
  }

  private createAccessLogBucket(): aws.s3.Bucket {
    return privateBucket(
      `${this.name}-cdn-logs`,
      {
        forceDestroy: this.args.forceDestroy,
        lifecycleRules: [expireLogsAfter(this.args.accessLogRetentionDays)],
      },
      { parent: this },
    );
  }

  /** In us-east-1 (CloudFront takes certificates from there only), validated in the zone. */
  private createCertificate(domain: { name: string; hostedZoneName: string }) {
    const zone = aws.route53.getZoneOutput(
      { name: domain.hostedZoneName, privateZone: false },
      { parent: this },
    );
    const arn = dnsValidatedCertificate(
      `${this.name}-cdn-cert`,
      { domainName: domain.name, zoneId: zone.zoneId },
      this.edge,
      { parent: this },
    );
    return { arn, zoneId: zone.zoneId };
  }

  /**
   * The rate limit first (cheapest to evaluate, and it stops floods before the managed rules
   * count them), then the managed rule groups as AWS publishes them (their own actions).
   */
  private createWebAcl(waf: { rateLimit: number; logRetentionDays: number }) {
    const prefix = this.args.namePrefix;
    const metricNames = {
      webAcl: `${prefix}-cdn`,
      rateLimit: `${prefix}-rate-limit`,
      managedRuleGroups: managedRuleGroups.map((group) => `${prefix}-${group}`),
    };
    const visibility = (metricName: string) => ({
      cloudwatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const webAcl = new aws.wafv2.WebAcl(
      `${this.name}-waf`,
      {
        // The same as its metric name, so the `WebACL` dimension reads either way.
        name: metricNames.webAcl,
        description: `${prefix}: managed rules and a per-IP rate limit in front of the CDN`,
        scope: "CLOUDFRONT",
        defaultAction: { allow: {} },
        rules: [
          {
            name: "rate-limit",
            priority: 0,
            action: { block: {} },
            statement: {
              rateBasedStatement: {
                limit: waf.rateLimit,
                aggregateKeyType: "IP",
                evaluationWindowSec: 300,
              },
            },
            visibilityConfig: visibility(metricNames.rateLimit),
          },
          ...managedRuleGroups.map((group, i) => ({
            name: group,
            priority: i + 1,
            overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
            visibilityConfig: visibility(metricNames.managedRuleGroups[i]),
          })),
        ],
        visibilityConfig: visibility(metricNames.webAcl),
      },
      this.edge,
    );

    // WAF writes only to log groups whose name starts with `aws-waf-logs-`, in the web ACL's region.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${this.name}-waf-logs`,
      { name: `aws-waf-logs-${prefix}`, retentionInDays: waf.logRetentionDays },
      this.edge,
    );
    const account = aws.getCallerIdentityOutput({}, { parent: this });
    // Written here rather than left for WAF to add to the account's shared log delivery policy.
    const policy = new aws.cloudwatch.LogResourcePolicy(
      `${this.name}-waf-logs`,
      {
        policyName: `aws-waf-logs-${prefix}`,
        policyDocument: pulumi.all([logGroup.arn, account.accountId]).apply(([arn, accountId]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "WafLogDelivery",
                Effect: "Allow",
                Principal: { Service: "delivery.logs.amazonaws.com" },
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: `${arn}:*`,
                Condition: {
                  StringEquals: { "aws:SourceAccount": accountId },
                  ArnLike: { "aws:SourceArn": `arn:aws:logs:us-east-1:${accountId}:*` },
                },
              },
            ],
          }),
        ),
      },
      this.edge,
    );
    new aws.wafv2.WebAclLoggingConfiguration(
      `${this.name}-waf`,
      {
        resourceArn: webAcl.arn,
        logDestinationConfigs: [logGroup.arn],
        // Credentials and sessions never reach the log.
        redactedFields: [
          { singleHeader: { name: "authorization" } },
          { singleHeader: { name: "cookie" } },
        ],
      },
      { ...this.edge, dependsOn: [policy] },
    );
    return { webAcl, logGroup, metricNames };
  }

  private createDistribution(certificateArn?: pulumi.Output<string>): aws.cloudfront.Distribution {
    const { args } = this;
    const parent = { parent: this };
    const prefix = args.namePrefix;
    const originAccess = new aws.cloudfront.OriginAccessControl(
      `${this.name}-static`,
      {
        name: `${prefix}-static`,
        description: "CloudFront signs every request to the static bucket",
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      },
      parent,
    );
    const pageCache = new aws.cloudfront.CachePolicy(
      `${this.name}-page`,
      {
        name: `${prefix}-page`,
        comment: "The entry page: as long as its Cache-Control says, at most a few minutes",
        minTtl: 0,
        defaultTtl: 60,
        maxTtl: args.pageMaxTtlSeconds,
        parametersInCacheKeyAndForwardedToOrigin: {
          cookiesConfig: { cookieBehavior: "none" },
          headersConfig: { headerBehavior: "none" },
          queryStringsConfig: { queryStringBehavior: "none" },
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
        },
      },
      parent,
    );
    const headers = new aws.cloudfront.ResponseHeadersPolicy(
      `${this.name}-security-headers`,
      {
        name: `${prefix}-security-headers`,
        comment: "HSTS, nosniff, no framing, strict referrer, the page's CSP",
        securityHeadersConfig: {
          strictTransportSecurity: {
            accessControlMaxAgeSec: 2 * oneYear,
            includeSubdomains: true,
            preload: false,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: "DENY", override: true },
          referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
          // The service sets its own; this covers the page, which S3 serves.
          contentSecurityPolicy: {
            contentSecurityPolicy: args.pageContentSecurityPolicy,
            override: false,
          },
        },
      },
      parent,
    );

    const alb = "load-balancer";
    const bucket = "static";
    const common = {
      viewerProtocolPolicy: "redirect-to-https",
      compress: true,
      responseHeadersPolicyId: headers.id,
    };
    const fromBucket = {
      ...common,
      targetOriginId: bucket,
      allowedMethods: ["GET", "HEAD"],
      cachedMethods: ["GET", "HEAD"],
    };
    return new aws.cloudfront.Distribution(
      `${this.name}-cdn`,
      {
        enabled: true,
        comment: `${prefix}: page and assets from S3, API from the load balancer`,
        httpVersion: "http2and3",
        isIpv6Enabled: true,
        priceClass: args.priceClass,
        defaultRootObject: args.rootObject,
        aliases: args.domain ? [args.domain.name] : [],
        webAclId: this.webAcl?.arn,
        origins: [
          {
            originId: alb,
            domainName: args.originDomainName,
            customOriginConfig: {
              httpPort: 80,
              httpsPort: 443,
              originProtocolPolicy: args.originHttps ? "https-only" : "http-only",
              originSslProtocols: ["TLSv1.2"],
              originReadTimeout: 30,
              originKeepaliveTimeout: 5,
            },
            customHeaders: [{ name: args.originHeader.name, value: args.originHeader.value }],
          },
          {
            originId: bucket,
            domainName: this.staticBucket.bucketRegionalDomainName,
            originAccessControlId: originAccess.id,
          },
        ],
        defaultCacheBehavior: { ...fromBucket, cachePolicyId: pageCache.id },
        orderedCacheBehaviors: [
          {
            ...fromBucket,
            pathPattern: `/${args.assetsPrefix}*`,
            cachePolicyId: managedPolicies.cachingOptimized,
          },
          ...args.apiPaths.map((pathPattern) => ({
            ...common,
            pathPattern,
            targetOriginId: alb,
            allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
            cachedMethods: ["GET", "HEAD"],
            cachePolicyId: managedPolicies.cachingDisabled,
            originRequestPolicyId: managedPolicies.allViewerExceptHostHeader,
          })),
        ],
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: certificateArn
          ? {
              acmCertificateArn: certificateArn,
              sslSupportMethod: "sni-only",
              minimumProtocolVersion: "TLSv1.2_2021",
            }
          : { cloudfrontDefaultCertificate: true },
      },
      parent,
    );
  }

  /** Only this distribution may read, through its Origin Access Control; TLS only. */
  private grantDistributionRead(): void {
    const bucket = this.staticBucket;
    new aws.s3.BucketPolicy(
      `${this.name}-static`,
      {
        bucket: bucket.id,
        policy: pulumi.all([bucket.arn, this.distribution.arn]).apply(([arn, distributionArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "CloudFrontRead",
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: "s3:GetObject",
                Resource: `${arn}/*`,
                Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
              },
              tlsOnly(arn),
            ],
          }),
        ),
      },
      { parent: this },
    );
  }

  private publishStaticFiles(): void {
    for (const file of this.args.staticFiles) {
      new aws.s3.BucketObjectv2(
        `${this.name}-static/${file.key}`,
        {
          bucket: this.staticBucket.id,
          key: file.key,
          contentType: file.contentType,
          cacheControl: file.cacheControl,
          ...(file.sourcePath !== undefined
            ? { source: new pulumi.asset.FileAsset(file.sourcePath) }
            : { content: file.content }),
        },
        { parent: this },
      );
    }
  }

  /**
   * Standard logging v2: CloudWatch Logs delivers the distribution's access logs (JSON, one
   * folder per distribution and hour) to the log bucket. The delivery objects live in us-east-1
   * with the distribution's metrics; the bucket policy admits only this account's deliveries.
   */
  private deliverAccessLogs(): void {
    const bucket = this.accessLogBucket;
    const account = aws.getCallerIdentityOutput({}, { parent: this });
    const policy = new aws.s3.BucketPolicy(
      `${this.name}-cdn-logs`,
      {
        bucket: bucket.id,
        policy: pulumi.all([bucket.arn, account.accountId]).apply(([arn, accountId]) => {
          const condition = {
            StringEquals: { "aws:SourceAccount": accountId },
            ArnLike: { "aws:SourceArn": `arn:aws:logs:us-east-1:${accountId}:delivery-source:*` },
          };
          return JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "AWSLogDeliveryWrite",
                Effect: "Allow",
                Principal: { Service: "delivery.logs.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${arn}/AWSLogs/${accountId}/*`,
                Condition: {
                  ...condition,
                  StringEquals: {
                    ...condition.StringEquals,
                    "s3:x-amz-acl": "bucket-owner-full-control",
                  },
                },
              },
              {
                Sid: "AWSLogDeliveryAclCheck",
                Effect: "Allow",
                Principal: { Service: "delivery.logs.amazonaws.com" },
                Action: ["s3:GetBucketAcl", "s3:ListBucket"],
                Resource: arn,
                Condition: condition,
              },
              tlsOnly(arn),
            ],
          });
        }),
      },
      { parent: this },
    );
    const prefix = this.args.namePrefix;
    const source = new aws.cloudwatch.LogDeliverySource(
      `${this.name}-cdn-access-logs`,
      { name: `${prefix}-cdn`, logType: "ACCESS_LOGS", resourceArn: this.distribution.arn },
      this.edge,
    );
    const destination = new aws.cloudwatch.LogDeliveryDestination(
      `${this.name}-cdn-access-logs`,
      {
        name: `${prefix}-cdn-logs`,
        outputFormat: "json",
        deliveryDestinationConfiguration: { destinationResourceArn: bucket.arn },
      },
      this.edge,
    );
    new aws.cloudwatch.LogDelivery(
      `${this.name}-cdn-access-logs`,
      {
        deliverySourceName: source.name,
        deliveryDestinationArn: destination.arn,
        s3DeliveryConfigurations: [
          { suffixPath: "{DistributionId}/{yyyy}/{MM}/{dd}/{HH}", enableHiveCompatiblePath: false },
        ],
      },
      { ...this.edge, dependsOn: [policy] },
    );
  }

  /** The domain's A and AAAA records, aliases of the distribution. */
  private createAliasRecords(domain: { name: string }, zoneId: pulumi.Output<string>): void {
    for (const type of ["A", "AAAA"]) {
      new aws.route53.Record(
        `${this.name}-cdn-${type.toLowerCase()}`,
        {
          zoneId,
          name: domain.name,
          type,
          aliases: [
            {
              name: this.distribution.domainName,
              zoneId: this.distribution.hostedZoneId,
              evaluateTargetHealth: false,
            },
          ],
        },
        { parent: this },
      );
    }
  }
}
