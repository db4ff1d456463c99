import assert from "node:assert/strict";
import { originHeaderName, tlsPolicy } from "../../infra/load-balancer";
import { cloudFrontPrefixListName } from "../../infra/network";
import { ofType, runProgram, type ProgramRun } from "../../scripts/offline/harness";
import { AwsMocks } from "../../scripts/offline/mocks";
import { one, stackRun } from "./stacks";

const alb = (run: ProgramRun) => one(run, "aws:lb/loadBalancer:LoadBalancer");
const listeners = (run: ProgramRun) => ofType(run, "aws:lb/listener:Listener");
const listenerOn = (run: ProgramRun, port: number) =>
  listeners(run).find((l) => l.inputs.port === port)!;
const byId = (run: ProgramRun, id: unknown) => run.resources.find((r) => r.id === id)!;
const bucketPart = (run: ProgramRun, type: string) => {
  const bucket = one(run, "aws:s3/bucket:Bucket");
  const part = ofType(run, type).find((p) => p.inputs.bucket === bucket.id);
  assert.ok(part, `${type} for the access-log bucket`);
  return part.inputs;
};

/** Pulumi's wire signature of a secret value. */
const secretSignature = "4dabf18193072939515e22adb298388d";

function revealSecret(value: unknown): unknown {
  assert.ok(
    typeof value === "object" && value !== null && secretSignature in value,
    "a secret value",
  );
  return (value as unknown as { value: unknown }).value;
}

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
    dev: { deletionProtection: false, logDays: 7 },
    staging: { deletionProtection: false, logDays: 30 },
    prod: { deletionProtection: true, logDays: 90 },
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
        const cloudFront = new AwsMocks("eu-west-1").call({
          token: "aws:ec2/getManagedPrefixList:getManagedPrefixList",
          inputs: { name: cloudFrontPrefixListName },
          provider: "",
        });
        assert.deepEqual(
          ingress.map((r) => [r.inputs.prefixListId, r.inputs.fromPort, r.inputs.toPort]),
          [[cloudFront.id, 80, 80]],
        );
      });

      it("without a domain: HTTP on 80 only, 403 unless the request carries the secret origin header", () => {
        assert.deepEqual(
          listeners(run).map((l) => [l.inputs.port, l.inputs.protocol]),
          [[80, "HTTP"]],
        );
        assertOnlyOriginHeaderForwarded(run, 80);
        assert.equal(ofType(run, "aws:acm/certificate:Certificate").length, 0);
        assert.match(run.stackOutputs.serviceUrl as string, /^http:\/\/.+\.elb\.amazonaws\.com$/);
      });

      it("drops invalid header fields and applies the strictest desync mitigation", () => {
        assert.equal(alb(run).inputs.dropInvalidHeaderFields, true);
        assert.equal(alb(run).inputs.desyncMitigationMode, "strictest");
      });

      it(`has deletion protection ${want.deletionProtection ? "on" : "off"}`, () => {
        assert.equal(alb(run).inputs.enableDeletionProtection, want.deletionProtection);
      });

      it(`writes access logs to a private, encrypted bucket that expires them after ${want.logDays} days`, () => {
        const bucket = one(run, "aws:s3/bucket:Bucket");
        assert.deepEqual(alb(run).inputs.accessLogs, { bucket: bucket.id, enabled: true });
        assert.deepEqual(
          bucketPart(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"),
          {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
          },
        );
        // ALB log delivery supports SSE-S3 only.
        assert.deepEqual(
          bucketPart(
            run,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          ).rules,
          [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        );
        const lifecycle = bucketPart(
          run,
          "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        );
        const [rule] = lifecycle.rules as Record<string, unknown>[];
        assert.equal(rule.status, "Enabled");
        assert.deepEqual(rule.expiration, { days: want.logDays });
        assert.equal(bucket.inputs.forceDestroy, !want.deletionProtection);
      });

      it("lets Elastic Load Balancing of the region write the logs, over TLS only, before logging is turned on", () => {
        const bucket = one(run, "aws:s3/bucket:Bucket");
        const policyResource = one(run, "aws:s3/bucketPolicy:BucketPolicy");
        const policy = JSON.parse(policyResource.inputs.policy as string);
        const [deliver, tlsOnly] = policy.Statement;
        assert.deepEqual(deliver.Principal, {
          AWS: "arn:aws:iam::156460612806:root",
          Service: "logdelivery.elasticloadbalancing.amazonaws.com",
        });
        assert.equal(deliver.Action, "s3:PutObject");
        assert.equal(
          deliver.Resource,
          `${bucket.outputs.arn}/AWSLogs/${run.config["acme:accountId"]}/*`,
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
    before(async () => {
      run = await runProgram("prod", {
        config: { domainName: "app.example.com", hostedZoneName: "example.com" },
      });
    });

    it("gets a DNS-validated ACM certificate for the domain and CloudFront's origin name, in the configured zone", () => {
      const certificate = one(run, "aws:acm/certificate:Certificate");
      assert.equal(certificate.inputs.domainName, "app.example.com");
      assert.deepEqual(certificate.inputs.subjectAlternativeNames, ["origin.app.example.com"]);
      assert.equal(certificate.inputs.validationMethod, "DNS");
      const zoneId = new AwsMocks("eu-west-1").call({
        token: "aws:route53/getZone:getZone",
        inputs: { name: "example.com" },
        provider: "",
      }).zoneId;
      const options = certificate.outputs.domainValidationOptions as Record<string, string>[];
      const records = ofType(run, "aws:route53/record:Record").filter(
        (r) => r.inputs.type === "CNAME",
      );
      assert.deepEqual(
        records.map((r) => [r.inputs.zoneId, r.inputs.name, r.inputs.records]).sort(),
        options.map((o) => [zoneId, o.resourceRecordName, [o.resourceRecordValue]]).sort(),
      );
      const validation = one(run, "aws:acm/certificateValidation:CertificateValidation");
      assert.equal(validation.inputs.certificateArn, certificate.id);
    });

    it("serves HTTPS with a TLS 1.3 policy and the validated certificate; port 80 redirects", () => {
      const https = listenerOn(run, 443);
      assert.equal(https.inputs.protocol, "HTTPS");
      assert.equal(https.inputs.sslPolicy, tlsPolicy);
      assert.match(tlsPolicy, /^ELBSecurityPolicy-TLS13-1-2-/);
      assert.equal(https.inputs.certificateArn, one(run, "aws:acm/certificate:Certificate").id);
      assertOnlyOriginHeaderForwarded(run, 443);
      assert.deepEqual(listenerOn(run, 80).inputs.defaultActions, [
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
      ]);
      assert.equal(run.stackOutputs.serviceUrl, "https://app.example.com");
    });

    it("admits CloudFront on 80 and 443 through one prefix-list rule, and names the origin for it", () => {
      const group = alb(run).inputs.securityGroups as string[];
      const ingress = ofType(
        run,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      ).filter((r) => r.inputs.securityGroupId === group[0]);
      assert.deepEqual(
        ingress.map((r) => [Boolean(r.inputs.prefixListId), r.inputs.fromPort, r.inputs.toPort]),
        [[true, 80, 443]],
      );
      const origin = ofType(run, "aws:route53/record:Record").find((r) => r.inputs.type === "A")!;
      assert.equal(origin.inputs.name, "origin.app.example.com");
      assert.deepEqual(origin.inputs.aliases, [
        {
          name: alb(run).outputs.dnsName,
          zoneId: alb(run).outputs.zoneId,
          evaluateTargetHealth: true,
        },
      ]);
    });
  });
});
