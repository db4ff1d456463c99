import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { npmRun } from "./npm-run";

const preview = (...args: string[]) => npmRun("preview:offline", ...args);

describe("npm run preview:offline", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "preview-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints the network component's resources by type, and the stack outputs", async () => {
    const { code, stdout } = await preview("--stack", "prod");
    assert.equal(code, 0);
    assert.match(stdout, /acme:network:Network {2}prod {2}\(\d+ resources\)/);
    assert.match(stdout, / 3 x aws:ec2\/natGateway:NatGateway/);
    assert.match(stdout, / 9 x aws:ec2\/subnet:Subnet/);
    assert.match(stdout, /vpcId: "vpc-[0-9a-f]{17}"/);
  });

  it("shows the database behind its proxy, the backups and the database endpoint a user needs", async () => {
    const { code, stdout } = await preview("--stack", "prod");
    assert.equal(code, 0);
    assert.match(stdout, /acme:database:Database {2}prod {2}\(\d+ resources\)/);
    assert.match(stdout, / 1 x aws:rds\/instance:Instance/);
    assert.match(stdout, / 1 x aws:rds\/proxy:Proxy/);
    assert.match(stdout, /acme:backup:Backup {2}prod {2}\(\d+ resources\)/);
    assert.match(stdout, / 2 x aws:backup\/vault:Vault/);
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
    const nat = resources.find((r) => r.type === "aws:ec2/natGateway:NatGateway")!;
    assert.ok(urns.has(nat.parent), "parent is a resource in the export");
    assert.match(
      nat.provider as string,
      /^urn:pulumi:staging::acme::pulumi:providers:aws::aws::[0-9a-f-]{36}$/,
    );
    assert.ok((nat.dependencies as string[]).length >= 2);
    for (const dep of nat.dependencies as string[]) assert.ok(urns.has(dep));
    assert.ok((nat.inputs as object) && (nat.outputs as { id: string }).id.startsWith("nat-"));

    // Every reference inside the export points at a resource of the export.
    const providerRefs = new Set(
      resources.filter((r) => r.type === "pulumi:providers:aws").map((r) => `${r.urn}::${r.id}`),
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
      "acme:desiredCount=two",
    );
    assert.equal(code, 1);
    assert.match(
      stderr,
      /Pulumi\.prod\.yaml: acme:desiredCount must be an integer >= 2, got "two"/,
    );
    assert.doesNotMatch(stdout, /aws:ec2/);
  });

  it("exits non-zero for an unknown stack", async () => {
    const { code, stderr } = await preview("--stack", "qa");
    assert.equal(code, 1);
    assert.match(stderr, /Pulumi\.qa\.yaml: stack "qa" is not a known environment/);
  });

  it("rejects a missing --stack with usage", async () => {
    const { code, stderr } = await preview();
    assert.equal(code, 2);
    assert.match(stderr, /--stack is required/);
  });
});
