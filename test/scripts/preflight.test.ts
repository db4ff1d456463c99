import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { repoRoot } from "../../scripts/offline/harness";
import { main, preflight, readStack, type Check, type StackSource } from "../../scripts/preflight";
import { npmRun } from "../infra/npm-run";
import { configKey, regionOfStack, setting } from "../infra/stacks";
import { withFiles } from "../infra/temp-files";

/** The committed stack file with `changes` applied (project keys without namespace). */
function stack(name: string, changes: Record<string, string | undefined> = {}): StackSource {
  const source = readStack(name);
  for (const [key, value] of Object.entries(changes)) {
    const full = key.includes(":") ? key : `${source.project}:${key}`;
    if (value === undefined) delete source.config[full];
    else source.config[full] = value;
  }
  return source;
}

/** What a team sets before its first production deploy. */
const configured = {
  accountId: "493817265012",
  alertEmail: "oncall@acme-corp.io",
  domainName: "app.acme-corp.io",
  owner: "payments-team",
  costCenter: "cc-4711",
};

/**
 * What the starter ships before a fork sets its own: an example account and addresses. A fork's
 * own stack files have replaced them, so the tests put them back rather than expect them.
 */
const placeholders = {
  accountId: "222222222222",
  alertEmail: "oncall@example.com",
  domainName: "app.example.com",
  hostedZoneName: undefined,
};

const failed = (checks: Check[]) =>
  checks.filter((c) => !c.ok && c.required).map((c) => `${c.name}: ${c.detail}`);
const byName = (checks: Check[], name: string) => checks.find((c) => c.name === name)!;

describe("preflight", () => {
  it("passes a prod stack that is configured for real", () => {
    const checks = preflight(stack("prod", configured));
    assert.deepEqual(failed(checks), []);
    // Only the paging service, which a secret sets and this file cannot, is left to warn about.
    assert.deepEqual(
      checks.filter((c) => !c.ok).map((c) => c.name),
      ["paging"],
    );
    assert.ok(
      byName(checks, "off-site backups").detail.includes(
        `${regionOfStack("prod")} to ${setting("prod", "backupCopyRegion")}`,
      ),
    );
  });

  it("lists the starter's placeholders: account, alert address, example domain", () => {
    assert.deepEqual(
      failed(preflight(stack("prod", placeholders))).map((f) => f.split(":")[0]),
      ["AWS account", "alert subscription", "DNS and certificate"],
    );
  });

  it("requires a domain outside dev; a reserved example domain fails anywhere", () => {
    const dev = preflight(stack("dev", configured));
    assert.deepEqual(failed(dev), []);
    assert.equal(byName(dev, "DNS and certificate").ok, true);
    const devWithout = preflight(stack("dev", { ...configured, domainName: undefined }));
    assert.deepEqual(failed(devWithout), []);
    assert.equal(byName(devWithout, "DNS and certificate").ok, false);
    const staging = preflight(
      stack("staging", { ...configured, domainName: undefined, hostedZoneName: undefined }),
    );
    assert.match(
      failed(staging).join("\n"),
      new RegExp(`configuration: .*${configKey("domainName")} is required in staging`),
    );
    const example = preflight(stack("staging", { ...configured, hostedZoneName: undefined }));
    assert.deepEqual(failed(example), []);
    const placeholder = preflight(
      stack("staging", {
        ...configured,
        domainName: "staging.app.example.com",
        hostedZoneName: undefined,
      }),
    );
    assert.match(failed(placeholder).join("\n"), /DNS and certificate: .*staging.app.example.com/);
  });

  it("detects placeholder accounts, including AWS's documentation example", () => {
    for (const accountId of ["111111111111", "123456789012", "000000000000"]) {
      const checks = preflight(stack("prod", { ...configured, accountId }));
      assert.match(
        failed(checks).join("\n"),
        new RegExp(`accountId ${accountId} is a placeholder`),
      );
    }
  });

  it("reports the config loader's problems by key and skips the checks that need a valid config", () => {
    const checks = preflight(stack("prod", { ...configured, backupCopyRegion: undefined }));
    assert.deepEqual(failed(checks), [
      `configuration: ${configKey("backupCopyRegion")} is required in prod: an AWS region other than aws:region, such as eu-central-1`,
      "the remaining checks: not run: fix the configuration first",
    ]);
  });

  it("fails a secret that was declared but never set, and a secret in plain text", () => {
    const source = stack("prod", { ...configured, "datadog:apiKey": "0123456789abcdef" });
    source.secureValues[configKey("webhookToken")] = "";
    const problems = failed(preflight(source)).join("\n");
    assert.ok(
      problems.includes(`secrets set: no value for ${configKey("webhookToken")}`),
      problems,
    );
    assert.match(problems, /no secret in plain text: datadog:apiKey stored in plain text/);
  });

  it("rejects a missing, unknown or malformed argument as a usage error", async () => {
    await assert.rejects(main([]), { name: "UsageError", message: "--stack is required" });
    await assert.rejects(main(["--stak", "prod"]), /Unknown option '--stak'/);
    await assert.rejects(main(["--stack", "../etc"]), /--stack must be a stack name/);
    await assert.rejects(main(["--stack", "nope"]), /Pulumi.nope.yaml: file not found/);
  });

  it("exits 1 listing what is missing, 2 for a bad argument, 0 for --help", async function () {
    this.timeout(120000);
    // A copy of prod with the starter's placeholders, as a fork's first commit has them.
    const prodFile = parseDocument(readFileSync(join(repoRoot, "Pulumi.prod.yaml"), "utf8"));
    for (const [key, value] of Object.entries({ ...placeholders, environment: "prod" })) {
      if (value === undefined) prodFile.deleteIn(["config", key]);
      else prodFile.setIn(["config", key], value);
    }
    const prod = await withFiles({ "Pulumi.placeholders.yaml": prodFile.toString() }, () =>
      npmRun("preflight", "--stack", "placeholders"),
    );
    assert.equal(prod.code, 1, prod.stdout + prod.stderr);
    assert.ok(
      prod.stdout.includes(
        `FAIL  AWS account: ${configKey("accountId")} 222222222222 is a placeholder`,
      ),
      prod.stdout,
    );
    assert.match(prod.stdout, /3 required check\(s\) failed/);
    const bad = await npmRun("preflight", "--stack");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: Option '-s, --stack <value>' argument missing\n/);
    const help = await npmRun("preflight", "--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: npm run preflight -- --stack NAME/);
  });
});
