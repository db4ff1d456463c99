import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { closest, ConfigError, environments } from "../../infra/config";
import { windowsOverlap } from "../../infra/aws-limits";
import { ProgramError, StackFileError } from "../../scripts/offline/errors";
import { ofType, repoRoot, runProgram, type RunOptions } from "../../scripts/offline/harness";
import { configKey, mockZoneId, project, regionOfStack, stackRun } from "./stacks";
import { withFiles } from "./temp-files";

const stagingFile = () => readFileSync(join(repoRoot, "Pulumi.staging.yaml"), "utf8");

/** Runs the program expecting it to fail; returns the error. */
async function failure(stack: string, options: RunOptions = {}): Promise<ProgramError> {
  try {
    await runProgram(stack, options);
  } catch (err) {
    assert.ok(err instanceof ProgramError, `expected a ProgramError, got ${err}`);
    return err;
  }
  assert.fail(`the program ran for ${stack} with ${JSON.stringify(options)}`);
}

/** Nothing but the root stack resource: the error came before any resource was declared. */
function assertNothingDeclared(err: ProgramError) {
  assert.deepEqual(
    err.resources.map((r) => r.type),
    ["pulumi:pulumi:Stack"],
  );
}

describe("config", () => {
  describe("the project's name (Pulumi.yaml name:), which starts account-unique AWS names", () => {
    it("runs a fork named payments-platform-eu", async () => {
      const run = await runProgram("staging", { project: "payments-platform-eu" });
      const [db] = ofType(run, "aws:rds/instance:Instance");
      assert.equal(db.inputs.identifier, "payments-platform-eu-staging");
    });
    for (const [name, message] of [
      [
        "Payments",
        'Pulumi.yaml: name must be lowercase letters, digits and single hyphens, starting with a letter (it starts RDS identifiers and other AWS names), got "Payments"',
      ],
      [
        "pay_ments",
        'Pulumi.yaml: name must be lowercase letters, digits and single hyphens, starting with a letter (it starts RDS identifiers and other AWS names), got "pay_ments"',
      ],
      [
        "pay--ments",
        'Pulumi.yaml: name must be lowercase letters, digits and single hyphens, starting with a letter (it starts RDS identifiers and other AWS names), got "pay--ments"',
      ],
      [
        "payments-platform-for-the-european-union-acct",
        'Pulumi.yaml: name "payments-platform-for-the-european-union-acct" is too long: "payments-platform-for-the-european-union-acct-staging" (the project and stack names) must be at most 51 characters, it starts AWS names of at most 60, got 53',
      ],
    ]) {
      it(`refuses ${name} in one line naming Pulumi.yaml's name and the rule`, async () => {
        const err = await failure("staging", { project: name });
        assert.equal(err.message, message);
        assertNothingDeclared(err);
      });
    }
  });

  it("rejects a value of the wrong type, naming the key, the stack file and what is expected", async () => {
    const err = await failure("prod", { config: { desiredCount: "two" } });
    assert.equal(
      err.message,
      `Pulumi.prod.yaml: ${project}:desiredCount must be an integer >= 2, got "two"`,
    );
    assertNothingDeclared(err);
  });

  it("rejects a value out of range for the environment", async () => {
    const staging = await failure("staging", { config: { azCount: "4" } });
    assert.equal(
      staging.message,
      `Pulumi.staging.yaml: ${project}:azCount must be an integer from 2 to 3, got "4"`,
    );
    assertNothingDeclared(staging);

    // One task is fine in staging but is below production's floor.
    const prod = await failure("prod", { config: { desiredCount: "1" } });
    assert.equal(
      prod.message,
      `Pulumi.prod.yaml: ${project}:desiredCount must be an integer >= 2, got "1"`,
    );
    assertNothingDeclared(prod);
  });

  it("rejects a missing required key", async () => {
    const err = await failure("staging", { config: { owner: undefined } });
    assert.equal(
      err.message,
      `Pulumi.staging.yaml: ${project}:owner is required: a non-empty string`,
    );
    assertNothingDeclared(err);
  });

  it("rejects a missing region", async () => {
    const err = await failure("prod", { config: { "aws:region": undefined } });
    assert.match(err.message, /^Pulumi\.prod\.yaml: aws:region is required/);
    assertNothingDeclared(err);
  });

  it("rejects an unknown stack name, saying how to give it an environment", async () => {
    const err = await withFiles({ "Pulumi.qa.yaml": stagingFile() }, () => failure("qa"));
    assert.equal(
      err.message,
      `Pulumi.qa.yaml: stack "qa" is not a known environment; set ${project}:environment to one of ` +
        "dev, staging, prod to give it that environment's floors, or add the environment and its " +
        "floors to infra/config/environments.ts",
    );
    assertNothingDeclared(err);
  });

  it("rejects an environment key naming no environment", async () => {
    const err = await failure("staging", { config: { environment: "stage" } });
    assert.equal(
      err.message,
      `Pulumi.staging.yaml: ${project}:environment must be one of dev, staging, prod, got "stage"`,
    );
    assertNothingDeclared(err);
  });

  it("gives a stack the floors of the environment its environment key names", async () => {
    // prod's stack file, run as if it said `environment: dev`: dev's floors allow two AZs, one
    // task and a NAT instance, which prod's refuse.
    const config = { azCount: "2", desiredCount: "1", natGateways: "instance" };
    const run = await runProgram("prod", { config: { environment: "dev", ...config } });
    assert.equal(run.stackOutputs.environment, "dev");
    assert.equal(ofType(run, "aws:ec2/subnet:Subnet").length, 3 * 2);
    const err = await failure("prod", { config });
    assert.equal(err.message.split("\n").length, 3);
  });

  it("says a stack file is missing, empty or not YAML instead of listing every required key", async () => {
    const stackFileError = (stack: string) =>
      assert.rejects(runProgram(stack), (err: unknown) => {
        assert.ok(err instanceof StackFileError, String(err));
        return true;
      });
    await assert.rejects(
      runProgram("qa"),
      /^StackFileError: Pulumi\.qa\.yaml: file not found; the stacks here are dev, prod, staging/,
    );
    await withFiles({ "Pulumi.qa.yaml": "" }, () => stackFileError("qa"));
    await withFiles({ "Pulumi.qa.yaml": "# nothing yet\n" }, () =>
      assert.rejects(
        runProgram("qa"),
        /^StackFileError: Pulumi\.qa\.yaml: the file is empty \(no "config:" section\)/,
      ),
    );
    await withFiles({ "Pulumi.qa.yaml": "config:\n  aws:region: [eu-west-1\n" }, () =>
      assert.rejects(runProgram("qa"), (err: Error) => {
        assert.ok(err instanceof StackFileError);
        assert.match(err.message, /^Pulumi\.qa\.yaml:3:1: invalid YAML: /);
        assert.equal(err.message.split("\n").length, 1);
        return true;
      }),
    );
  });

  it("names Pulumi.yaml, with line and column, when it is not valid YAML", async () => {
    await withFiles({ "Pulumi.yaml": "name: acme\nruntime: [nodejs\n" }, () =>
      assert.rejects(runProgram("staging"), (err: Error) => {
        assert.ok(err instanceof StackFileError);
        assert.match(err.message, /^Pulumi\.yaml:3:1: invalid YAML: [^\n]+$/);
        return true;
      }),
    );
  });

  it("says so in one line when a stack file sets none of the project's keys", async () => {
    const onlyProviders = "config:\n  pulumi:disable-default-providers:\n    - aws\n";
    const err = await withFiles({ "Pulumi.staging.yaml": onlyProviders }, () => failure("staging"));
    assert.equal(
      err.message,
      `Pulumi.staging.yaml: sets none of the ${project}: keys nor aws:region (is the file missing or ` +
        "empty?); start from a copy of Pulumi.staging.yaml",
    );
  });

  it("blames a value given with -c on the command line, and the others on the stack file", async () => {
    const err = await failure("prod", {
      config: { natGateways: "some" },
      commandLine: { [configKey("azCount")]: "5" },
    });
    assert.deepEqual(err.message.split("\n"), [
      `command line (-c): ${project}:azCount must be 3, got "5"`,
      `Pulumi.prod.yaml: ${project}:natGateways must be one of "single", "perAz" (no NAT instance in prod), got "some"`,
    ]);
    assert.ok(err.cause instanceof ConfigError);
    assert.deepEqual(err.cause.problems, [
      { key: `${project}:azCount`, message: 'must be 3, got "5"' },
      {
        key: `${project}:natGateways`,
        message: 'must be one of "single", "perAz" (no NAT instance in prod), got "some"',
      },
    ]);
  });

  it("rejects a region the AWS provider does not know, suggesting the nearest", async () => {
    const typo = await failure("staging", { config: { "aws:region": "eu-wst-1" } });
    assert.equal(
      typo.message,
      "Pulumi.staging.yaml: aws:region must be a region the AWS provider knows, such as " +
        'eu-west-1, got "eu-wst-1"; did you mean eu-west-1?',
    );
    assertNothingDeclared(typo);
    const made_up = await failure("staging", { config: { "aws:region": "moon-base-1" } });
    assert.doesNotMatch(made_up.message, /did you mean/);
    assert.equal(closest("us-east-3", ["us-east-1", "us-east-2", "eu-west-1"]), "us-east-1");
  });

  it("requires the stack's AWS account id, 12 digits", async () => {
    const missing = await failure("prod", { config: { accountId: undefined } });
    assert.equal(
      missing.message,
      `Pulumi.prod.yaml: ${project}:accountId is required: a 12-digit AWS account id, quoted in YAML ("012345678901")`,
    );
    const short = await failure("prod", { config: { accountId: "22222222222" } });
    assert.match(
      short.message,
      new RegExp(`${configKey("accountId")} must be a 12-digit AWS account id.*got "22222222222"`),
    );
  });

  it("reads an unquoted account id as the CLI does, and names the quoting when YAML dropped a leading zero", async () => {
    const file = (id: string) =>
      // With or without the project's namespace, as the stack file may write it.
      stagingFile().replace(
        new RegExp(`^(\\s*)(${project}:)?accountId: .*$`, "m"),
        `$1accountId: ${id}`,
      );
    const run = await withFiles({ "Pulumi.staging.yaml": file("333333333333") }, () =>
      runProgram("staging"),
    );
    const provider = ofType(run, "pulumi:providers:aws")[0];
    assert.deepEqual(JSON.parse(provider.inputs.allowedAccountIds as string), ["333333333333"]);

    const err = await withFiles({ "Pulumi.staging.yaml": file("012345678901") }, () =>
      failure("staging"),
    );
    assert.match(
      err.message,
      new RegExp(`${configKey("accountId")} must be .*quoted in YAML.*got "12345678901"`),
    );
  });

  it("rejects a mistyped key instead of silently using the default", async () => {
    const err = await failure("staging", { config: { desiredcount: "1" } });
    assert.equal(
      err.message,
      `Pulumi.staging.yaml: ${project}:desiredcount is not a known key; did you mean ${project}:desiredCount?`,
    );
    assertNothingDeclared(err);
  });

  it("rejects a key left under another project's namespace", async () => {
    const other = `not-${project}`;
    const err = await failure("staging", { config: { [`${other}:desiredCount`]: "2" } });
    assert.match(
      err.message,
      new RegExp(
        `${other}:desiredCount is under namespace "${other}" but the project is named "${project}"`,
      ),
    );
  });

  it("checks values against each other: Fargate memory must suit the CPU size", async () => {
    const err = await failure("staging", { config: { cpu: "1024", memory: "512" } });
    assert.equal(
      err.message,
      `Pulumi.staging.yaml: ${project}:memory must be one of 2048, 3072, 4096, 5120, 6144, 7168, 8192 ` +
        `for ${project}:cpu 1024, got "512"`,
    );
  });

  it("reports every problem at once", async () => {
    const err = await failure("prod", {
      config: { natGateways: "some", dbMultiAz: "yes", vpcCidr: "10.20.0.1/16" },
    });
    assert.deepEqual(err.cause.message.split("\n"), [
      `Pulumi.prod.yaml: ${project}:vpcCidr must be an IPv4 CIDR block from /16 to /20, such as 10.10.0.0/16, got "10.20.0.1/16"`,
      `Pulumi.prod.yaml: ${project}:natGateways must be one of "single", "perAz" (no NAT instance in prod), got "some"`,
      `Pulumi.prod.yaml: ${project}:dbMultiAz must be true (production's database survives an AZ outage), got "yes"`,
    ]);
  });

  it("requires every key whose value differs between environments from the stack file", async () => {
    const err = await failure("prod", { config: { azCount: undefined } });
    assert.equal(err.message, `Pulumi.prod.yaml: ${project}:azCount is required: 3`);
    assertNothingDeclared(err);
  });

  it("says to start from a committed stack file when one holds only a few keys", async () => {
    const answersOnly = [
      "config:",
      "  aws:region: eu-west-1",
      "  environment: dev",
      '  accountId: "444455556666"',
      "  owner: payments",
      "  costCenter: cc-0000",
      "  alertEmail: payments-oncall@example.org",
    ].join("\n");
    const err = await withFiles({ "Pulumi.qa.yaml": answersOnly }, () => failure("qa"));
    assert.match(
      err.message,
      new RegExp(
        `^Pulumi\\.qa\\.yaml: leaves out \\d+ keys every stack file sets \\(${project}:vpcCidr, ${project}:azCount, .*\\); start from a copy of Pulumi\\.dev\\.yaml$`,
      ),
    );
    assertNothingDeclared(err);
  });

  it("fills a key the stack file leaves out with its one default, the same in every stack", async () => {
    // No stack file sets the engine version: each gets the schema's default.
    for (const stack of environments) {
      const [db] = ofType(await runProgram(stack), "aws:rds/instance:Instance");
      assert.equal(db.inputs.engineVersion, "17", stack);
    }
    const run = await runProgram("dev", { config: { dbEngineVersion: "16" } });
    assert.equal(ofType(run, "aws:rds/instance:Instance")[0].inputs.engineVersion, "16");
  });

  it("refuses `latest` and malformed image tags", async () => {
    for (const tag of ["latest", "-x", "a b"]) {
      const err = await failure("staging", { config: { imageTag: tag } });
      assert.equal(
        err.message,
        `Pulumi.staging.yaml: ${project}:imageTag must be an ECR tag (letters, digits, "_", ".", "-"; ` +
          `at most 128) other than "latest", got "${tag}"`,
      );
      assertNothingDeclared(err);
    }
  });

  it("says where the image tag should come from when it cannot be found", async () => {
    const saved = process.env.GITHUB_SHA;
    process.env.GITHUB_SHA = "main";
    try {
      const err = await failure("staging");
      assert.equal(
        err.message,
        `Pulumi.staging.yaml: ${project}:imageTag is required here: GITHUB_SHA must be a ` +
          '40-character commit hash, got "main"',
      );
      assertNothingDeclared(err);
    } finally {
      if (saved === undefined) delete process.env.GITHUB_SHA;
      else process.env.GITHUB_SHA = saved;
    }
  });

  it("keeps production on regular Fargate, with deletion protection", async () => {
    const err = await failure("prod", {
      config: { capacityProvider: "FARGATE_SPOT", deletionProtection: "false" },
    });
    assert.deepEqual(err.cause.message.split("\n"), [
      `Pulumi.prod.yaml: ${project}:capacityProvider must be "FARGATE", got "FARGATE_SPOT"`,
      `Pulumi.prod.yaml: ${project}:deletionProtection must be true, got "false"`,
    ]);
    // Staging may choose either.
    await runProgram("staging", {
      config: { capacityProvider: "FARGATE", deletionProtection: "true" },
    });
  });

  it("keeps production's egress on NAT gateways, naming the strategies each environment may use", async () => {
    for (const [stack, value, allowed] of [
      ["prod", "instance", '"single", "perAz" (no NAT instance in prod)'],
      ["dev", "nat-instance", '"instance", "single", "perAz"'],
    ]) {
      const err = await failure(stack, { config: { natGateways: value } });
      assert.equal(
        err.message,
        `Pulumi.${stack}.yaml: ${project}:natGateways must be one of ${allowed}, got "${value}"`,
      );
      assertNothingDeclared(err);
    }
    // Outside prod a NAT gateway remains a choice.
    const staging = await runProgram("staging", { config: { natGateways: "single" } });
    assert.equal(ofType(staging, "aws:ec2/natGateway:NatGateway").length, 1);
    assert.equal(ofType(staging, "aws:ec2/instance:Instance").length, 0);
  });

  it("reads feature flags as a map of camelCase names to booleans", async () => {
    for (const features of ['{"new-editor": true}', '{"newEditor": "yes"}', "newEditor"]) {
      const err = await failure("staging", { config: { features } });
      assert.equal(
        err.message,
        `Pulumi.staging.yaml: ${project}:features must be a map of camelCase flag names to true or ` +
          `false, such as {newEditor: true}, got "${features}"`,
      );
    }
  });

  it("validates a custom domain's certificate in its parent zone unless told another", async () => {
    const zoneOf = async (config: Record<string, string>) => {
      // Without the zone staging's file names, so the default applies.
      const run = await runProgram("staging", { config: { hostedZoneName: undefined, ...config } });
      return ofType(run, "aws:route53/record:Record")[0].inputs.zoneId;
    };
    assert.equal(await zoneOf({ domainName: "app.example.com" }), mockZoneId("example.com"));
    assert.equal(await zoneOf({ domainName: "example.com" }), mockZoneId("example.com"));
    assert.equal(
      await zoneOf({ domainName: "app.eu.example.com", hostedZoneName: "example.com" }),
      mockZoneId("example.com"),
    );
    const other = await failure("staging", {
      config: { domainName: "app.example.com", hostedZoneName: "example.org" },
    });
    assert.equal(
      other.message,
      `Pulumi.staging.yaml: ${project}:hostedZoneName must be a zone that ${project}:domainName ` +
        '(app.example.com) ends with, got "example.org"',
    );
    assertNothingDeclared(other);
  });

  it("runs every real stack file without error", async () => {
    for (const stack of environments) {
      const run = await stackRun(stack);
      assert.equal(run.stackOutputs.environment, stack);
    }
  });
});

describe("config: database and backup constraints AWS would reject at deploy time", () => {
  it("refuses Performance Insights on an instance class without it", async () => {
    const err = await failure("prod", { config: { dbInstanceClass: "db.t4g.micro" } });
    assert.equal(
      err.message,
      `Pulumi.prod.yaml: ${project}:dbPerformanceInsights must be false for ${project}:dbInstanceClass ` +
        "db.t4g.micro: Performance Insights does not support db.t2.micro, db.t2.small, " +
        "db.t3.micro, db.t3.small, db.t4g.micro, db.t4g.small",
    );
    assertNothingDeclared(err);
  });

  it("holds each environment to its point-in-time recovery floor (staging 7, prod 35 days)", async () => {
    const prod = await failure("prod", { config: { dbBackupRetentionDays: "30" } });
    assert.equal(
      prod.message,
      `Pulumi.prod.yaml: ${project}:dbBackupRetentionDays must be an integer from 35 to 35, got "30"`,
    );
    const staging = await failure("staging", { config: { dbBackupRetentionDays: "3" } });
    assert.equal(
      staging.message,
      `Pulumi.staging.yaml: ${project}:dbBackupRetentionDays must be an integer from 7 to 35, got "3"`,
    );
    const daily = await failure("prod", { config: { backupDailyRetentionDays: "14" } });
    assert.match(
      daily.message,
      new RegExp(`${configKey("backupDailyRetentionDays")} must be an integer from 35 to`),
    );
  });

  it("requires an off-site copy region in prod, different from the stack's region", async () => {
    const missing = await failure("prod", { config: { backupCopyRegion: undefined } });
    assert.equal(
      missing.message,
      `Pulumi.prod.yaml: ${project}:backupCopyRegion is required in prod: an AWS region other than ` +
        "aws:region, such as eu-central-1",
    );
    const region = regionOfStack("prod");
    const same = await failure("prod", { config: { backupCopyRegion: region } });
    assert.equal(
      same.message,
      `Pulumi.prod.yaml: ${project}:backupCopyRegion must differ from aws:region (${region}): ` +
        `a copy in the same region is not off-site, got "${region}"`,
    );
    assertNothingDeclared(same);
  });

  it("requires a custom domain outside dev, and the WAF in prod", async () => {
    const noDomain = await failure("prod", { config: { domainName: undefined } });
    assert.equal(
      noDomain.message,
      `Pulumi.prod.yaml: ${project}:domainName is required in prod: a lower-case DNS name such as ` +
        "app.example.com in a public Route 53 zone (without one, viewers may use TLS 1.0 and " +
        "CloudFront reaches the load balancer over HTTP)",
    );
    assertNothingDeclared(noDomain);
    const noWaf = await failure("prod", { config: { waf: "false" } });
    assert.equal(
      noWaf.message,
      `Pulumi.prod.yaml: ${project}:waf must be true (production is always behind the WAF), got "false"`,
    );
    const stagingNoDomain = await failure("staging", {
      config: { domainName: undefined, hostedZoneName: undefined },
    });
    assert.equal(
      stagingNoDomain.message,
      `Pulumi.staging.yaml: ${project}:domainName is required in staging: a lower-case DNS name such as ` +
        "app.example.com in a public Route 53 zone (without one, viewers may use TLS 1.0 and " +
        "CloudFront reaches the load balancer over HTTP)",
    );
    assertNothingDeclared(stagingNoDomain);
    // Only dev may go without a domain; staging may still go without the WAF.
    await runProgram("dev", { config: { domainName: undefined } });
    await runProgram("staging", { config: { waf: "false" } });
  });

  it("accepts only CloudFront's price classes and a rate limit of at least 100", async () => {
    const price = await failure("staging", { config: { priceClass: "PriceClass_50" } });
    assert.equal(
      price.message,
      `Pulumi.staging.yaml: ${project}:priceClass must be one of PriceClass_100, PriceClass_200, ` +
        'PriceClass_All, got "PriceClass_50"',
    );
    const rate = await failure("staging", { config: { wafRateLimit: "50" } });
    assert.equal(
      rate.message,
      `Pulumi.staging.yaml: ${project}:wafRateLimit must be an integer from 100 to 10000 (the policy pack's wafv2-rate-limit refuses more), got "50"`,
    );
  });

  it("refuses a maintenance window overlapping the daily backup window", async () => {
    const err = await failure("staging", {
      config: { dbMaintenanceWindow: "tue:02:15-tue:02:45" },
    });
    assert.equal(
      err.message,
      `Pulumi.staging.yaml: ${project}:dbMaintenanceWindow must not overlap ${project}:dbBackupWindow ` +
        '(02:00-02:30 daily), got "tue:02:15-tue:02:45"',
    );
  });

  it("refuses windows shorter than RDS's 30 minutes", async () => {
    const err = await failure("staging", { config: { dbBackupWindow: "02:00-02:20" } });
    assert.match(
      err.message,
      new RegExp(
        `${configKey("dbBackupWindow")} must be a UTC window "hh:mm-hh:mm" of at least 30 minutes`,
      ),
    );
  });

  it("refuses a storage autoscaling ceiling less than 10% above the allocated storage", async () => {
    const err = await failure("prod", { config: { dbMaxAllocatedStorageGb: "54" } });
    assert.equal(
      err.message,
      `Pulumi.prod.yaml: ${project}:dbMaxAllocatedStorageGb must be >= 55 (10% above ${project}:dbAllocatedStorageGb 50), got "54"`,
    );
  });

  it("keeps production data protected: no unprotected or snapshot-less prod database", async () => {
    const err = await failure("prod", {
      config: { dbDeletionProtection: "false", dbFinalSnapshot: "false" },
    });
    assert.deepEqual(err.cause.message.split("\n"), [
      `Pulumi.prod.yaml: ${project}:dbDeletionProtection must be true (production data is protected), got "false"`,
      `Pulumi.prod.yaml: ${project}:dbFinalSnapshot must be true (production data is kept), got "false"`,
    ]);
  });

  it("refuses an idle pool larger than the proxy's connection share, and an unsupported major version", async () => {
    const err = await failure("staging", {
      config: { dbProxyMaxIdleConnectionsPercent: "90", dbEngineVersion: "13" },
    });
    assert.deepEqual(err.cause.message.split("\n"), [
      `Pulumi.staging.yaml: ${project}:dbEngineVersion must be one of "15", "16", "17", got "13"`,
      `Pulumi.staging.yaml: ${project}:dbProxyMaxIdleConnectionsPercent must be <= ` +
        `${project}:dbProxyMaxConnectionsPercent (80), got "90"`,
    ]);
  });

  it("lets staging copy off-site too when it names a region", async () => {
    const run = await runProgram("staging", { config: { backupCopyRegion: "eu-north-1" } });
    assert.equal(ofType(run, "aws:backup/vault:Vault").length, 2);
  });

  describe("windowsOverlap", () => {
    it("compares a weekly window with the daily one on every day, across midnight and Sunday night", () => {
      assert.equal(windowsOverlap("02:00-02:30", "sun:03:00-sun:03:30"), false);
      assert.equal(windowsOverlap("02:00-02:30", "wed:02:29-wed:03:00"), true);
      assert.equal(windowsOverlap("23:45-00:15", "mon:00:00-mon:00:30"), true);
      assert.equal(windowsOverlap("01:00-01:30", "sun:23:30-mon:01:10"), true);
      assert.equal(windowsOverlap("02:00-02:30", "sun:23:30-mon:01:10"), false);
      assert.equal(windowsOverlap("02:00-02:30", "sun:02:30-sun:03:00"), false);
    });
  });
});
