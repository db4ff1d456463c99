import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../scripts/offline/harness";
import { npmRun } from "./npm-run";
import { configKey, project, regionOfStack, setting, stackRun } from "./stacks";

const preview = (...args: string[]) => npmRun("preview:offline", ...args);

/** `npm run` started in `cwd`, outside the repository, as a user in another directory would. */
function npmFrom(cwd: string, script: string, ...args: string[]) {
  try {
    const stdout = execFileSync("npm", ["--prefix", repoRoot, "run", "-s", script, "--", ...args], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return Promise.resolve({ code: 0, stdout, stderr: "" });
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return Promise.resolve({ code: e.status, stdout: e.stdout, stderr: e.stderr });
  }
}

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
    const stackCount = new RegExp(
      `^pulumi:pulumi:Stack {2}${project}-prod {2}\\((\\d+) resources\\)$`,
      "m",
    ).exec(stdout);
    const total = /^(\d+) resources$/m.exec(stdout);
    assert.ok(stackCount && total, stdout);
    assert.equal(stackCount[1], total[1]);
    assert.equal(Number(total[1]), run.resources.length);
    assert.match(stdout, /acme:network:Network {2}prod {2}\(\d+ resources\)/);
    assert.match(stdout, /vpcId: "vpc-[0-9a-f]{17}"/);
  });

  it("writes --write-export relative to where npm was started, as --export reads it", async () => {
    // Under exports/ when started in the repository, which git ignores.
    const inRepo = join(repoRoot, "exports", "preview-test.json");
    try {
      const { code, stdout } = await preview(
        "--stack",
        "staging",
        "--write-export",
        "exports/preview-test.json",
      );
      assert.equal(code, 0);
      assert.match(stdout, /Wrote exports\/preview-test\.json/);
      execFileSync("git", ["check-ignore", "-q", inRepo], { cwd: repoRoot });
    } finally {
      rmSync(inRepo, { force: true });
    }
    // Started elsewhere: the file is there, and the gate's --export finds it by the same name.
    const { code, stdout } = await npmFrom(
      dir,
      "preview:offline",
      "--stack",
      "staging",
      "--write-export",
      "st.json",
    );
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^Wrote st\.json \(deployment v3\)$/m);
    assert.ok(existsSync(join(dir, "st.json")));
    assert.ok(!existsSync(join(repoRoot, "exports", "st.json")), "written under exports/");
    const gate = await npmFrom(dir, "gate:offline", "--export", "st.json");
    assert.equal(gate.code, 0, gate.stdout + gate.stderr);
  });

  it("--diff: nothing changed against its own export; a config change input by input", async () => {
    const file = join(dir, "diff-base.json");
    assert.equal((await preview("--stack", "staging", "--write-export", file)).code, 0);
    const unchanged = await preview("--stack", "staging", "--diff", file);
    assert.equal(unchanged.code, 0, unchanged.stderr);
    // Every resource of the export, unchanged.
    const exported = JSON.parse(readFileSync(file, "utf8")).deployment.resources.length;
    assert.match(
      unchanged.stdout,
      new RegExp(`^0 to create, 0 to update, 0 to delete, ${exported} unchanged$`, "m"),
    );
    const changed = await preview(
      "--stack",
      "staging",
      "-c",
      `${configKey("albLogRetentionDays")}=60`,
      "-c",
      `${configKey("azCount")}=3`,
      "--diff",
      file,
    );
    assert.equal(changed.code, 0, changed.stderr);
    const out = changed.stdout.slice(changed.stdout.indexOf("Changes from"));
    assert.match(
      out,
      /^~ aws:s3\/bucketLifecycleConfiguration:BucketLifecycleConfiguration {2}staging-access-logs\n {4}~ rules\[0\]\.expiration\.days: 30 => 60$/m,
    );
    assert.match(out, /^\+ aws:ec2\/subnet:Subnet {2}staging-public-3$/m);
    assert.match(
      out,
      /^~ aws:lb\/loadBalancer:LoadBalancer {2}staging-alb\n {4}\+ subnets\[2\]: "subnet-[0-9a-f]{17}"$/m,
    );
    assert.match(out, /^7 to create, \d+ to update, 0 to delete, \d+ unchanged$/m);
    const missing = await preview("--stack", "staging", "--diff", "nope.json");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: nope\.json: file not found/m);
  });

  it("--details: each resource's main inputs under it, tags left out, secrets hidden", async () => {
    const { code, stdout } = await preview("--stack", "staging", "--details");
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^ {4}aws:kms\/key:Key {2}staging-alerts\n {8}deletionWindowInDays: 30\n/m,
    );
    assert.match(stdout, /^ +enableKeyRotation: true$/m);
    assert.doesNotMatch(stdout, /^ +tags(All)?: /m);
    assert.match(stdout, /^ +length: 64$|"\[secret\]"/m);
    const plain = await preview("--stack", "staging");
    assert.doesNotMatch(plain.stdout, /deletionWindowInDays/);
  });

  it("--help: what it does and every option, exit 0", async () => {
    for (const flag of ["--help", "-h"]) {
      const { code, stdout } = await preview(flag);
      assert.equal(code, 0);
      for (const option of ["--stack", "--config", "--details", "--diff", "--write-export"]) {
        assert.match(stdout, new RegExp(`^ +${option}\\b`, "m"), option);
      }
    }
  });

  it("-c key value (a space for the =): the line to write instead", async () => {
    const { code, stderr } = await preview("--stack", "staging", "-c", "aws:region", "eu-north-1");
    assert.equal(code, 2);
    assert.match(stderr, /^-c takes key=value in one argument: write -c aws:region=eu-north-1$/m);
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
      new RegExp(
        `databaseEndpoint: "${project}-prod\\.proxy-[0-9a-z]+\\.${regionOfStack("prod")}\\.rds\\.amazonaws\\.com"`,
      ),
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
      new RegExp(`^urn:pulumi:staging::${project}::pulumi:providers:aws::aws::[0-9a-f-]{36}$`),
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

  it("exits non-zero with the config error on bad config, declaring nothing", async () => {
    const { code, stderr, stdout } = await preview(
      "--stack",
      "prod",
      "-c",
      `${configKey("desiredCount")}=two`,
    );
    assert.equal(code, 1);
    assert.match(
      stderr,
      new RegExp(
        `^error: command line \\(-c\\): ${configKey("desiredCount")} must be an integer >= 2, got "two"$`,
        "m",
      ),
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
    assert.match(
      stdout,
      new RegExp(`serviceUrl: "https://${escape(setting("prod", "domainName"))}"`),
    );
    assert.match(stdout, /distributionId: "E[0-9A-F]{13}"/);
    assert.match(stdout, /distributionDomainName: "d[0-9a-f]{13}\.cloudfront\.net"/);
    assert.match(stdout, /staticBucketName: "prod-static-[0-9a-f]{7}"/);
    assert.match(
      stdout,
      new RegExp(
        `webAclArn: "arn:aws:wafv2:us-east-1:\\d{12}:global/webacl/${project}-prod-cdn/[0-9a-f-]{36}"`,
      ),
    );
    assert.match(
      stdout,
      new RegExp(
        `image: "\\d{12}\\.dkr\\.ecr\\.${regionOfStack("prod")}\\.amazonaws\\.com/prod-app-[0-9a-f]{7}@sha256:[0-9a-f]{64}"`,
      ),
    );
    assert.match(stdout, /clusterName: "prod-cluster-[0-9a-f]{7}"/);
    assert.match(stdout, /serviceName: "prod-service-[0-9a-f]{7}"/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\$]/g, "\\$&");
}
