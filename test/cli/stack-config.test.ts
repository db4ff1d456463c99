/**
 * What the real CLI writes into a stack file the first time it touches it (`pulumi stack init`
 * with the passphrase provider) and on `pulumi config set`, in a copy of the repository, and
 * that the program's config loader (infra/config/, through the offline preview) still reads
 * the rewritten file. The CLI re-marshals the whole config map
 * (sdk/go/common/resource/config/map.go at v3.248.0), so the file changes shape:
 * - every project key gets the project's namespace (`acme:owner`), sorted after the keys that
 *   already had one;
 * - numbers and booleans become strings (`"2"`, `"false"`); objects stay objects;
 * - the comments on the renamed keys are gone (the header and the first key's comment stay);
 * - `encryptionsalt:` is added.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { npmRunIn } from "../infra/npm-run";
import { buildTimeout, copyRepository, pulumiBuild, Sandbox } from "./cli";

interface StackFile {
  config: Record<string, unknown>;
  encryptionsalt?: string;
}

/** The config as the CLI writes it back: namespaced, scalars as strings, objects as they were. */
function asRewritten(config: Record<string, unknown>, project: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key.includes(":") ? key : `${project}:${key}`,
      value !== null && typeof value === "object" ? value : String(value),
    ]),
  );
}

describe("pulumi stack init and config set on the stack files (the real CLI)", function () {
  this.timeout(5 * 60_000);
  let sandbox: Sandbox;
  let repo: string;
  const stackFile = () => join(repo, "Pulumi.staging.yaml");
  const read = () => readFileSync(stackFile(), "utf8");
  // A copy outside git tags the image with a hash of its files, which the CLI's rewrite changes.
  const preview = async () => {
    const run = await npmRunIn(repo, "preview:offline", "--stack", "staging", "-c", "imageTag=t");
    assert.equal(run.code, 0, `${run.stderr}${run.stdout}`);
    return run.stdout;
  };

  before(function () {
    this.timeout(buildTimeout);
    pulumiBuild();
    sandbox = new Sandbox();
    repo = copyRepository(join(sandbox.root, "repo"));
  });
  after(() => sandbox?.remove());

  it("stack init: the file is rewritten, and the program reads the same config from it", async () => {
    const before = await preview();
    const original = read();
    const shipped = parse(original) as StackFile;

    await sandbox.ok(repo, "stack", "init", "staging", "--secrets-provider", "passphrase");
    const text = read();
    const written = parse(text) as StackFile;

    assert.match(written.encryptionsalt ?? "", /^v1:/);
    assert.deepEqual(written.config, asRewritten(shipped.config, "acme"));
    const projectKeys = Object.keys(written.config).filter((k) => k.startsWith("acme:"));
    assert.deepEqual(projectKeys, [...projectKeys].sort(), "project keys sorted");
    assert.equal(typeof written.config["acme:azCount"], "string");

    const comments = (yaml: string) => yaml.match(/^\s*#.*$/gm) ?? [];
    const header = comments(original).filter((line) => !line.startsWith(" "));
    const kept = comments(text);
    assert.deepEqual(kept, [...header, comments(original).find((line) => line.startsWith(" "))]);
    assert.ok(comments(original).length > kept.length + 5, "the comments in the config are gone");

    assert.equal(await preview(), before, "the same resources and outputs");
  });

  it("config set: a value changed in place, a secret encrypted and added last, a path set inside an object", async () => {
    const before = parse(read()) as StackFile;
    await sandbox.ok(repo, "config", "set", "desiredCount", "2", "--stack", "staging");
    await sandbox.ok(
      repo,
      "config",
      "set",
      "--path",
      "features.newEditor",
      "false",
      "-s",
      "staging",
    );
    const url = "https://events.example.com/acme";
    await sandbox.ok(repo, "config", "set", "--secret", "pagingEndpoint", url, "-s", "staging");

    const written = parse(read()) as StackFile;
    assert.equal(written.config["acme:desiredCount"], "2");
    assert.deepEqual(written.config["acme:features"], { newEditor: false });
    assert.match(
      (written.config["acme:pagingEndpoint"] as { secure: string }).secure,
      /^v1:/,
      "stored encrypted",
    );
    assert.equal(Object.keys(written.config).at(-1), "acme:pagingEndpoint", "a new key goes last");
    assert.deepEqual(
      Object.keys(written.config).slice(0, -1),
      Object.keys(before.config),
      "the other keys keep their places",
    );
    assert.equal(
      (await sandbox.ok(repo, "config", "get", "pagingEndpoint", "-s", "staging")).trim(),
      url,
    );

    // The offline harness cannot decrypt a secret (the passphrase is the CLI's): it gives the
    // program the key's stand-in from infra/config/, marked secret, and says so.
    const run = await npmRunIn(repo, "preview:offline", "--stack", "staging");
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /acme:pagingEndpoint is encrypted in Pulumi\.staging\.yaml, out of reach offline: the program ran with its stand-in "https:\/\/paging\.invalid\/offline-stand-in", marked secret/,
    );
    await sandbox.ok(repo, "config", "rm", "pagingEndpoint", "-s", "staging");
    assert.match(await preview(), /^Stack acme\/staging /m);
  });

  it("a bad value set through the CLI is refused by the program's config loader", async () => {
    await sandbox.ok(repo, "config", "set", "desiredCount", "many", "--stack", "staging");
    const run = await npmRunIn(repo, "preview:offline", "--stack", "staging");
    assert.equal(run.code, 1);
    assert.match(run.stderr, /acme:desiredCount/);
  });
});
