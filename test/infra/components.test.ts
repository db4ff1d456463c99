import * as aws from "@pulumi/aws";
import assert from "node:assert/strict";
import { Cdn, type CdnArgs } from "../../infra/cdn";
import { LoadBalancer, type LoadBalancerArgs } from "../../infra/load-balancer";
import { Registry } from "../../infra/registry";
import { Service, type ServiceArgs } from "../../infra/service";
import { declarationError } from "./declare-alone";

/** The container platform's components refuse arguments AWS (or the app) would trip over. */
describe("Registry, LoadBalancer and Service arguments", () => {
  it("Registry: refuses the `latest` tag and a non-positive image count", async () => {
    const registry = (imageTag: string, imagesKept?: number) =>
      declarationError(
        () =>
          new Registry("unit", { imageTag, imagesKept, context: ".", dockerfile: "Dockerfile" }),
      );
    assert.equal(
      await registry("latest"),
      'Registry unit: imageTag must name a commit, not "latest"',
    );
    assert.equal(
      await registry("abc123", 0),
      "Registry unit: imagesKept must be a positive integer",
    );
  });

  const loadBalancer = (args: Partial<LoadBalancerArgs>) =>
    declarationError(
      () =>
        new LoadBalancer("unit", {
          vpcId: "vpc-1",
          subnetIds: ["subnet-a", "subnet-b"],
          securityGroupId: "sg-alb",
          targetPort: 8080,
          healthCheckPath: "/readyz",
          ...args,
        }),
    );

  it("LoadBalancer: refuses a deregistration delay over 30 s and a single subnet", async () => {
    assert.equal(
      await loadBalancer({ deregistrationDelaySeconds: 60 }),
      "LoadBalancer unit: deregistrationDelaySeconds must be 0 to 30, got 60",
    );
    assert.equal(
      await loadBalancer({ subnetIds: ["subnet-a"] }),
      "LoadBalancer unit: an ALB needs subnets in at least two AZs",
    );
  });

  const service = (args: Partial<ServiceArgs>) =>
    declarationError(
      () =>
        new Service("unit", {
          subnetIds: ["subnet-a", "subnet-b"],
          securityGroupId: "sg-service",
          image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:0",
          repositoryArn: "arn:aws:ecr:eu-west-1:123456789012:repository/app",
          targetGroup: { arn: "arn:tg", arnSuffix: "targetgroup/tg/0" },
          loadBalancerArnSuffix: "app/alb/0",
          startAfter: [],
          ...args,
        }),
    );

  it("Service: refuses a maximum below the desired count, and a stop timeout the drain outlasts", async () => {
    assert.equal(
      await service({ desiredCount: 3, maxCount: 2 }),
      "Service unit: maxCount (2) must be >= desiredCount (3)",
    );
    assert.equal(
      await service({ shutdownGraceMs: 30000, stopTimeoutSeconds: 30 }),
      "Service unit: stopTimeoutSeconds must exceed shutdownGraceMs and be at most 120",
    );
  });
});

describe("Cdn arguments", () => {
  const cdn = (args: Partial<CdnArgs>) =>
    declarationError(
      () =>
        new Cdn("unit", {
          namePrefix: "acme-unit",
          originDomainName: "alb.example.com",
          originHttps: false,
          originHeader: { name: "X-Origin-Verify", value: "secret" },
          staticFiles: [
            { key: "index.html", contentType: "text/html", cacheControl: "no-cache", content: "" },
          ],
          assetsPrefix: "assets/",
          rootObject: "index.html",
          apiPaths: ["/api/*"],
          readinessPath: "/readyz",
          pageContentSecurityPolicy: "default-src 'self'",
          edgeProvider: new aws.Provider("edge", { region: "us-east-1" }),
          ...args,
        }),
    );

  it("refuses a file without exactly one of sourcePath and content, a missing page, a bad prefix", async () => {
    const file = { key: "index.html", contentType: "text/html", cacheControl: "no-cache" };
    assert.equal(
      await cdn({ staticFiles: [file] }),
      "Cdn unit: static file index.html needs sourcePath or content",
    );
    assert.equal(
      await cdn({ staticFiles: [{ ...file, content: "", sourcePath: "index.html" }] }),
      "Cdn unit: static file index.html needs sourcePath or content",
    );
    assert.equal(
      await cdn({ rootObject: "home.html" }),
      "Cdn unit: staticFiles has no home.html (rootObject)",
    );
    assert.equal(
      await cdn({ assetsPrefix: "/static" }),
      'Cdn unit: assetsPrefix must be a folder such as "assets/"',
    );
  });
});
