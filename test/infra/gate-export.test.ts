/**
 * `gate:offline --export FILE`: a stack that already exists, judged from its `pulumi stack export`.
 * A program we did not write (other providers, a component, resources no policy covers, secrets)
 * is read without a crash; the shipped program's export with one defect per policy area fails,
 * naming the policy and the resource; a file that is not an export is one clear line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeFailure } from "../../scripts/offline/cli";
import { toDeployment } from "../../scripts/offline/export";
import { readExport } from "../../scripts/offline/read-export";
import type { GateReport } from "../../scripts/offline/report";
import { runGate } from "./gate-run";
import { stackRun } from "./stacks";

const fixtures = join("test", "fixtures", "exports");
const foreign = join(fixtures, "foreign-stack.json");
const report = (stdout: string) => JSON.parse(stdout) as GateReport;

/** A resource as `pulumi stack export` writes it. */
interface State {
  urn: string;
  type: string;
  custom: boolean;
  id?: string;
  provider?: string;
  parent?: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** The one resource of `type` whose name ends with `nameEnd`. */
function find(resources: State[], type: string, nameEnd = ""): State {
  const found = resources.filter((r) => r.type === type && r.urn.endsWith(nameEnd));
  assert.equal(found.length, 1, `one ${type} named *${nameEnd}, found ${found.length}`);
  return found[0];
}

/** Sets (or, with `undefined`, removes) a property in the resource's inputs and outputs. */
function set(resource: State, key: string, value: unknown): void {
  for (const props of [resource.inputs, resource.outputs]) {
    if (value === undefined) delete props[key];
    else props[key] = value;
  }
}

/** Replaces a property in the resource's inputs and outputs by `edit` of its current value. */
function patch<T>(resource: State, key: string, edit: (value: T) => unknown): void {
  for (const props of [resource.inputs, resource.outputs]) {
    if (key in props) props[key] = edit(structuredClone(props[key]) as T);
  }
}

/** As `patch`, for a property holding JSON text (container definitions, IAM policies). */
function patchJson<T>(resource: State, key: string, edit: (value: T) => unknown): void {
  patch(resource, key, (text: string) => JSON.stringify(edit(JSON.parse(text) as T)));
}

function remove(resources: State[], resource: State): void {
  resources.splice(resources.indexOf(resource), 1);
}

/**
 * One defect per policy area in the shipped staging stack's export, each on a resource of its
 * own: the change, then the policy that must block it and the resource it must name. A new area
 * adds one line.
 */
const defects: {
  policy: string;
  resource: string;
  change: (resources: State[]) => void;
  /** Other policies the defect rightly breaks too. */
  alsoBlocks?: string[];
}[] = [
  {
    policy: "tagging-required-tags",
    resource: "staging-vpc",
    // As if created through a provider without the stack's default tags.
    change: (rs) => (find(rs, "aws:ec2/vpc:Vpc").provider = untaggedProvider(rs)),
  },
  {
    policy: "cloudwatch-log-group-retention",
    resource: "staging-flow-logs",
    change: (rs) =>
      set(find(rs, "aws:cloudwatch/logGroup:LogGroup", "-flow-logs"), "retentionInDays", 0),
  },
  {
    policy: "ec2-security-group-public-ingress",
    resource: "staging-alb-from-cloudfront",
    // The load balancer behind CloudFront admitting the internet also skips the web ACL.
    alsoBlocks: ["stack-security-group-graph"],
    change: (rs) => {
      const rule = find(
        rs,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "-alb-from-cloudfront",
      );
      set(rule, "prefixListId", undefined);
      set(rule, "cidrIpv4", "0.0.0.0/0");
      set(rule, "fromPort", 22);
      set(rule, "toPort", 22);
    },
  },
  {
    policy: "ec2-vpc-flow-logs",
    resource: "staging-vpc",
    change: (rs) => remove(rs, find(rs, "aws:ec2/flowLog:FlowLog")),
  },
  {
    policy: "ecs-task-definition-not-privileged",
    resource: "staging-task",
    change: (rs) =>
      patchJson(
        find(rs, "aws:ecs/taskDefinition:TaskDefinition", "-task"),
        "containerDefinitions",
        (cs: object[]) => cs.map((c, i) => (i === 0 ? { ...c, privileged: true } : c)),
      ),
  },
  {
    policy: "ecr-repository-scan-on-push",
    resource: "staging-app",
    change: (rs) =>
      set(find(rs, "aws:ecr/repository:Repository", "-app"), "imageScanningConfiguration", {
        scanOnPush: false,
      }),
  },
  {
    policy: "rds-instance-storage-encrypted",
    resource: "staging-db",
    change: (rs) => set(find(rs, "aws:rds/instance:Instance"), "storageEncrypted", false),
  },
  {
    policy: "backup-vault-customer-managed-key",
    resource: "staging-vault",
    change: (rs) => set(find(rs, "aws:backup/vault:Vault"), "kmsKeyArn", undefined),
  },
  {
    policy: "kms-key-rotation",
    resource: "staging-vault",
    change: (rs) => set(find(rs, "aws:kms/key:Key", "-vault"), "enableKeyRotation", false),
  },
  {
    policy: "iam-policy-no-wildcard-actions",
    resource: "staging-task",
    change: (rs) =>
      patchJson(find(rs, "aws:iam/rolePolicy:RolePolicy", "::staging-task"), "policy", () => ({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
      })),
    // `*` includes every write action, on every resource.
    alsoBlocks: ["iam-policy-write-actions-scoped"],
  },
  {
    policy: "elb-drop-invalid-header-fields",
    resource: "staging-alb",
    change: (rs) =>
      set(find(rs, "aws:lb/loadBalancer:LoadBalancer"), "dropInvalidHeaderFields", false),
  },
  {
    policy: "cloudfront-viewer-https",
    resource: "staging-cdn",
    change: (rs) =>
      patch(
        find(rs, "aws:cloudfront/distribution:Distribution"),
        "defaultCacheBehavior",
        (b: object) => ({
          ...b,
          viewerProtocolPolicy: "allow-all",
        }),
      ),
  },
  {
    policy: "wafv2-logging",
    resource: "staging-waf",
    change: (rs) =>
      remove(rs, find(rs, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")),
  },
  {
    policy: "s3-public-access-block",
    resource: "staging-static",
    change: (rs) =>
      // A block that turns one setting off: without any block of its own a bucket keeps S3's
      // default block, which the gate only advises to make explicit.
      set(
        find(rs, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "-static"),
        "blockPublicPolicy",
        false,
      ),
  },
  {
    policy: "sns-topic-encryption",
    resource: "staging-team",
    change: (rs) => set(find(rs, "aws:sns/topic:Topic", "-team"), "kmsMasterKeyId", undefined),
  },
  {
    policy: "cloudwatch-alarm-missing-data",
    resource: "staging-memory",
    change: (rs) =>
      set(
        find(rs, "aws:cloudwatch/metricAlarm:MetricAlarm", "-memory"),
        "treatMissingData",
        undefined,
      ),
  },
  {
    policy: "stack-database-backup",
    resource: "staging-db",
    change: (rs) => remove(rs, find(rs, "aws:backup/selection:Selection")),
  },
];

/** Adds an AWS provider like the stack's but without default tags; returns its reference. */
function untaggedProvider(resources: State[]): string {
  const tagged = resources.find(
    (r) => r.type === "pulumi:providers:aws" && r.urn.endsWith("::aws"),
  )!;
  const provider: State = {
    ...structuredClone(tagged),
    urn: tagged.urn.replace(/::aws$/, "::untagged"),
    id: "00000000-0000-4000-8000-000000000001",
  };
  set(provider, "defaultTags", undefined);
  resources.splice(resources.indexOf(tagged) + 1, 0, provider);
  return `${provider.urn}::${provider.id}`;
}

describe("npm run gate:offline -- --export", function () {
  this.timeout(300_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "gate-export-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes `content` (JSON for an object) to a file in the test's directory; returns its path. */
  const write = (name: string, content: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
    return file;
  };

  describe("a program we did not write", () => {
    it("is read whole: other providers, a component, secrets; resources no policy covers are skipped", async () => {
      const run = await runGate(["--export", foreign, "--json"]);
      // Judged like any stack: its bucket served over plain HTTP fails the gate; S3's own
      // defaults (encryption, the public access block) are only advised to be made explicit, and
      // a site that runs nothing is asked for no alarms or dashboard.
      assert.equal(run.code, 1, run.stderr);
      const got = report(run.stdout);
      // The stack in its URNs picks the policy config; the copy pending deletion is left out.
      assert.equal(got.policyConfig, "policies/config/staging.json");
      assert.deepEqual(got.subject, { kind: "export", file: foreign, stack: "staging" });
      assert.equal(got.resourceCount, 11);
      assert.deepEqual([...new Set(got.violations.map((v) => `${v.policy} ${v.level}`))].sort(), [
        "s3-encryption advisory",
        "s3-public-access-block advisory",
        "s3-tls-only mandatory",
      ]);
      // A retention kept as an encrypted secret cannot be read offline: said, not guessed.
      assert.deepEqual(
        got.notChecked.map((v) => [v.policy, v.level, v.resource?.name]),
        [["cloudwatch-log-group-retention", "advisory", "audit-logs"]],
      );
    });

    it("is judged under another environment's config with --stack", async () => {
      const run = await runGate(["--export", foreign, "--stack", "prod"]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stdout,
        /^MANDATORY {2}acme-quality-gate\/cloudwatch-log-group-retention {2}\(1 violation\)\n {2}web-logs \(aws:cloudwatch\/logGroup:LogGroup\)\n {4}urn:pulumi:staging::shop::shop:web:Site\$aws:cloudwatch\/logGroup:LogGroup::web-logs\n {4}retentionInDays is 60: this environment requires at least 90\.$/m,
      );
      assert.match(
        run.stdout,
        /policies\/config\/prod\.json: 2 mandatory, 2 advisory violation\(s\); 1 check not decided/,
      );
    });

    it("--sarif puts a violation no line of infra/ declared on the export file", async () => {
      const sarifFile = join(dir, "foreign.sarif");
      const run = await runGate(["--export", foreign, "--stack", "prod", "--sarif", sarifFile]);
      assert.equal(run.code, 1, run.stderr);
      const { runs } = JSON.parse(readFileSync(sarifFile, "utf8"));
      const [result] = runs[0].results;
      assert.equal(
        result.locations[0].physicalLocation.artifactLocation.uri,
        "test/fixtures/exports/foreign-stack.json",
      );
      assert.equal(result.locations[0].physicalLocation.region.startLine, 1);
      assert.equal(runs[0].automationDetails.id, "acme-quality-gate/export/prod/");
    });
  });

  describe("the shipped staging stack's export with a defect in every policy area", () => {
    let pristine: ReturnType<typeof toDeployment>;
    /** The mandatory violations of one gate run over the export with every defect at once. */
    let mandatory: { policy: string; resource?: { name: string } }[];
    let run: Awaited<ReturnType<typeof runGate>>;
    before(async () => {
      pristine = JSON.parse(JSON.stringify(toDeployment(await stackRun("staging"))));
      // One run for all the defects: each touches a different resource, and a gate run costs
      // seconds, so the areas share it instead of each paying for its own.
      const deployment = structuredClone(pristine);
      for (const { change } of defects)
        change(deployment.deployment.resources as unknown as State[]);
      run = await runGate(["--export", write("defects.json", deployment), "--json"]);
      mandatory = report(run.stdout).violations.filter((v) => v.level === "mandatory");
    });

    it("passes without the defects", async () => {
      const clean = await runGate(["--export", write("staging.json", pristine)]);
      assert.equal(clean.code, 0, clean.stdout + clean.stderr);
      // Staging's allowed differences (policies/config/staging.json) are advisories.
      assert.match(clean.stdout, /: 0 mandatory, 3 advisory violation\(s\)$/m);
    });

    it("fails, blocking only what the defects broke", () => {
      assert.equal(run.code, 1, run.stdout + run.stderr);
      const expected = new Set(defects.flatMap((d) => [d.policy, ...(d.alsoBlocks ?? [])]));
      const others = mandatory.filter((v) => !expected.has(v.policy));
      assert.deepEqual(others, [], JSON.stringify(others, null, 2));
    });

    for (const { policy, resource } of defects) {
      it(`fails on ${policy}, naming ${resource}`, () => {
        assert.ok(
          mandatory.some((v) => v.policy === policy && v.resource?.name === resource),
          JSON.stringify(mandatory, null, 2),
        );
      });
    }
  });

  describe("a file that is not a stack export: one line naming it and what is expected", () => {
    it("exits 1 before the pack starts", async () => {
      const file = join(dir, "missing.json");
      const run = await runGate(["--export", file]);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(
        run.stderr,
        `error: ${file}: file not found; expected a \`pulumi stack export\` file: ` +
          '{"version": 3, "deployment": {"resources": [...]}}\n',
      );
      assert.deepEqual(run.packPids, []);
    });

    const cases: [string, string, string][] = [
      ["broken JSON", '{"version": 3,\n  "deployment": }', ':2:17: invalid JSON: unexpected "}"'],
      ["a stack file", "config:\n  aws:region: eu-west-1\n", ':1:1: invalid JSON: unexpected "c"'],
      [
        "not an export",
        '{"name": "acme"}',
        ": not a stack export; expected a `pulumi stack export`",
      ],
      [
        "an old deployment version",
        '{"version": 1, "deployment": {"resources": []}}',
        ": deployment version 1 is not supported; expected version 3",
      ],
      [
        "resources not a list",
        '{"version": 3, "deployment": {"resources": {}}}',
        ": deployment.resources must be a list of resources",
      ],
      [
        "a resource without a URN",
        '{"version": 3, "deployment": {"resources": [{"type": "aws:s3/bucket:Bucket"}]}}',
        ": deployment.resources[0].urn must be a resource URN",
      ],
    ];
    for (const [what, content, message] of cases) {
      it(what, () => {
        const file = write(`${what}.json`, content);
        assert.throws(
          () => readExport(file),
          (err: Error) => {
            const lines = describeFailure(err, false).split("\n");
            assert.equal(lines.length, 1, lines.join("\n"));
            assert.ok(lines[0].startsWith(`error: ${file}${message}`), lines[0]);
            return true;
          },
        );
      });
    }

    it("names the first few bad resources, and how many more", () => {
      const bad = { version: 3, deployment: { resources: Array(5).fill({ urn: "x" }) } };
      assert.throws(
        () => readExport(write("bad.json", bad)),
        (err: Error) => {
          assert.equal(err.message.split("\n").length, 4);
          assert.match(err.message, /: and 2 more$/);
          return true;
        },
      );
    });
  });
});
