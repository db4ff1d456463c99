/**
 * Every mistake a newcomer can make with `preview:offline` and `gate:offline` ends in one line per
 * problem that names the file, key or flag and what is valid, exit code 1, and no stack trace.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../scripts/offline/harness";
import { npmRun } from "./npm-run";
import { packDir } from "../../scripts/offline/policy-config";
import { configKey } from "./stacks";
import { withFiles } from "./temp-files";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const packBuild = require(join(packDir, "build.cjs")) as { build(): void; isFresh(): boolean };

const stagingFile = () => readFileSync(join(repoRoot, "Pulumi.staging.yaml"), "utf8");

/** Runs the script and asserts it failed with exactly `lines` on stderr. */
async function failsWith(script: string, args: string[], lines: (string | RegExp)[]) {
  const { code, stderr } = await npmRun(script, ...args);
  assert.equal(code, 1, stderr);
  assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
  const got = stderr.trimEnd().split("\n");
  assert.equal(got.length, lines.length, stderr);
  lines.forEach((line, i) =>
    typeof line === "string" ? assert.equal(got[i], line) : assert.match(got[i], line),
  );
  return stderr;
}

describe("mistakes in the offline commands: one clear line each", function () {
  this.timeout(180_000);

  describe("config and stack files", () => {
    it("blames a -c value on the command line, in preview and gate alike", async () => {
      const line = `error: command line (-c): ${configKey("azCount")} must be 3, got "5"`;
      const args = ["--stack", "prod", "-c", `${configKey("azCount")}=5`];
      const preview = await failsWith("preview:offline", args, [line]);
      const gate = await failsWith("gate:offline", args, [line]);
      assert.equal(gate, preview);
    });

    it("names a stack file that does not exist, and the stacks that do", async () => {
      await failsWith(
        "preview:offline",
        ["--stack", "qa"],
        [
          "error: Pulumi.qa.yaml: file not found; the stacks here are dev, prod, staging " +
            "(to add one, start from a copy of Pulumi.staging.yaml)",
        ],
      );
    });

    it("the gate names a stack that does not exist and the stacks that do, as the preview does", async () => {
      const line =
        "error: Pulumi.stagin.yaml: file not found; the stacks here are dev, prod, staging " +
        "(to add one, start from a copy of Pulumi.staging.yaml)";
      await failsWith("gate:offline", ["--stack", "stagin"], [line]);
      await failsWith("preview:offline", ["--stack", "stagin"], [line]);
    });

    it("both commands: -c key value gets the key=value line to write; --help prints help, exit 0", async () => {
      for (const script of ["gate:offline", "preview:offline"]) {
        const bad = await npmRun(
          script,
          "--stack",
          "staging",
          "--config",
          configKey("azCount"),
          "3",
        );
        assert.equal(bad.code, 2);
        assert.match(
          bad.stderr,
          new RegExp(
            `^--config takes key=value in one argument: write --config ${configKey("azCount")}=3$`,
            "m",
          ),
        );
        const help = await npmRun(script, "--help");
        assert.equal(help.code, 0, help.stderr);
        assert.match(help.stdout, /^usage: npm run /m);
        assert.match(help.stdout, /^ +--stack, -s NAME/m);
      }
      const gateHelp = await npmRun("gate:offline", "-h");
      assert.match(gateHelp.stdout, /^ +--json-file FILE/m);
    });

    it("says an empty stack file is empty", async () => {
      await withFiles({ "Pulumi.qa.yaml": "" }, () =>
        failsWith(
          "gate:offline",
          ["--stack", "qa"],
          [
            'error: Pulumi.qa.yaml: the file is empty (no "config:" section); ' +
              "start from a copy of Pulumi.staging.yaml",
          ],
        ),
      );
    });

    it("gives invalid YAML as file, line and column", async () => {
      await withFiles(
        { "Pulumi.qa.yaml": "config:\n  aws:region: eu-west-1\n    owner: x\n" },
        () =>
          failsWith(
            "preview:offline",
            ["--stack", "qa"],
            [
              "error: Pulumi.qa.yaml:2:15: invalid YAML: Nested mappings are not allowed in compact mappings",
            ],
          ),
      );
    });

    it("rejects a misspelt region, suggesting the right one", async () => {
      await failsWith(
        "preview:offline",
        ["--stack", "staging", "-c", "aws:region=eu-wst-1"],
        [
          "error: command line (-c): aws:region must be a region the AWS provider knows, " +
            'such as eu-west-1, got "eu-wst-1"; did you mean eu-west-1?',
        ],
      );
    });

    it("shows the stack trace with --verbose", async () => {
      const { code, stderr } = await npmRun(
        "preview:offline",
        "--stack",
        "prod",
        "-c",
        `${configKey("azCount")}=5`,
        "--verbose",
      );
      assert.equal(code, 1);
      // Through the source map: the TypeScript line that threw, although the harness skips
      // mapping the SDK's own traces while the program runs.
      const throwing = readFileSync(join(repoRoot, "infra/config/load.ts"), "utf8")
        .split("\n")
        .findIndex((line) => line.includes("if (problems.length > 0) throw new ConfigError"));
      assert.match(
        stderr,
        new RegExp(`^\\s+at loadConfig \\(.*infra/config/load\\.ts:${throwing + 1}:`, "m"),
      );
    });
  });

  describe("policy config, checked before the program runs", () => {
    // The stack file is staging's under a stack name infra/config/ does not know: were the program
    // run before the policy config is checked, the error would be "not a known environment".
    const gateWith = (
      stack: string,
      policyConfig: string | undefined,
      lines: (string | RegExp)[],
    ) =>
      withFiles(
        {
          [`Pulumi.${stack}.yaml`]: stagingFile(),
          ...(policyConfig === undefined
            ? {}
            : { [`policies/config/${stack}.json`]: policyConfig }),
        },
        () => failsWith("gate:offline", ["--stack", stack], lines),
      );

    it("names the file, the misspelt policy and the nearest name; an unknown level and the valid ones; a wrongly typed value", async () => {
      await gateWith(
        "qa-1",
        JSON.stringify({
          "cloudwatch-log-retention": { minimumDays: 30 },
          "ec2-vpc-flow-logs": { enforcementLevel: "strict" },
          "cloudwatch-log-group-retention": { minimumDays: "thirty" },
        }),
        [
          'error: policies/config/qa-1.json: "cloudwatch-log-retention" is not a policy of the pack ' +
            "(the Pulumi CLI would silently ignore it); " +
            'did you mean "cloudwatch-log-group-retention"?',
          'error: policies/config/qa-1.json: ec2-vpc-flow-logs.enforcementLevel "strict" is not an ' +
            "enforcement level; valid: advisory, mandatory, remediate, disabled",
          "error: policies/config/qa-1.json: cloudwatch-log-group-retention.minimumDays must be " +
            'integer, got "thirty"',
        ],
      );
    });

    it("gives broken JSON as file, line and column", async () => {
      await gateWith("qa-2", '{\n  "tagging-required-tags": {\n    "tags": ["owner",]\n  }\n}\n', [
        'error: policies/config/qa-2.json:3:22: invalid JSON: unexpected "]"',
      ]);
    });

    it("names a missing policy config file", async () => {
      await gateWith("qa-3", undefined, [
        "error: policies/config/qa-3.json: file not found; every stack needs one " +
          "(start from a copy of policies/config/staging.json)",
      ]);
    });
  });

  describe("the policy pack", () => {
    it("a policy that does not compile: the compiler's errors with file and line, not just that it failed", async () => {
      const file = "policies/lib/stack.ts";
      const source = readFileSync(join(repoRoot, file), "utf8");
      try {
        await withFiles({ [file]: `${source}export const broken: number = "a string";\n` }, () =>
          failsWith(
            "gate:offline",
            ["--stack", "staging"],
            [
              "error: compiling the policy pack failed:",
              /^error: lib\/stack\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'\.$/,
            ],
          ),
        );
        // tsc wrote the broken edit's output to dist/: with the edit undone, dist/ must not pass
        // for a build of the sources as they are again.
        assert.equal(packBuild.isFresh(), false);
      } finally {
        packBuild.build();
      }
      assert.equal(packBuild.isFresh(), true);
    });
  });
});
