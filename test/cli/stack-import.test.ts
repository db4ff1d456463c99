/**
 * The offline exports (`npm run preview:offline -- --write-export`) through the real CLI's
 * `pulumi stack import` and `pulumi stack export`, against a local file backend.
 */
import { version as sdkVersion } from "@pulumi/pulumi/version";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { environments } from "../../infra/config";
import { npmRun } from "../infra/npm-run";
import {
  buildTimeout,
  pulumiBuild,
  readDeployment,
  Sandbox,
  withSecretsProvider,
  type Deployment,
} from "./cli";

/** A resource as `pulumi stack export` writes it back: empty `inputs` are left out (omitempty). */
const asExported = (resource: Record<string, unknown>) => {
  const { inputs, ...rest } = resource;
  return inputs && Object.keys(inputs).length > 0 ? { ...rest, inputs } : rest;
};

describe("pulumi stack import and export (the real CLI)", function () {
  this.timeout(5 * 60_000);
  let sandbox: Sandbox;
  before(function () {
    this.timeout(buildTimeout);
    pulumiBuild();
    sandbox = new Sandbox();
  });
  after(() => sandbox?.remove());

  it("`npm run pulumi` runs the CLI built at the SDK's version", async () => {
    const run = await npmRun("pulumi", "version");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), `v${sdkVersion}`);
    const bad = await npmRun("pulumi", "no-such-command");
    assert.notEqual(bad.code, 0, "the CLI's exit code is passed on");
  });

  const exports = new Map<string, Deployment>();
  const offlineExport = async (stack: string) => {
    if (!exports.has(stack)) {
      const file = join(sandbox.root, `${stack}.offline.json`);
      const preview = await npmRun("preview:offline", "--stack", stack, "--write-export", file);
      assert.equal(preview.code, 0, preview.stderr);
      exports.set(stack, readDeployment(file));
    }
    return exports.get(stack)!;
  };

  for (const stack of environments) {
    it(`${stack}: imports with the stack's secrets provider and exports back every resource unchanged`, async () => {
      const offline = await offlineExport(stack);
      const dir = sandbox.project(stack, ["Pulumi.yaml", `Pulumi.${stack}.yaml`]);
      await sandbox.ok(dir, "stack", "init", stack, "--secrets-provider", "passphrase");

      // As written offline, the secrets (random passwords, the origin secret) have no provider.
      assert.match(JSON.stringify(offline), /"plaintext":/);
      const file = join(dir, "offline.json");
      writeFileSync(file, JSON.stringify(offline));
      const bare = await sandbox.pulumi(dir, "stack", "import", "--stack", stack, "--file", file);
      assert.notEqual(bare.code, 0);
      assert.match(bare.stderr, /Panic: +attempt to encrypt value/);

      const importable = await withSecretsProvider(sandbox, dir, stack, offline);
      writeFileSync(file, JSON.stringify(importable));
      assert.match(
        await sandbox.ok(dir, "stack", "import", "--stack", stack, "--file", file),
        /Import complete/,
      );

      const back = JSON.parse(
        await sandbox.ok(dir, "stack", "export", "--stack", stack, "--show-secrets"),
      ) as Deployment;
      assert.equal(back.version, 3);
      // The time comes back as Go writes it (RFC 3339 with trailing zeros of the fraction cut:
      // .880Z becomes .88Z), the rest of the manifest as written.
      const { time, ...manifest } = back.deployment.manifest;
      const { time: writtenTime, ...writtenManifest } = offline.deployment.manifest;
      assert.equal(Date.parse(time as string), Date.parse(writtenTime as string));
      assert.deepEqual(manifest, writtenManifest);
      assert.deepEqual(back.deployment.secrets_providers, importable.deployment.secrets_providers);
      assert.deepEqual(back.deployment.resources, offline.deployment.resources!.map(asExported));

      // Without --show-secrets, every secret is stored and shown encrypted.
      const encrypted = await sandbox.ok(dir, "stack", "export", "--stack", stack);
      assert.doesNotMatch(encrypted, /"plaintext":/);
      assert.match(encrypted, /"ciphertext":/);
      const stackOutputs = await sandbox.ok(dir, "stack", "output", "--stack", stack, "--json");
      assert.ok(Object.keys(JSON.parse(stackOutputs)).length > 0, "the stack's outputs are read");
    });
  }

  it("refuses an export whose magic is not its version's", async () => {
    const offline = await offlineExport("dev");
    const dir = sandbox.project("magic", ["Pulumi.yaml", "Pulumi.dev.yaml"]);
    await sandbox.ok(dir, "stack", "init", "dev", "--secrets-provider", "passphrase");
    const importable = await withSecretsProvider(sandbox, dir, "dev", offline);
    const file = join(dir, "tampered.json");
    writeFileSync(
      file,
      JSON.stringify({
        ...importable,
        deployment: {
          ...importable.deployment,
          manifest: { ...importable.deployment.manifest, magic: "0".repeat(64) },
        },
      }),
    );
    const run = await sandbox.pulumi(dir, "stack", "import", "--stack", "dev", "--file", file);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /magic cookie mismatch; possible tampering\/corruption detected/);
  });

  it("refuses another stack's export", async () => {
    const offline = await offlineExport("dev");
    const dir = sandbox.project("other", ["Pulumi.yaml", "Pulumi.staging.yaml"]);
    await sandbox.ok(dir, "stack", "init", "staging", "--secrets-provider", "passphrase");
    const file = join(dir, "dev.json");
    writeFileSync(
      file,
      JSON.stringify(await withSecretsProvider(sandbox, dir, "staging", offline)),
    );
    const run = await sandbox.pulumi(dir, "stack", "import", "--stack", "staging", "--file", file);
    assert.notEqual(run.code, 0);
    assert.match(
      run.stderr,
      /resource 'urn:pulumi:dev::acme::pulumi:pulumi:Stack::acme-dev' is from a different stack \(dev != staging\)/,
    );
  });
});
