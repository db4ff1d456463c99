import assert from "node:assert/strict";
import { originHeaderName, tlsPolicy } from "../../infra/load-balancer";
import { cloudFrontPrefixListName } from "../../infra/network";
import { ofType, runProgram, type ProgramRun } from "../../scripts/offline/harness";
import { AwsMocks } from "../../scripts/offline/mocks";
import { assertPrivateEncryptedBucket, bucketPart } from "./buckets";
import { byId, configKey, mockZoneId, one, revealSecret, stackRun } from "./stacks";

const alb = (run: ProgramRun) => one(run, "aws:lb/loadBalancer:LoadBalancer");
const listeners = (run: ProgramRun) => ofType(run, "aws:lb/listener:Listener");
const listenerOn = (run: ProgramRun, port: number) =>
  listeners(run).find((l) => l.inputs.port === port)!;
/** The load balancer's own bucket (the CDN has others). */
const logBucket = (run: ProgramRun) =>
  ofType(run, "aws:s3/bucket:Bucket").find((b) => b.name === `${run.stack}-access-logs`)!;

/** The listener's default answers 403; one rule forwards requests with the origin secret. */
function assertOnlyOriginHeaderForwarded(run: ProgramRun, port: number) {
  const listener = listenerOn(run, port);
  assert.deepEqual(listener.inputs.defaultActions, [
    {
      type: "fixed-response",
      fixedResponse: { contentType: "text/plain", messageBody: "Forbidden", statusCode: "403" },
    },
  ]);
  const rules = ofType(run, "aws:lb/listenerRule:ListenerRule");
  assert.equal(rules.length, 1);
  const [rule] = rules;
  assert.equal(rule.inputs.listenerArn, listener.id);
  const secret = one(run, "random:index/randomPassword:RandomPassword").outputs.result as string;
  assert.ok(secret.length >= 32);
  // The value reaches the engine as a secret, so it is encrypted in the state and never printed.
  assert.deepEqual(revealSecret(rule.inputs.conditions), [
    { httpHeader: { httpHeaderName: originHeaderName, values: [secret] } },
  ]);
  const targetGroup = one(run, "aws:lb/targetGroup:TargetGroup");
  assert.deepEqual(rule.inputs.actions, [{ type: "forward", targetGroupArn: targetGroup.id }]);
}

describe("load balancer", () => {
  const expected = {
    dev: { deletionProtection: false, logDays: 7, domain: false },
    // Staging and prod require a domain: their load balancer serves HTTPS on origin.<domain>.
    staging: { deletionProtection: false, logDays: 30, domain: true },
    prod: { deletionProtection: true, logDays: 90, domain: true },
  };

  for (const [stack, want] of Object.entries(expected) as [
    keyof typeof expected,
    (typeof expected)["prod"],
  ][]) {
    describe(stack, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });

      it("is internet-facing in the public subnets, behind the security group that admits only CloudFront", () => {
        const lb = alb(run);
        assert.equal(lb.inputs.internal, false);
        assert.equal(lb.inputs.loadBalancerType, "application");
        const subnets = (lb.inputs.subnets as string[]).map((id) => byId(run, id));
        assert.ok(subnets.length >= 2);
        for (const subnet of subnets) {
          assert.equal((subnet.inputs.tags as Record<string, string>).tier, "public");
        }
        const [group] = lb.inputs.securityGroups as string[];
        assert.equal(byId(run, group).name, `${stack}-alb`);
        const ingress = ofType(
          run,
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ).filter((r) => r.inputs.securityGroupId === group);
        const cloudFront = new AwsMocks(run.config["aws:region"]).call({
          token: "aws:ec2/getManagedPrefixList:getManagedPrefixList",
          inputs: { name: cloudFrontPrefixListName },
          provider: "",
        });
        assert.deepEqual(
          ingress.map((r) => [r.inputs.prefixListId, r.inputs.fromPort, r.inputs.toPort]),
          // One exact port: 443 with a domain, never the range 80-443.
          want.domain ? [[cloudFront.id, 443, 443]] : [[cloudFront.id, 80, 80]],
        );
      });

      if (!want.domain) {
        it("without a domain: HTTP on 80 only, 403 unless the request carries the secret origin header", () => {
          assert.deepEqual(
            listeners(run).map((l) => [l.inputs.port, l.inputs.protocol]),
            [[80, "HTTP"]],
          );
          assertOnlyOriginHeaderForwarded(run, 80);
          assert.equal(ofType(run, "aws:acm/certificate:Certificate").length, 0);
        });
      } else {
        it("with its domain: HTTPS on 443, 403 unless the request carries the secret origin header", () => {
          assert.deepEqual(
            listeners(run)
              .map((l) => [l.inputs.port, l.inputs.protocol])
              .sort(),
            [
              [443, "HTTPS"],
              [80, "HTTP"],
            ],
          );
          assertOnlyOriginHeaderForwarded(run, 443);
        });
      }

      it("drops invalid header fields and applies the strictest desync mitigation", () => {
        assert.equal(alb(run).inputs.dropInvalidHeaderFields, true);
        assert.equal(alb(run).inputs.desyncMitigationMode, "strictest");
      });

      it("appends the peer's address to X-Forwarded-For (the app's client address and /readyz rely on it)", () => {
        // `preserve` or `remove` would let a client choose its address, or make every public
        // request look like a direct one from inside the VPC (app/src/routes/health.ts).
        assert.ok(
          [undefined, "append"].includes(
            alb(run).inputs.xffHeaderProcessingMode as string | undefined,
          ),
          String(alb(run).inputs.xffHeaderProcessingMode),
        );
      });

      it(`has deletion protection ${want.deletionProtection ? "on" : "off"}`, () => {
        assert.equal(alb(run).inputs.enableDeletionProtection, want.deletionProtection);
      });

      it(`writes access logs to a private, encrypted bucket that expires them after ${want.logDays} days`, () => {
        const bucket = logBucket(run);
        assert.deepEqual(alb(run).inputs.accessLogs, { bucket: bucket.id, enabled: true });
        // ALB log delivery supports SSE-S3 only.
        assertPrivateEncryptedBucket(run, bucket);
        const lifecycle = bucketPart(
          run,
          "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
          bucket,
        );
        const [rule] = lifecycle.rules as Record<string, unknown>[];
        assert.equal(rule.status, "Enabled");
        assert.deepEqual(rule.expiration, { days: want.logDays });
        assert.equal(bucket.inputs.forceDestroy, !want.deletionProtection);
      });

      it("lets Elastic Load Balancing's log delivery (every region) write the logs, over TLS only, before logging is turned on", () => {
        const bucket = logBucket(run);
        const policyResource = ofType(run, "aws:s3/bucketPolicy:BucketPolicy").find(
          (p) => p.inputs.bucket === bucket.id,
        )!;
        const policy = JSON.parse(policyResource.inputs.policy as string);
        const [deliver, tlsOnly] = policy.Statement;
        // The service principal alone: no regional ELB account, which newer regions lack.
        assert.deepEqual(deliver.Principal, {
          Service: "logdelivery.elasticloadbalancing.amazonaws.com",
        });
        assert.equal(deliver.Action, "s3:PutObject");
        assert.equal(
          deliver.Resource,
          `${bucket.outputs.arn}/AWSLogs/${run.config[configKey("accountId")]}/*`,
        );
        assert.equal(tlsOnly.Effect, "Deny");
        assert.deepEqual(tlsOnly.Condition, { Bool: { "aws:SecureTransport": "false" } });
        assert.ok(alb(run).options.dependsOn.includes(policyResource.urn));
      });

      it("health-checks targets on /readyz every 10 s with low thresholds, and drains them in at most 30 s", () => {
        const targetGroup = one(run, "aws:lb/targetGroup:TargetGroup");
        assert.equal(targetGroup.inputs.targetType, "ip");
        assert.equal(targetGroup.inputs.port, 8080);
        const check = targetGroup.inputs.healthCheck as Record<string, unknown>;
        assert.equal(check.path, "/readyz");
        assert.equal(check.matcher, "200");
        assert.ok((check.interval as number) <= 10);
        assert.ok((check.healthyThreshold as number) <= 2);
        assert.ok((check.unhealthyThreshold as number) <= 2);
        assert.ok((targetGroup.inputs.deregistrationDelay as number) <= 30);
      });
    });
  }

  describe("with a custom domain", () => {
    let run: ProgramRun;
    const byName = (type: string, name: string) => ofType(run, type).find((r) => r.name === name)!;
    const certificate = () => byName("aws:acm/certificate:Certificate", "prod-cert");
    before(async () => {
      run = await runProgram("prod", {
        config: { domainName: "app.eu.example.com", hostedZoneName: "example.com" },
      });
    });

    it("gets a regional, DNS-validated ACM certificate for CloudFront's origin name only, in the configured zone", () => {
      const cert = certificate();
      assert.equal(cert.inputs.domainName, "origin.app.eu.example.com");
      assert.equal(cert.inputs.subjectAlternativeNames, undefined);
      assert.equal(cert.inputs.validationMethod, "DNS");
      assert.ok(cert.id!.startsWith(`arn:aws:acm:${run.config["aws:region"]}:`), cert.id);
      const zoneId = mockZoneId("example.com");
      const [option] = cert.outputs.domainValidationOptions as Record<string, string>[];
      const record = byName("aws:route53/record:Record", "prod-cert-validation");
      assert.deepEqual(
        [record.inputs.zoneId, record.inputs.name, record.inputs.records],
        [zoneId, option.resourceRecordName, [option.resourceRecordValue]],
      );
      const validation = byName("aws:acm/certificateValidation:CertificateValidation", "prod-cert");
      assert.equal(validation.inputs.certificateArn, cert.id);
    });

    it("serves HTTPS with a TLS 1.3 policy and the validated certificate; port 80 redirects", () => {
      const https = listenerOn(run, 443);
      assert.equal(https.inputs.protocol, "HTTPS");
      assert.equal(https.inputs.sslPolicy, tlsPolicy);
      assert.match(tlsPolicy, /^ELBSecurityPolicy-TLS13-1-2-/);
      assert.equal(https.inputs.certificateArn, certificate().id);
      assertOnlyOriginHeaderForwarded(run, 443);
      assert.deepEqual(listenerOn(run, 80).inputs.defaultActions, [
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
      ]);
    });

    it("admits CloudFront on 443 alone through one prefix-list rule, and names the origin for it", () => {
      const group = alb(run).inputs.securityGroups as string[];
      const ingress = ofType(
        run,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      ).filter((r) => r.inputs.securityGroupId === group[0]);
      assert.deepEqual(
        ingress.map((r) => [Boolean(r.inputs.prefixListId), r.inputs.fromPort, r.inputs.toPort]),
        [[true, 443, 443]],
      );
      const origin = byName("aws:route53/record:Record", "prod-origin");
      assert.equal(origin.inputs.type, "A");
      assert.equal(origin.inputs.name, "origin.app.eu.example.com");
      assert.deepEqual(origin.inputs.aliases, [
        {
          name: alb(run).outputs.dnsName,
          zoneId: alb(run).outputs.zoneId,
          evaluateTargetHealth: true,
        },
      ]);
    });
  });

  describe("rotating the origin secret (prod)", () => {
    /** The passwords by name, what the listener rule accepts and what CloudFront sends. */
    function originSecrets(run: ProgramRun) {
      const passwords = Object.fromEntries(
        ofType(run, "random:index/randomPassword:RandomPassword").map((p) => [
          p.name,
          p.outputs.result as string,
        ]),
      );
      const [condition] = revealSecret(
        one(run, "aws:lb/listenerRule:ListenerRule").inputs.conditions,
      ) as { httpHeader: { httpHeaderName: string; values: string[] } }[];
      assert.equal(condition.httpHeader.httpHeaderName, originHeaderName);
      // Secret on both sides, so neither the state nor a preview shows the value.
      const origins = revealSecret(
        one(run, "aws:cloudfront/distribution:Distribution").inputs.origins,
      ) as { originId: string; customHeaders?: { name: string; value: string }[] }[];
      const [header] = origins.find((o) => o.customHeaders)!.customHeaders!;
      assert.equal(header.name, originHeaderName);
      return { passwords, accepted: condition.httpHeader.values, sent: header.value };
    }
    const rotate = (config: Record<string, string>) => runProgram("prod", { config });
    let window: Promise<ProgramRun> | undefined;
    /** Step one of a rotation: the next generation, with the previous one still accepted. */
    const duringWindow = () =>
      (window ??= rotate({ originSecretVersion: "2", originSecretPrevious: "true" }));

    it("by default: one password, and the listener accepts exactly what CloudFront sends", async () => {
      const { passwords, accepted, sent } = originSecrets(await stackRun("prod"));
      assert.deepEqual(Object.keys(passwords), ["prod-origin-secret"]);
      assert.deepEqual(accepted, [passwords["prod-origin-secret"]]);
      assert.equal(sent, passwords["prod-origin-secret"]);
    });

    it("during the window: CloudFront sends the new value, the listener accepts it and the unchanged old one", async () => {
      const before = originSecrets(await stackRun("prod"));
      const during = originSecrets(await duringWindow());
      const old = before.passwords["prod-origin-secret"];
      const fresh = during.passwords["prod-origin-secret-v2"];
      assert.equal(during.passwords["prod-origin-secret"], old);
      assert.notEqual(fresh, old);
      assert.equal(during.sent, fresh);
      assert.deepEqual(during.accepted, [fresh, old]);
    });

    it("after the window: only the new value, on both sides", async () => {
      const during = originSecrets(await duringWindow());
      const after = originSecrets(await rotate({ originSecretVersion: "2" }));
      const fresh = during.passwords["prod-origin-secret-v2"];
      assert.deepEqual(Object.keys(after.passwords), ["prod-origin-secret-v2"]);
      assert.deepEqual(after.accepted, [fresh]);
      assert.equal(after.sent, fresh);
    });

    it("refuses a window on the first generation, which has no previous value", async () => {
      await assert.rejects(
        rotate({ originSecretPrevious: "true" }),
        /originSecretPrevious needs originSecretVersion 2 or more/,
      );
    });
  });
});
