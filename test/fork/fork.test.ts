import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { projectName, stackConfig, stacksHere } from "../../scripts/offline/harness";
import { forkRepository, type Fork } from "./fork";
import { mochaCounts } from "../../scripts/test-all";

const exec = promisify(execFile);

/** Every value a fork changes first, none of them the starter's. */
const fork: Fork = {
  project: "harbor-notes",
  region: "ap-northeast-1",
  backupCopyRegion: "ap-southeast-1",
  accountIds: { dev: "210987654321", staging: "210987654322", prod: "210987654323" },
  owner: "harbor-team",
  costCenter: "cc-4242",
  alertEmail: "alerts@harbor.example.net",
  domainName: "www.harbor.example.net",
  runbookBaseUrl: "https://github.com/harbor/harbor-notes/blob/main/docs/runbooks",
};

/**
 * The suites that run the program for each stack and compare what it declares with the stack
 * files: names, regions, ARNs, accounts, tags, addresses, config errors. They share one program
 * run per stack, so the copy pays for three runs and the few runs with changed config. Left
 * out, because nothing in them depends on the stack files' values or they are covered elsewhere:
 * the suites that start `npm run preview:offline`/`gate:offline` as processes (the `pulumi new`
 * test runs both in a renamed project), and the regions suite, which sets its own regions.
 */
const programSuites = [
  "backup",
  "cdn",
  "config",
  "dashboard",
  "database",
  "export",
  "load-balancer",
  "mocks",
  "monitoring",
  "network",
  "registry",
  "service",
  "tagging",
]
  .map((name) => `test/infra/${name}.test.ts`)
  // The pre-deploy checks read the fork's account, region and addresses too.
  .concat("test/scripts/preflight.test.ts");

describe("a fork's first commit: renamed, another region, account and addresses", function () {
  // One mocha process running the program suites: a minute alone, more on a shared machine.
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = forkRepository(mkdtempSync(join(tmpdir(), "fork-")), fork);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the copy holds the fork's values, not the starter's", () => {
    const yaml = (file: string) => parse(readFileSync(join(dir, file), "utf8"));
    assert.equal(yaml("Pulumi.yaml").name, fork.project);
    assert.notEqual(projectName(), fork.project);
    for (const stack of stacksHere()) {
      const { config } = yaml(`Pulumi.${stack}.yaml`);
      assert.deepEqual(
        [config["aws:region"], config.accountId],
        [fork.region, fork.accountIds[stack]],
      );
      assert.notEqual(stackConfig(stack).config["aws:region"], fork.region);
    }
  });

  it("passes the program's suites", async () => {
    const mocha = join(dir, "node_modules", "mocha", "bin", "mocha.js");
    const args = ["--no-config", "--require", "./scripts/register.cjs", "--extension", "ts"];
    let output: string;
    try {
      const done = await exec(
        process.execPath,
        [mocha, ...args, "--timeout", "300000", "--reporter", "dot", ...programSuites],
        { cwd: dir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } },
      );
      output = done.stdout;
    } catch (err) {
      const e = err as { stdout: string; stderr: string };
      assert.fail(`the suites failed in the fork:\n${e.stdout}${e.stderr}`);
    }
    const { passing, failing } = mochaCounts(output);
    assert.equal(failing, 0, output);
    assert.ok(passing > 200, `passing: ${passing}`);
  });
});
