import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { expireLogsAfter, privateBucket, tlsOnly } from "./buckets";
import { dnsValidatedCertificate } from "./certificates";

/**
 * The settings a stack file tunes (infra/config/load-balancer.ts reads them, one key each); the rest of the
 * args are wiring from other components.
 */
export interface LoadBalancerSettings {
  /** Refuse `DeleteLoadBalancer` until this is turned off. Default true. */
  deletionProtection?: boolean;
  /** Days access logs are kept in their S3 bucket. Default 90. */
  accessLogRetentionDays?: number;
  /**
   * The origin secret's generation: each number has its own random value, so raising it rotates
   * the secret CloudFront sends. Default 1.
   */
  originSecretVersion?: number;
  /**
   * Keep accepting the previous generation's secret as well, while CloudFront deploys the new
   * one (docs/operations.md, "Rotating the origin secret"). Default false.
   */
  originSecretPrevious?: boolean;
}

export interface LoadBalancerArgs extends LoadBalancerSettings {
  vpcId: pulumi.Input<string>;
  /** Public subnets, in at least two AZs (an ALB refuses fewer). */
  subnetIds: pulumi.Input<string>[];
  /** The load balancer's security group (from `Network`: CloudFront's origin-facing range only). */
  securityGroupId: pulumi.Input<string>;
  /** Port the service's tasks listen on. */
  targetPort: number;
  /** The service's readiness path, which the target group probes. */
  healthCheckPath: string;
  /**
   * Seconds a deregistering task keeps receiving in-flight requests before ECS stops it.
   * Default 20: long enough for this service's requests, short enough that deploys and
   * rollbacks do not wait on it. At most 30.
   */
  deregistrationDelaySeconds?: number;
  /**
   * The service's custom domain: the load balancer gets `origin.<name>`, the name CloudFront
   * reaches it on, with an ACM certificate for that name, an HTTPS listener, and HTTP redirected
   * to HTTPS. (The public name's own certificate is the CDN's, in us-east-1.) Default unset:
   * plain HTTP on port 80 (see the class comment).
   */
  domain?: { name: string; hostedZoneName: string };
}

/** Header CloudFront adds to every origin request; requests without it get a 403. */
export const originHeaderName = "X-Origin-Verify";

/** TLS 1.3 and 1.2 only, forward-secret ciphers: the newest general-purpose ELB policy. */
export const tlsPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * The internet-facing Application Load Balancer in front of the service, reachable only from
 * CloudFront: its security group admits only CloudFront's origin-facing addresses, and its
 * listener answers 403 to any request without the secret origin header (`originSecret`, which
 * the CDN sends), so neither the CDN's caching nor its WAF can be bypassed from another
 * CloudFront distribution. It drops invalid header fields, applies the strictest desync
 * mitigation, and writes access logs to an encrypted, private S3 bucket with an expiry.
 *
 * Without a custom domain the load balancer has no certificate it could present: ACM issues
 * none for its `*.elb.amazonaws.com` name. CloudFront then reaches it over HTTP on port 80;
 * viewers still get HTTPS from CloudFront, but the CloudFront -> ALB hop crosses the AWS
 * network unencrypted. Setting `domain` (config `domainName`) adds `origin.<domain>` with its
 * certificate and an HTTPS listener, and port 80 only redirects.
 *
 * Cost (eu-west-1 list prices): $0.0252/hour, about $18.40/month, plus $0.008 per LCU-hour
 * ($5.84 per LCU-month) of traffic; one public IPv4 address per AZ at $0.005/hour ($7.30/month
 * with two AZs, $10.95 with three); log storage at $0.023/GB-month until it expires.
 */
export class LoadBalancer extends pulumi.ComponentResource {
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly targetGroup: aws.lb.TargetGroup;
  /** Listeners and the rule that route to the target group; the service must wait for them. */
  readonly routing: pulumi.Resource[];
  /** Value of `originHeaderName` that CloudFront must send: the current generation's. */
  readonly originSecret: pulumi.Output<string>;
  /** The values the listener accepts: the current one, and the previous one during a rotation. */
  readonly acceptedOriginSecrets: pulumi.Output<string>[];
  /** The name CloudFront reaches the load balancer on: `origin.<domain>`, else its DNS name. */
  readonly originDomainName: pulumi.Output<string>;
  /** Whether the load balancer serves HTTPS on `originDomainName` (with a domain). */
  readonly https: boolean;
  /** The regional ACM certificate of `origin.<domain>` (with a domain), for expiry alarms. */
  readonly certificateArn?: pulumi.Output<string>;
  readonly accessLogBucket: aws.s3.Bucket;

  private readonly name: string;
  private readonly args: Required<Omit<LoadBalancerArgs, "domain">> &
    Pick<LoadBalancerArgs, "domain">;

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("acme:loadBalancer:LoadBalancer", name, {}, opts);
    this.name = name;
    this.args = {
      deregistrationDelaySeconds: 20,
      deletionProtection: true,
      accessLogRetentionDays: 90,
      originSecretVersion: 1,
      originSecretPrevious: false,
      ...args,
    };
    const { deregistrationDelaySeconds, subnetIds, domain } = this.args;
    const { originSecretVersion: version, originSecretPrevious: previous } = this.args;
    if (!(Number.isInteger(version) && version >= 1)) {
      throw new Error(
        `LoadBalancer ${name}: originSecretVersion must be an integer of 1 or more, got ${version}`,
      );
    }
    if (previous && version === 1) {
      throw new Error(
        `LoadBalancer ${name}: originSecretPrevious needs originSecretVersion 2 or more (generation 1 has no previous one)`,
      );
    }
    if (!(deregistrationDelaySeconds >= 0 && deregistrationDelaySeconds <= 30)) {
      throw new Error(
        `LoadBalancer ${name}: deregistrationDelaySeconds must be 0 to 30, got ${deregistrationDelaySeconds}`,
      );
    }
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer
    if (subnetIds.length < 2) {
      throw new Error(`LoadBalancer ${name}: an ALB needs subnets in at least two AZs`);
    }

    const logs = this.createAccessLogBucket();
    this.accessLogBucket = logs.bucket;
    this.loadBalancer = this.createLoadBalancer(logs);
    this.targetGroup = this.createTargetGroup();
    this.originSecret = this.createOriginSecret(version);
    this.acceptedOriginSecrets = previous
      ? [this.originSecret, this.createOriginSecret(version - 1)]
      : [this.originSecret];
    const tls = domain ? this.createCertificate(domain) : undefined;
    this.certificateArn = tls?.certificateArn;
    this.routing = this.createListeners(tls?.certificateArn);
    this.originDomainName =
      domain && tls ? this.createOriginRecord(domain, tls.zoneId) : this.loadBalancer.dnsName;
    this.https = tls !== undefined;

    this.registerOutputs({
      dnsName: this.loadBalancer.dnsName,
      originDomainName: this.originDomainName,
      certificateArn: this.certificateArn,
    });
  }

  private createAccessLogBucket() {
    const parent = { parent: this };
    // ALB access logs support only SSE-S3, not SSE-KMS, which is what privateBucket sets.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
    const bucket = privateBucket(
      `${this.name}-access-logs`,
      {
        // Logs only: a stack without deletion protection may be destroyed with them.
        forceDestroy: !this.args.deletionProtection,
        lifecycleRules: [expireLogsAfter(this.args.accessLogRetentionDays)],
      },
      parent,
    );

    // One statement for every region: the log-delivery service principal. AWS's "Enable access
    // logs for your Application Load Balancer" (Step 2, attach a policy to your S3 bucket):
    // regions opened in August 2022 or later accept only this principal; for older ones the
    // per-region Elastic Load Balancing account "is still supported, but we recommend that you
    // replace it with the newer policy". The account lookup (aws.elb.getServiceAccount) has no
    // answer in newer regions, so the stack would not deploy there.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
    // The account in the path means only this account's load balancers may write (same page).
    const account = aws.getCallerIdentityOutput({}, parent);
    const policy = new aws.s3.BucketPolicy(
      `${this.name}-access-logs`,
      {
        bucket: bucket.id,
        policy: pulumi.all([bucket.arn, account.accountId]).apply(([arn, accountId]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "ElbLogDelivery",
                Effect: "Allow",
                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${arn}/AWSLogs/${accountId}/*`,
              },
              tlsOnly(arn),
            ],
          }),
        ),
      },
      parent,
    );
    return { bucket, policy };
  }

  private createLoadBalancer(logs: {
    bucket: aws.s3.Bucket;
    policy: aws.s3.BucketPolicy;
  }): aws.lb.LoadBalancer {
    return new aws.lb.LoadBalancer(
      `${this.name}-alb`,
      {
        loadBalancerType: "application",
        internal: false,
        subnets: this.args.subnetIds,
        securityGroups: [this.args.securityGroupId],
        dropInvalidHeaderFields: true,
        // Rejects every request that is ambiguous under RFC 7230, not only the severe ones.
        desyncMitigationMode: "strictest",
        enableDeletionProtection: this.args.deletionProtection,
        idleTimeout: 60,
        accessLogs: { bucket: logs.bucket.id, enabled: true },
      },
      // Turning logging on checks that the load balancer may write to the bucket.
      { parent: this, dependsOn: [logs.policy] },
    );
  }

  private createTargetGroup(): aws.lb.TargetGroup {
    return new aws.lb.TargetGroup(
      `${this.name}-tg`,
      {
        vpcId: this.args.vpcId,
        // Fargate tasks register by IP (awsvpc networking).
        targetType: "ip",
        protocol: "HTTP",
        port: this.args.targetPort,
        deregistrationDelay: this.args.deregistrationDelaySeconds,
        healthCheck: {
          path: this.args.healthCheckPath,
          protocol: "HTTP",
          port: "traffic-port",
          matcher: "200",
          interval: 10,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        },
      },
      { parent: this },
    );
  }

  /**
   * One password per generation, named after it: a rotation needs the previous value to survive
   * beside the new one, which replacing one password (new `keepers`) cannot give. Generation 1
   * keeps the name it has always had, so stacks deployed before rotation existed keep their value.
   */
  private createOriginSecret(generation: number): pulumi.Output<string> {
    const secret = new random.RandomPassword(
      generation === 1 ? `${this.name}-origin-secret` : `${this.name}-origin-secret-v${generation}`,
      { length: 48, special: false },
      { parent: this },
    );
    return pulumi.secret(secret.result);
  }

  /**
   * A certificate for `origin.<name>` (CloudFront validates the origin's certificate against the
   * origin name), DNS-validated in the zone, so ACM renews it itself.
   */
  private createCertificate(domain: { name: string; hostedZoneName: string }) {
    const zone = aws.route53.getZoneOutput(
      { name: domain.hostedZoneName, privateZone: false },
      { parent: this },
    );
    const certificateArn = dnsValidatedCertificate(
      `${this.name}-cert`,
      { domainName: `origin.${domain.name}`, zoneId: zone.zoneId },
      { parent: this },
      { parent: this },
    );
    return { certificateArn, zoneId: zone.zoneId };
  }

  /** `origin.<domain>`, an alias of the load balancer that CloudFront uses as its origin. */
  private createOriginRecord(
    domain: { name: string },
    zoneId: pulumi.Output<string>,
  ): pulumi.Output<string> {
    const record = new aws.route53.Record(
      `${this.name}-origin`,
      {
        zoneId,
        name: `origin.${domain.name}`,
        type: "A",
        aliases: [
          {
            name: this.loadBalancer.dnsName,
            zoneId: this.loadBalancer.zoneId,
            evaluateTargetHealth: true,
          },
        ],
      },
      { parent: this },
    );
    return record.fqdn;
  }

  /**
   * The listener that serves requests answers 403 by default; one rule forwards requests that
   * carry the origin header. With a certificate that listener is HTTPS and port 80 redirects.
   */
  private createListeners(certificateArn?: pulumi.Output<string>): pulumi.Resource[] {
    const deny = {
      type: "fixed-response",
      fixedResponse: { contentType: "text/plain", messageBody: "Forbidden", statusCode: "403" },
    };
    const serving = new aws.lb.Listener(
      `${this.name}-${certificateArn ? "https" : "http"}`,
      certificateArn
        ? {
            loadBalancerArn: this.loadBalancer.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: tlsPolicy,
            certificateArn,
            defaultActions: [deny],
          }
        : {
            loadBalancerArn: this.loadBalancer.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: [deny],
          },
      { parent: this },
    );
    const fromCdn = new aws.lb.ListenerRule(
      `${this.name}-from-cdn`,
      {
        listenerArn: serving.arn,
        priority: 1,
        // A header condition is met when the header equals any of its values (up to three):
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#rule-condition-basics
        conditions: [
          {
            httpHeader: { httpHeaderName: originHeaderName, values: this.acceptedOriginSecrets },
          },
        ],
        actions: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
      },
      { parent: this },
    );
    if (!certificateArn) return [serving, fromCdn];

    const redirect = new aws.lb.Listener(
      `${this.name}-http`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [
          {
            type: "redirect",
            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
          },
        ],
      },
      { parent: this },
    );
    return [serving, fromCdn, redirect];
  }
}
