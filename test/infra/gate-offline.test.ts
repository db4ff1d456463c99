/**
 * `gate:offline` over the program, spawned as a user runs it: the shipped stacks pass, deployed
 * and previewed; a change that breaks a policy fails it with the policy, the resource and the
 * line of infra/ that declared it, in text, JSON and SARIF; no pack process outlives it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv from "ajv-draft-04";
import type { Log } from "sarif";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { repoRoot, runProgram, type ProgramRun } from "../../scripts/offline/harness";
import { stackPolicyConfig } from "../../scripts/offline/policy-config";
import { AnalyzerHost } from "../../scripts/offline/policy-host";
import { buildReport, renderText, toSarif, type GateReport } from "../../scripts/offline/report";
import { isRunning, runGate } from "./gate-run";
import { npmRun } from "./npm-run";
import { configKey, one, project, stackRun } from "./stacks";
import { withFiles } from "./temp-files";

const flowLogsUrn = `urn:pulumi:staging::${project}::acme:network:Network$aws:cloudwatch/logGroup:LogGroup::staging-flow-logs`;
/** Keeps staging's flow logs 7 days, under the 30 its policy config requires. */
const shortRetention = ["--stack", "staging", "-c", `${configKey("flowLogRetentionDays")}=7`];

const report = (stdout: string) => JSON.parse(stdout) as GateReport;

/**
 * A gate run several tests read, started by the first that asks (a run costs seconds): the
 * same arguments give the same run.
 */
const shared = new Map<string, ReturnType<typeof runGate>>();
function sharedRun(args: string[], options: Parameters<typeof runGate>[1] = {}) {
  const key = JSON.stringify([args, options.initCwd]);
  if (!shared.has(key)) shared.set(key, runGate(args, options));
  return shared.get(key)!;
}

/** Where the violation's reports are written, relative to where the user ran npm. */
let reportsDir: string;
/** The staging stack with the short retention, reported as text, in a JSON file and in SARIF. */
const violationReports = () =>
  sharedRun([...shortRetention, "--json-file", "report.json", "--sarif", "out/gate.sarif"], {
    initCwd: reportsDir,
  });

describe("npm run gate:offline", function () {
  // Two processes (program and pack host) on machines shared with other test runs.
  this.timeout(300_000);
  before(() => (reportsDir = mkdtempSync(join(tmpdir(), "gate-reports-"))));
  after(() => rmSync(reportsDir, { recursive: true, force: true }));

  describe("the shipped stacks pass, as deployed and as previewed", () => {
    for (const stack of ["staging", "prod"]) {
      for (const preview of [false, true]) {
        it(`${stack}${preview ? " --preview" : ""}: exit 0, no violation`, async () => {
          const run = await sharedRun([
            "--stack",
            stack,
            "--json",
            ...(preview ? ["--preview"] : []),
          ]);
          assert.equal(run.code, 0, run.stderr);
          const { summary, subject, policyConfig, resourceCount } = report(run.stdout);
          assert.deepEqual(subject, { kind: "program", stack, preview });
          assert.equal(policyConfig, `policies/config/${stack}.json`);
          assert.ok(resourceCount > 90, `${resourceCount} resources`);
          assert.equal(summary.mandatory, 0);
          // Staging may keep its database and load balancer unprotected, single-AZ
          // (policies/config/staging.json); prod may not.
          assert.equal(summary.advisory, stack === "staging" ? 3 : 0);
          // A preview cannot read a task definition whose image digest is not built yet: the
          // SDK reports those policies as not checked, never as passed.
          if (!preview) assert.equal(summary.notChecked, 0);
        });
      }
    }
  });

  describe("a change that breaks a mandatory policy", () => {
    it("fails with the policy, the resource, its URN, the declaring line and the message", async () => {
      const run = await violationReports();
      assert.equal(run.code, 1, run.stderr);
      const line = declaringLine("infra/network.ts", "new aws.cloudwatch.LogGroup(");
      // The log group is made by a method the Network's constructor calls: that call is the chain.
      const call = declaringLine("infra/network.ts", "this.createFlowLogs();");
      const lines = run.stdout.split("\n");
      // Staging's allowed differences come first, as advisories (see policies/config/staging.json).
      const at = lines.indexOf(
        "MANDATORY  acme-quality-gate/cloudwatch-log-group-retention  (1 violation)",
      );
      assert.ok(at >= 0, run.stdout);
      assert.deepEqual(lines.slice(at, at + 6), [
        "MANDATORY  acme-quality-gate/cloudwatch-log-group-retention  (1 violation)",
        `  staging-flow-logs (aws:cloudwatch/logGroup:LogGroup)  infra/network.ts:${line}`,
        `    called from infra/network.ts:${call}`,
        `    ${flowLogsUrn}`,
        "    retentionInDays is 7: this environment requires at least 30.",
        "",
      ]);
      assert.match(
        run.stdout,
        /^\d+ resources checked against policies\/config\/staging\.json: 1 mandatory, 3 advisory violation\(s\)$/m,
      );
    });

    it("fails the same way under --preview (the retention is the program's, known before creation)", async () => {
      const run = await runGate([...shortRetention, "--preview", "--json"]);
      assert.equal(run.code, 1, run.stderr);
      assert.deepEqual(
        report(run.stdout)
          .violations.filter((v) => v.level === "mandatory")
          .map((v) => [v.policy, v.level, v.resource?.urn]),
        [["cloudwatch-log-group-retention", "mandatory", flowLogsUrn]],
      );
    });

    it("--json: the violation, the declaring line and the summary", async () => {
      const run = await sharedRun([...shortRetention, "--json"]);
      assert.equal(run.code, 1, run.stderr);
      const got = report(run.stdout);
      const mandatory = got.violations.filter((v) => v.level === "mandatory");
      assert.deepEqual(mandatory, [
        {
          pack: "acme-quality-gate",
          packVersion: "0.1.0",
          policy: "cloudwatch-log-group-retention",
          level: "mandatory",
          message: "retentionInDays is 7: this environment requires at least 30.",
          resource: {
            urn: flowLogsUrn,
            name: "staging-flow-logs",
            type: "aws:cloudwatch/logGroup:LogGroup",
          },
          location: {
            file: "infra/network.ts",
            line: declaringLine("infra/network.ts", "new aws.cloudwatch.LogGroup("),
            column: mandatory[0].location!.column,
          },
          calledFrom: [
            {
              file: "infra/network.ts",
              line: declaringLine("infra/network.ts", "this.createFlowLogs();"),
              column: mandatory[0].calledFrom![0].column,
            },
          ],
        },
      ]);
      assert.deepEqual(got.summary, { mandatory: 1, advisory: 3, notChecked: 0 });
      assert.equal(got.exitCode, 1);
    });

    it("--json-file: the same JSON report in a file where npm was started, the text on stdout", async () => {
      const run = await violationReports();
      assert.equal(run.code, 1, run.stderr);
      const got = report(readFileSync(join(reportsDir, "report.json"), "utf8"));
      assert.deepEqual(got.summary, { mandatory: 1, advisory: 3, notChecked: 0 });
      assert.equal(got.violations.find((v) => v.level === "mandatory")?.resource?.urn, flowLogsUrn);
      assert.match(run.stderr, /^Wrote report\.json \(JSON report\)$/m);
      assert.doesNotMatch(run.stdout, /^\{/, "the text report on stdout");
      assert.match(run.stdout, /cloudwatch-log-group-retention/);
    });

    it("--sarif: SARIF 2.1.0 valid against its schema, the result on the declaring line", async () => {
      // A relative path is taken from where the user ran npm.
      const run = await violationReports();
      assert.equal(run.code, 1, run.stderr);
      const sarif = JSON.parse(readFileSync(join(reportsDir, "out", "gate.sarif"), "utf8")) as Log;
      assert.deepEqual(sarifSchemaErrors(sarif), []);

      const [{ tool, results, automationDetails }] = sarif.runs;
      assert.equal(automationDetails?.id, "acme-quality-gate/program/staging/");
      const rules = tool.driver.rules!.map((r) => r.id);
      assert.ok(rules.includes("cloudwatch-log-group-retention"));
      // Mandatory violations are errors; staging's three advisories are warnings.
      const errors = results!.filter((r) => r.level === "error");
      assert.equal(errors.length, 1);
      assert.equal(results!.filter((r) => r.level === "warning").length, 3);
      const [result] = errors;
      assert.equal(result.ruleId, "cloudwatch-log-group-retention");
      assert.equal(rules[result.ruleIndex!], result.ruleId);
      assert.equal(result.level, "error");
      const call = declaringLine("infra/network.ts", "this.createFlowLogs();");
      assert.equal(
        result.message.text,
        "staging-flow-logs: retentionInDays is 7: this environment requires at least 30." +
          `\n\nDeclared through [infra/network.ts:${call}](1).`,
      );
      assert.deepEqual(
        result.relatedLocations!.map((r) => [
          r.id,
          r.physicalLocation!.artifactLocation!.uri,
          r.physicalLocation!.region!.startLine,
        ]),
        [[1, "infra/network.ts", call]],
      );
      const [location] = result.locations!;
      assert.equal(location.physicalLocation!.artifactLocation!.uri, "infra/network.ts");
      assert.equal(
        location.physicalLocation!.region!.startLine,
        declaringLine("infra/network.ts", "new aws.cloudwatch.LogGroup("),
      );
      assert.equal(location.logicalLocations![0].fullyQualifiedName, flowLogsUrn);
    });
  });

  describe("usage errors exit 2", () => {
    const cases: [string, string[], RegExp][] = [
      ["no stack and no export", [], /^--stack or --export is required$/m],
      ["an unknown flag", ["--stack", "prod", "--fast"], /Unknown option '--fast'/],
      ["-c with --export", ["--export", "x.json", "-c", "a=b"], /-c sets the program's config/],
      [
        "--preview with --export",
        ["--export", "x.json", "--preview"],
        /--preview runs the program/,
      ],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const run = await runGate(args);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, message);
        assert.match(run.stderr, /^usage: npm run gate:offline/m);
      });
    }
  });

  describe("no process left behind", () => {
    const assertPacksGone = (pids: number[]) => {
      assert.ok(pids.length > 0, "the pack host was seen running");
      for (const pid of pids) assert.ok(!isRunning(pid), `pack host ${pid} still running`);
    };

    it("on success", async () => {
      const run = await sharedRun(["--stack", "prod", "--json"]);
      assert.equal(run.code, 0, run.stderr);
      assertPacksGone(run.packPids);
    });

    it("on a violation", async () => {
      const run = await sharedRun([...shortRetention, "--json"]);
      assert.equal(run.code, 1, run.stderr);
      assertPacksGone(run.packPids);
    });

    it("on an error while the pack runs (the SARIF file cannot be written)", async () => {
      const run = await runGate(["--stack", "prod", "--sarif", "package.json/gate.sarif"]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stderr,
        /^error: package\.json\/gate\.sarif: cannot write the SARIF file \(/m,
      );
      assertPacksGone(run.packPids);
    });

    it("on a policy config found wrong after the pack started (it starts first)", async () => {
      // A stack of its own with no policies/config/<stack>.json.
      const run = await withFiles(
        { "Pulumi.qa-gone.yaml": readFileSync(join(repoRoot, "Pulumi.staging.yaml"), "utf8") },
        () => runGate(["--stack", "qa-gone"]),
      );
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^error: policies\/config\/qa-gone\.json: file not found/m);
      for (const pid of run.packPids) assert.ok(!isRunning(pid), `pack host ${pid} still running`);
    });

    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      it(`on ${signal} while it runs`, async () => {
        const run = await runGate(["--stack", "prod"], {
          onPackStarted: (gatePid) => process.kill(gatePid, signal),
        });
        assert.equal(run.code, signal === "SIGINT" ? 130 : 143, run.stderr);
        assert.match(run.stderr, new RegExp(`interrupted \\(${signal}\\)`));
        assertPacksGone(run.packPids);
      });
    }
  });
});

describe("a violation on a resource a shared helper declares", function () {
  this.timeout(120_000);

  it("names the helper's call site, the line a pull request changes: text, JSON and SARIF related locations", async () => {
    const run = await runProgram("staging");
    // As a change to one call of Network's `rule()` helper would: the tasks' port, open to all.
    const rule = run.resources.find((r) => r.name === "staging-service-from-alb")!;
    for (const props of [rule.inputs, rule.outputs]) {
      delete props.referencedSecurityGroupId;
      Object.assign(props, { cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22 });
    }
    const host = await AnalyzerHost.start();
    try {
      await host.configure(stackPolicyConfig("staging"));
      const report = buildReport(
        { kind: "program", stack: "staging", preview: false },
        "policies/config/staging.json",
        run.resources,
        await host.analyze(run.resources),
        run.declaredAt,
      );
      const violation = report.violations.find(
        (v) => v.policy === "ec2-security-group-public-ingress" && v.resource?.urn === rule.urn,
      );
      assert.ok(violation, JSON.stringify(report.violations.map((v) => v.policy)));

      const network = "infra/network.ts";
      const helper = declaringLine(network, "new Rule(");
      const call = declaringLine(network, '"service-from-alb"');
      const inConstructor = declaringLine(network, "this.createSecurityGroups();");
      assert.deepEqual([violation.location?.file, violation.location?.line], [network, helper]);
      assert.deepEqual(
        violation.calledFrom?.map((at) => [at.file, at.line]),
        [
          [network, call],
          [network, inConstructor],
        ],
      );
      assert.ok(
        renderText(report)
          .split("\n")
          .includes(`    called from ${network}:${call} <- ${network}:${inConstructor}`),
        renderText(report),
      );

      const sarif = toSarif(report, await host.pack(), "Pulumi.staging.yaml");
      assert.deepEqual(sarifSchemaErrors(sarif), []);
      const result = sarif.runs[0].results!.find(
        (r) =>
          r.ruleId === "ec2-security-group-public-ingress" &&
          r.locations![0].logicalLocations![0].fullyQualifiedName === rule.urn,
      )!;
      const lineOf = (l: { physicalLocation?: { region?: { startLine?: number } } }) =>
        l.physicalLocation!.region!.startLine;
      assert.equal(lineOf(result.locations![0]), helper);
      assert.deepEqual(result.relatedLocations!.map(lineOf), [call, inConstructor]);
      for (const related of result.relatedLocations!) {
        assert.equal(related.physicalLocation!.artifactLocation!.uri, network);
        // GitHub shows a related location only where the message links to its id.
        assert.ok(result.message.text!.includes(`](${related.id})`), result.message.text);
      }
      // The path from the component's constructor to the declaring line.
      const [flow] = result.codeFlows![0].threadFlows;
      assert.deepEqual(
        flow.locations.map((l) => lineOf(l.location!)),
        [inConstructor, call, helper],
      );
    } finally {
      await host.stop();
    }
  });
});

describe("npm run bench:gate", function () {
  this.timeout(300_000);

  it("times each phase of the gate, and the evaluation against the protocol alone", async () => {
    const { code, stdout, stderr } = await npmRun(
      "bench:gate",
      "--stack",
      "staging",
      "--runs",
      "1",
    );
    assert.equal(code, 0, stderr);
    for (const phase of [
      "whole command",
      "program run (mocks)",
      "pack start",
      "requests encoded",
      "evaluation",
      "evaluation in-process",
      "  protocol only",
    ]) {
      assert.match(stdout, new RegExp(`^${escape(phase)} +\\d+\\.\\d\\d s`, "m"), phase);
    }
  });
});

describe("the pack host's launch", function () {
  this.timeout(120_000);

  it("settles once the pack's process runs, before it connects: the gate starts the program only then", async () => {
    const { launched, host } = AnalyzerHost.launch();
    let connected = false;
    host.then(
      () => (connected = true),
      () => undefined,
    );
    await launched;
    // Lets callbacks of a connection made in the same turn run: the pack needs a second to answer.
    await new Promise(setImmediate);
    assert.equal(connected, false, "launched waited for the connection");
    const started = await host;
    assert.ok(isRunning(started.pid!));
    await started.stop();
    assert.ok(!isRunning(started.pid!));
  });
});

describe("the program under --preview", function () {
  this.timeout(120_000);
  let deployed: ProgramRun;
  let previewed: ProgramRun;
  before(async () => {
    deployed = await stackRun("staging");
    previewed = await runProgram("staging", { preview: true });
  });

  it("leaves stack traces source-mapped once it has run", async () => {
    const mapped = Error.prepareStackTrace;
    await runProgram("staging", { preview: true });
    assert.equal(Error.prepareStackTrace, mapped);
    const marker = "the TypeScript line of this error";
    const trace = new Error(marker).stack!;
    const line = readFileSync(__filename, "utf8")
      .split("\n")
      .findIndex((text) => text.includes(`new Error(marker)`));
    assert.match(trace, new RegExp(`gate-offline\\.test\\.ts:${line + 1}:`), trace);
  });

  it("registers the same resources", () => {
    // In registration order, which the engine does not fix.
    const urns = (run: ProgramRun) => run.resources.map((r) => r.urn).sort();
    assert.deepEqual(urns(previewed), urns(deployed));
  });

  it("sends what AWS computes (ids, ARNs, generated names) as the engine's unknown", () => {
    const vpc = one(previewed, "aws:ec2/vpc:Vpc");
    assert.equal(vpc.outputs.id, unknownValue);
    assert.equal(vpc.outputs.arn, unknownValue);
    assert.equal(vpc.id, "");
    // An input made from another resource's computed value is unknown too.
    const flowLog = one(previewed, "aws:ec2/flowLog:FlowLog");
    assert.equal(flowLog.inputs.vpcId, unknownValue);
    assert.equal(flowLog.inputs.logDestination, unknownValue);
  });

  it("keeps what the program set known", () => {
    const vpc = one(previewed, "aws:ec2/vpc:Vpc");
    assert.equal(vpc.inputs.cidrBlock, one(deployed, "aws:ec2/vpc:Vpc").inputs.cidrBlock);
    assert.equal(vpc.outputs.cidrBlock, vpc.inputs.cidrBlock);
    const flowLog = one(previewed, "aws:ec2/flowLog:FlowLog");
    assert.equal(flowLog.inputs.trafficType, "ALL");
  });
});

/** The 1-based line of `file` holding `text`, which must occur once. */
function declaringLine(file: string, text: string): number {
  const lines = readFileSync(join(repoRoot, file), "utf8").split("\n");
  const at = lines.flatMap((line, i) => (line.includes(text) ? [i + 1] : []));
  assert.equal(at.length, 1, `${text} in ${file}`);
  return at[0];
}

/** Problems with a SARIF log under the OASIS SARIF 2.1.0 (rtm.5) schema GitHub validates against. */
function sarifSchemaErrors(log: Log): string[] {
  // The schema is draft-04, its language pattern is not a valid unicode regular expression, and
  // it uses formats ajv does not bundle: structure is what matters here.
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    unicodeRegExp: false,
    validateFormats: false,
  });
  const validate = ajv.compile(
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object,
  );
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("gate report: checks that could not decide", () => {
  it("counts a policy's 'not checked: <reason>' with the SDK's unknown-value skips, not as a violation", () => {
    const diagnostic = (policy: string, message: string) => ({
      pack: "acme",
      packVersion: "0.1.0",
      policy,
      level: "advisory" as const,
      message,
      urn: "urn:pulumi:staging::acme::aws:s3/bucketPolicy:BucketPolicy::x",
    });
    const report = buildReport(
      { kind: "program", stack: "staging", preview: true },
      "c.json",
      [],
      [
        diagnostic("s3-tls-only", "not checked: the bucket policy is not JSON"),
        diagnostic(
          "cloudfront-waf",
          "can't run policy 'cloudfront-waf' from policy pack 'acme' during preview: unknown value",
        ),
        diagnostic("s3-encryption", "a bucket without declared default encryption"),
      ],
    );
    assert.deepEqual(
      report.notChecked.map((v) => v.policy),
      ["cloudfront-waf", "s3-tls-only"],
    );
    assert.deepEqual(
      report.violations.map((v) => v.policy),
      ["s3-encryption"],
    );
    assert.deepEqual(report.summary, { mandatory: 0, advisory: 1, notChecked: 2 });
  });
});
