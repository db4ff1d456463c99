/**
 * The pack as `pulumi policy publish` ships it and Pulumi Cloud (or a CLI enforcing a published
 * pack) installs it, started as the CLI starts an analyzer, must list its policies:
 *
 * - publish packs the directory with `npm pack --loglevel=error` (pulumi/pulumi v3.248.0,
 *   sdk/nodejs/npm/npm.go:143, called from pkg/backend/httpstate/policypack.go:432), so only
 *   package.json `files` (and package.json itself) travel;
 * - installing extracts the tarball's `package/` and runs the language host's dependency install,
 *   a plain `npm install` (pkg/backend/httpstate/policypack.go:499-567): no build, no TypeScript;
 * - the analyzer is @pulumi/pulumi's `cmd/run-policy-pack <engine> .` from the pack's own
 *   node_modules, in the pack's directory (sdk/go/common/resource/plugin/analyzer_plugin.go:176-185),
 *   which registers ts-node (the vendored 7.0.1 with TypeScript 3.8 when the pack has none) with
 *   the pack's tsconfig.json, if it ships one.
 *
 * The install asks the registry only for package metadata: the tarballs come from npm's cache,
 * which `npm ci` filled (`--prefer-offline`).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProgram } from "../../scripts/offline/harness";
import { packDir, stackPolicyConfig } from "../../scripts/offline/policy-config";
import { AnalyzerHost, type Diagnostic } from "../../scripts/offline/policy-host";
import { gate } from "./gate";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

describe("the published pack", function () {
  // npm pack compiles the pack (prepack); npm install fetches metadata for a few hundred packages.
  this.timeout(600_000);

  let work: string;
  let files: string[];
  let installed: string;

  before(() => {
    work = mkdtempSync(join(tmpdir(), "published-pack-"));
    // The CLI takes the whole of standard output as the tarball's name (npm.go:157).
    const tarball = execFileSync(npm, ["pack", "--loglevel=error", "--pack-destination", work], {
      cwd: packDir,
      encoding: "utf8",
    }).trim();
    files = execFileSync("tar", ["-tzf", join(work, tarball)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ""));
    installed = join(work, "acme-quality-gate");
    mkdirSync(installed);
    execFileSync("tar", ["-xzf", join(work, tarball), "-C", installed, "--strip-components=1"]);
    execFileSync(
      npm,
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
      { cwd: installed, stdio: ["ignore", "ignore", "pipe"] },
    );
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it("ships the compiled pack, its manifest and no settings that extend a file outside it", () => {
    for (const file of ["package.json", "PulumiPolicy.yaml", "main.cjs", "dist/index.js"]) {
      assert.ok(files.includes(file), `${file} is not in the tarball: ${files.join(", ")}`);
    }
    // A tsconfig.json here would be read by the host's ts-node; this one extends
    // ../tsconfig.base.json, which no installed pack has.
    assert.deepEqual(
      files.filter((f) => /(^|\/)tsconfig[^/]*\.json$/.test(f) || f.endsWith(".ts")),
      files.filter((f) => f.endsWith(".d.ts")),
    );
    assert.ok(!existsSync(join(installed, "index.ts")));
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    assert.equal(manifest.main, "main.cjs");
  });

  it("starts under the CLI's policy host and lists the same policies as the source pack", async () => {
    const host = await AnalyzerHost.startInstalled(installed);
    try {
      const published = await host.pack();
      assert.equal(published.name, "acme-quality-gate");
      const source = await gate().pack();
      assert.equal(published.version, source.version);
      assert.deepEqual(published.policies, source.policies);
      assert.ok(published.policies.length > 50);
    } finally {
      await host.stop();
    }
  });

  // Installed without the project's patch of @pulumi/policy (patches/, applied by the root's
  // postinstall): the same verdicts, including on a stack with violations.
  it("judges a stack as the source pack does", async () => {
    const { resources } = await runProgram("staging");
    // Staging's deletion protection and Multi-AZ are advisory there: the run has diagnostics.
    const config = stackPolicyConfig("staging");
    const sorted = (ds: Diagnostic[]) =>
      ds.map((d) => JSON.stringify(d)).sort((a, b) => a.localeCompare(b));
    const host = await AnalyzerHost.startInstalled(installed);
    try {
      await host.configure(config);
      const published = await host.analyze(resources);
      await gate().configure(config);
      const source = await gate().analyze(resources);
      assert.ok(source.length > 0);
      assert.deepEqual(sorted(published), sorted(source));
    } finally {
      await host.stop();
    }
  });
});
