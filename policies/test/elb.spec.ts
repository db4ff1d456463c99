import assert from "node:assert/strict";
import type { RegisteredResource } from "../../scripts/offline/harness";
import { addBeside, diagnostics, find, set, violations } from "./gate";

const loadBalancer = "aws:lb/loadBalancer:LoadBalancer";
const listener = "aws:lb/listener:Listener";
const listenerRule = "aws:lb/listenerRule:ListenerRule";
const certificate = "aws:acm/certificate:Certificate";

describe("elb", () => {
  describe("elb-listener-tls-policy", () => {
    const policy = "elb-listener-tls-policy";
    const https = (sslPolicy?: string) =>
      violations(policy, "prod", (resources) => {
        const http = find(resources, listener, "-http");
        set(http, "protocol", "HTTPS");
        set(http, "port", 443);
        set(http, "sslPolicy", sslPolicy);
      });

    it("1: reports an HTTPS listener on the 2016 policy that still accepts TLS 1.0", async () => {
      assert.deepEqual(await https("ELBSecurityPolicy-2016-08"), [
        "HTTPS listener's sslPolicy is ELBSecurityPolicy-2016-08: set sslPolicy to " +
          "ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2 and 1.3 only).",
      ]);
    });

    it("2: reports an HTTPS listener without an sslPolicy (AWS's default is not pinned)", async () => {
      assert.match((await https(undefined))[0], /sslPolicy is not set/);
    });

    it("3: reports TLS 1.3 policies that go down to TLS 1.0", async () => {
      assert.equal((await https("ELBSecurityPolicy-TLS13-1-0-2021-06")).length, 1);
    });

    it("passes TLS 1.2+ policies and plain HTTP listeners (the program's)", async () => {
      assert.deepEqual(await https("ELBSecurityPolicy-TLS13-1-2-2021-06"), []);
      assert.deepEqual(await https("ELBSecurityPolicy-FS-1-2-Res-2020-10"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });

  describe("elb-http-listener-redirect", () => {
    // Dev: the one stack without a custom domain, so no certificate until a case adds one.
    const policy = "elb-http-listener-redirect";
    const forward = (resources: Parameters<typeof find>[0]) => ({
      type: "forward",
      targetGroupArn: find(resources, "aws:lb/targetGroup:TargetGroup").outputs.arn,
    });

    it("1: reports an HTTP listener forwarding straight to the target group", async () => {
      const found = await violations(policy, "dev", (resources) =>
        set(find(resources, listener, "-http"), "defaultActions", [forward(resources)]),
      );
      assert.deepEqual(found, [
        "HTTP listener dev-http forwards plain HTTP to a target group by default: answer a " +
          "fixed-response 403 by default and forward only in a listener rule that requires " +
          "the secret origin header CloudFront sends, or add a certificate (config domainName) " +
          "and redirect to HTTPS.",
      ]);
    });

    it("2: reports a listener rule that forwards without the origin header condition", async () => {
      const found = await violations(policy, "dev", (resources) =>
        set(find(resources, listenerRule, "-from-cdn"), "conditions", [
          { pathPattern: { values: ["/*"] } },
        ]),
      );
      assert.deepEqual(found, [
        "listener rule dev-from-cdn forwards plain HTTP without an httpHeader condition: " +
          "require the secret origin header CloudFront sends, so only CloudFront reaches the " +
          "service over HTTP.",
      ]);
    });

    it("3: reports an HTTP listener that does not redirect once the stack has a certificate", async () => {
      const found = await violations(policy, "dev", (resources) => {
        addBeside(resources, find(resources, loadBalancer), certificate, "cert", {
          domainName: "example.com",
          validationMethod: "DNS",
        });
      });
      assert.equal(found.length, 1);
      assert.match(found[0], /^HTTP listener dev-http does not redirect to HTTPS/);
    });

    it("passes the program's certificate-less listener (403 by default, forward on the header)", async () => {
      assert.deepEqual(await violations(policy, "dev"), []);
    });

    it("passes an HTTP listener that redirects to HTTPS", async () => {
      const found = await violations(policy, "dev", (resources) => {
        addBeside(resources, find(resources, loadBalancer), certificate, "cert", {
          domainName: "example.com",
        });
        set(find(resources, listener, "-http"), "defaultActions", [
          {
            type: "redirect",
            redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
          },
        ]);
      });
      assert.deepEqual(found, []);
    });
  });

  const balancerCase = (policy: string, key: string, value: unknown, message: string) =>
    describe(policy, () => {
      it(`1: reports ${key} = ${JSON.stringify(value)}`, async () => {
        const found = await violations(policy, "prod", (resources) =>
          set(find(resources, loadBalancer), key, value),
        );
        assert.deepEqual(found, [message]);
      });

      it("passes the program's load balancer", async () => {
        assert.deepEqual(await violations(policy, "prod"), []);
      });
    });

  balancerCase(
    "elb-drop-invalid-header-fields",
    "dropInvalidHeaderFields",
    false,
    "dropInvalidHeaderFields is not true: set dropInvalidHeaderFields: true so the load " +
      "balancer drops headers that are not valid HTTP (request smuggling, header injection).",
  );
  balancerCase(
    "elb-desync-mitigation",
    "desyncMitigationMode",
    "monitor",
    'desyncMitigationMode is "monitor", which lets ambiguous requests through: set it to ' +
      '"strictest" (or "defensive").',
  );
  balancerCase(
    "elb-access-logs",
    "accessLogs",
    { bucket: "logs", enabled: false },
    "access logs are off: set accessLogs: { bucket: <a private log bucket with an expiry>, " +
      "enabled: true }.",
  );
  balancerCase(
    "elb-deletion-protection",
    "enableDeletionProtection",
    false,
    "deletion protection is off: set enableDeletionProtection: true (config " +
      "deletionProtection), so a mistaken destroy cannot take the entry point down.",
  );

  it("elb-drop-invalid-header-fields reports the field left unset (AWS's default is false)", async () => {
    const found = await violations("elb-drop-invalid-header-fields", "prod", (resources) =>
      set(find(resources, loadBalancer), "dropInvalidHeaderFields", undefined),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /^dropInvalidHeaderFields is not true/);
  });

  it("elb-desync-mitigation passes AWS's default (defensive) when the mode is unset", async () => {
    const found = await violations("elb-desync-mitigation", "staging", (resources) =>
      set(find(resources, loadBalancer), "desyncMitigationMode", undefined),
    );
    assert.deepEqual(found, []);
  });

  it("elb-deletion-protection is advisory in staging, which the program leaves unprotected", async () => {
    const found = (await diagnostics("staging")).filter(
      (d) => d.policy === "elb-deletion-protection",
    );
    assert.deepEqual(
      found.map((d) => d.level),
      ["advisory"],
    );
  });

  describe("elb-target-group-health-check", () => {
    const policy = "elb-target-group-health-check";
    const targetGroup = "aws:lb/targetGroup:TargetGroup";

    it("1: reports a target group whose health check is off", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, targetGroup), "healthCheck", { enabled: false }),
      );
      assert.deepEqual(found, [
        "the target group has no health check of its own: set healthCheck with the service's " +
          "readiness path (e.g. /readyz), matcher, interval and thresholds.",
      ]);
    });

    it("2: reports an HTTP health check without a path", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, targetGroup), "healthCheck", { protocol: "HTTP", interval: 10 }),
      );
      assert.deepEqual(found, [
        "healthCheck.path is not set, so the load balancer probes '/': set it to the " +
          "service's readiness endpoint (e.g. /readyz).",
      ]);
    });

    const healthCheck = (change: Record<string, unknown>) => (resources: RegisteredResource[]) => {
      const group = find(resources, targetGroup);
      set(group, "healthCheck", { ...(group.inputs.healthCheck as object), ...change });
    };

    it("3: reports a health check set to the site's root", async () => {
      const found = await violations(policy, "prod", healthCheck({ path: "/" }));
      assert.deepEqual(found, [
        'healthCheck.path is "/", the site\'s root, not a readiness endpoint: set it to the ' +
          "service's readiness endpoint (e.g. /readyz).",
      ]);
    });

    it("4: reports a matcher that counts client and server errors as healthy", async () => {
      const found = await violations(policy, "staging", healthCheck({ matcher: "200,300-499" }));
      assert.deepEqual(found, [
        'healthCheck.matcher "200,300-499" counts 300-499 as healthy, so a target answering an ' +
          "error (404 for a missing route, 401, 500) stays in service: match only success codes " +
          '(e.g. "200").',
      ]);
    });

    it("passes a matcher of success codes (200-299, 200,204)", async () => {
      for (const matcher of ["200-299", "200,204"]) {
        assert.deepEqual(await violations(policy, "prod", healthCheck({ matcher })), [], matcher);
      }
    });

    it("passes the program's target group (probes /readyz)", async () => {
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });
});
