import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../scripts/offline/harness";
import { exportPath, exportsDir } from "../../scripts/preview-offline";
import { npmRun } from "./npm-run";
import { stackRun } from "./stacks";

const preview = (...args: string[]) => npmRun("preview:offline", ...args);

describe("npm run preview:offline", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "preview-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints every resource by type and name, a stack count equal to the total, and the outputs", async () => {
    const { code, stdout } = await preview("--stack", "prod");
    assert.equal(code, 0);
    const run = await stackRun("prod");
    for (const r of run.resources) {
      assert.match(stdout, new RegExp(`^ *${escape(r.type)} {2}${escape(r.name)}( |$)`, "m"));
    }
    const lines = stdout.split("\n");
    assert.equal(lines.filter((l) => /NatGateway {2}prod-nat-\d$/.test(l)).length, 3);
    const stackCount = /^pulumi:pulumi:Stack {2}acme-prod {2}\((\d+) resources\)$/m.exec(stdout);
    const total = /^(\d+) resources$/m.exec(stdout);
    assert.ok(stackCount && total, stdout);
    assert.equal(stackCount[1], total[1]);
    assert.equal(Number(total[1]), run.resources.length);
    assert.match(stdout, /acme:network:Network {2}prod {2}\(\d+ resources\)/);
    assert.match(stdout, /vpcId: "vpc-[0-9a-f]{17}"/);
  });

  it("writes a relative --write-export under exports/, which git ignores", async () => {
    const file = join(repoRoot, "exports", "preview-test.json");
    try {
      const { code, stdout } = await preview(
        "--stack",
        "staging",
        "--write-export",
        "preview-test.json",
      );
      assert.equal(code, 0);
      assert.match(stdout, /Wrote exports\/preview-test\.json/);
      assert.ok(existsSync(file));
      // Exits 0 only when the path is ignored.
      execFileSync("git", ["check-ignore", "-q", file], { cwd: repoRoot });
    } finally {
      rmSync(file, { force: true });
    }
    const { code, stderr } = await preview("--stack", "staging", "--write-export", "../x.json");
    assert.equal(code, 2);
    assert.match(
      stderr,
      /--write-export: a relative path must stay under exports\/, got "\.\.\/x\.json"/,
    );
  });

  it("shows the database behind its proxy, the backups and the database endpoint a user needs", async () => {
    const { code, stdout } = await preview("--stack", "prod");
    assert.equal(code, 0);
    assert.match(stdout, /acme:database:Database {2}prod {2}\(\d+ resources\)/);
    assert.match(stdout, / aws:rds\/instance:Instance {2}prod-db$/m);
    assert.match(stdout, / aws:rds\/proxy:Proxy {2}prod-db$/m);
    assert.match(stdout, /acme:backup:Backup {2}prod {2}\(\d+ resources\)/);
    assert.equal(stdout.match(/ aws:backup\/vault:Vault {2}/g)?.length, 2);
    assert.match(
      stdout,
      /databaseEndpoint: "acme-prod\.proxy-[0-9a-z]+\.eu-west-1\.rds\.amazonaws\.com"/,
    );
  });

  it("writes a pulumi stack export (deployment v3) with parents and dependencies", async () => {
    const file = join(dir, "staging.json");
    const { code } = await preview("--stack", "staging", "--write-export", file);
    assert.equal(code, 0);
    const exported = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(exported.version, 3);
    const resources = exported.deployment.resources as Record<string, unknown>[];
    assert.equal(resources[0].type, "pulumi:pulumi:Stack");
    const urns = new Set(resources.map((r) => r.urn));
    // Staging's NAT is an instance (prod's are gateways).
    const nat = resources.find((r) => r.type === "aws:ec2/instance:Instance")!;
    assert.ok(urns.has(nat.parent), "parent is a resource in the export");
    assert.match(
      nat.provider as string,
      /^urn:pulumi:staging::acme::pulumi:providers:aws::aws::[0-9a-f-]{36}$/,
    );
    assert.ok((nat.dependencies as string[]).length >= 2);
    for (const dep of nat.dependencies as string[]) assert.ok(urns.has(dep));
    assert.ok((nat.inputs as object) && (nat.outputs as { id: string }).id.startsWith("i-"));

    // Every reference inside the export points at a resource of the export.
    const providerRefs = new Set(
      resources
        .filter((r) => (r.type as string).startsWith("pulumi:providers:"))
        .map((r) => `${r.urn}::${r.id}`),
    );
    for (const r of resources) {
      if (r.parent) assert.ok(urns.has(r.parent), `${r.urn} parent`);
      if (r.provider) assert.ok(providerRefs.has(r.provider as string), `${r.urn} provider`);
      for (const dep of (r.dependencies as string[] | undefined) ?? []) assert.ok(urns.has(dep));
      if (r.custom) assert.ok(r.id, `${r.urn} has an id`);
    }
  });

  it("keeps a relative export path inside exports/, and takes an absolute one as given", () => {
    assert.equal(exportPath("prod/a.json"), join(exportsDir, "prod", "a.json"));
    assert.equal(exportPath("/tmp/a.json"), "/tmp/a.json");
    for (const outside of ["..", "../a.json", "a/../../b.json", "."]) {
      assert.equal(exportPath(outside), undefined, outside);
    }
  });

  it("exits non-zero with the config error on bad config, declaring nothing", async () => {
    const { code, stderr, stdout } = await preview(
      "--stack",
      "prod",
      "-c",
      "acme:desiredCount=two",
    );
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^error: command line \(-c\): acme:desiredCount must be an integer >= 2, got "two"$/m,
    );
    assert.doesNotMatch(stdout, /aws:ec2/);
  });

  it("rejects a missing --stack with usage", async () => {
    const { code, stderr } = await preview();
    assert.equal(code, 2);
    assert.match(stderr, /--stack is required/);
  });

  it("shows the image, load balancer, service and CDN, and the outputs a user needs to reach them", async () => {
    const { code, stdout } = await preview("--stack", "prod");
    assert.equal(code, 0);
    assert.match(stdout, /acme:registry:Registry {2}prod {2}\(\d+ resources\)/);
    assert.match(stdout, /docker-build:index:Image {2}prod-image\n/);
    assert.match(stdout, /acme:loadBalancer:LoadBalancer {2}prod {2}\(\d+ resources\)/);
    assert.match(stdout, /aws:lb\/loadBalancer:LoadBalancer {2}prod-alb\n/);
    assert.match(stdout, /acme:service:Service {2}prod {2}\(\d+ resources\)/);
    assert.match(stdout, /aws:ecs\/service:Service {2}prod-service\n/);
    assert.match(stdout, /acme:cdn:Cdn {2}prod {2}\(\d+ resources\)/);
    assert.match(stdout, /aws:cloudfront\/distribution:Distribution {2}prod-cdn\n/);
    assert.match(stdout, /aws:wafv2\/webAcl:WebAcl {2}prod-waf\n/);
    assert.match(stdout, /pulumi:providers:aws {2}aws-us-east-1\n/);
    // Prod runs on its (placeholder) domain, through the CDN.
    assert.match(stdout, /serviceUrl: "https:\/\/app\.example\.com"/);
    assert.match(stdout, /distributionId: "E[0-9A-F]{13}"/);
    assert.match(stdout, /distributionDomainName: "d[0-9a-f]{13}\.cloudfront\.net"/);
    assert.match(stdout, /staticBucketName: "prod-static-[0-9a-f]{7}"/);
    assert.match(
      stdout,
      /webAclArn: "arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/acme-prod-cdn\/[0-9a-f-]{36}"/,
    );
    assert.match(
      stdout,
      /image: "\d{12}\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/prod-app-[0-9a-f]{7}@sha256:[0-9a-f]{64}"/,
    );
    assert.match(stdout, /clusterName: "prod-cluster-[0-9a-f]{7}"/);
    assert.match(stdout, /serviceName: "prod-service-[0-9a-f]{7}"/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\$]/g, "\\$&");
}
