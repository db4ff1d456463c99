import assert from "node:assert/strict";
import { AwsMocks, mockAccountId } from "../../scripts/offline/mocks";
import {
  enforceAllowedAccounts,
  enforceDisabledDefaultProviders,
  ofType,
  runProgram,
  type ProgramRun,
  type RegisteredResource,
} from "../../scripts/offline/harness";
import { ProgramError } from "../../scripts/offline/errors";
import { configKey, project, regionOfStack, setting, stackRun } from "./stacks";

/** The prod stack file's region, account and names, which the ids and ARNs below carry. */
const region = regionOfStack("prod");
const account = setting("prod", "accountId");
const db = `${project}-prod`;
const pattern = (raw: string) => new RegExp(raw);

/** The id formats AWS uses, so a test that reads an id sees what a real stack would hold. */
const idFormats: Record<string, RegExp> = {
  "aws:ec2/vpc:Vpc": /^vpc-[0-9a-f]{17}$/,
  "aws:ec2/subnet:Subnet": /^subnet-[0-9a-f]{17}$/,
  "aws:ec2/natGateway:NatGateway": /^nat-[0-9a-f]{17}$/,
  "aws:ec2/eip:Eip": /^eipalloc-[0-9a-f]{17}$/,
  "aws:ec2/securityGroup:SecurityGroup": /^sg-[0-9a-f]{17}$/,
  "aws:ec2/routeTable:RouteTable": /^rtb-[0-9a-f]{17}$/,
  "aws:ec2/vpcEndpoint:VpcEndpoint": /^vpce-[0-9a-f]{17}$/,
  "aws:iam/role:Role": /^[\w+=,.@-]{1,64}$/,
  "aws:ecr/repository:Repository": /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
  "aws:s3/bucket:Bucket": /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  "aws:lb/loadBalancer:LoadBalancer": pattern(
    String.raw`^arn:aws:elasticloadbalancing:${region}:\d{12}:loadbalancer/app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$`,
  ),
  "aws:lb/targetGroup:TargetGroup": pattern(
    String.raw`^arn:aws:elasticloadbalancing:${region}:\d{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$`,
  ),
  "aws:ecs/cluster:Cluster": pattern(
    String.raw`^arn:aws:ecs:${region}:\d{12}:cluster/[\w-]{1,255}$`,
  ),
  "aws:ecs/service:Service": pattern(
    String.raw`^arn:aws:ecs:${region}:\d{12}:service/[\w-]+/[\w-]+$`,
  ),
  "aws:kms/key:Key": /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
  // Since provider v6 an RDS instance's id is its resource id.
  "aws:rds/instance:Instance": /^db-[0-9A-Z]{26}$/,
  "aws:rds/proxy:Proxy": pattern(`^${db}$`),
  "aws:backup/plan:Plan": /^[0-9a-f]{8}-[0-9a-f-]{27}$/,
};

/** Attributes AWS computes, in its formats, that other resources and the service consume. */
const attributeFormats: [type: string, attribute: string, format: RegExp][] = [
  ["aws:rds/instance:Instance", "resourceId", /^db-[0-9A-Z]{26}$/],
  [
    "aws:rds/instance:Instance",
    "endpoint",
    pattern(String.raw`^${db}\.c[0-9a-f]{11}\.${region}\.rds\.amazonaws\.com:5432$`),
  ],
  [
    "aws:rds/instance:Instance",
    "address",
    pattern(String.raw`^${db}\.c[0-9a-f]{11}\.${region}\.rds\.amazonaws\.com$`),
  ],
  [
    "aws:rds/proxy:Proxy",
    "arn",
    pattern(`^arn:aws:rds:${region}:${account}:db-proxy:prx-[0-9a-f]{17}$`),
  ],
  [
    "aws:rds/proxy:Proxy",
    "endpoint",
    pattern(String.raw`^${db}\.proxy-c[0-9a-f]{11}\.${region}\.rds\.amazonaws\.com$`),
  ],
  ["aws:kms/key:Key", "arn", pattern(`^arn:aws:kms:[a-z0-9-]+:${account}:key/[0-9a-f-]{36}$`)],
];

describe("offline mocks", () => {
  let run: ProgramRun;
  before(async () => {
    run = await stackRun("prod");
  });

  it("gives resources ids in AWS's formats", () => {
    for (const [type, format] of Object.entries(idFormats)) {
      const resources = ofType(run, type);
      assert.ok(resources.length > 0, `no ${type} to check`);
      for (const r of resources) assert.match(r.id!, format, r.urn);
    }
  });

  it("computes RDS, proxy and KMS attributes in AWS's formats", () => {
    for (const [type, attribute, format] of attributeFormats) {
      const resources = ofType(run, type);
      assert.ok(resources.length > 0, `no ${type} to check`);
      for (const r of resources) assert.match(String(r.outputs[attribute]), format, r.urn);
    }
    const [instance] = ofType(run, "aws:rds/instance:Instance");
    const [secret] = instance.outputs.masterUserSecrets as { secretArn: string }[];
    assert.match(
      secret.secretArn,
      pattern(
        `^arn:aws:secretsmanager:${region}:${account}:secret:rds!db-[0-9a-f-]{36}-[0-9a-f]{6}$`,
      ),
    );
  });

  it("gives every ARN the stack's account, region and partition, as a real one has", () => {
    assert.equal(run.config[configKey("accountId")], account);
    const providerRegions = new Map(
      run.resources
        .filter((r) => r.type === "pulumi:providers:aws")
        .map((p) => [`${p.urn}::${p.id}`, p.inputs.region]),
    );
    // An EventBridge target's `arn` is its target's (another region's event bus, for one).
    const ownArn = (r: RegisteredResource) =>
      r.custom &&
      typeof r.outputs.arn === "string" &&
      r.type !== "aws:cloudwatch/eventTarget:EventTarget";
    for (const r of run.resources.filter(ownArn)) {
      const [prefix, partition, service, region, account] = (r.outputs.arn as string).split(":");
      // S3 bucket and Route 53 ARNs name neither region nor account.
      const global = service === "s3" || service === "route53";
      assert.deepEqual([prefix, partition, account], ["arn", "aws", global ? "" : account], r.urn);
      assert.ok(service);
      // IAM and CloudFront are global: their ARNs have no region. Others are in their
      // provider's region.
      assert.equal(
        region,
        ["iam", "cloudfront"].includes(service) || global ? "" : providerRegions.get(r.provider!),
        r.urn,
      );
    }
    // prod's off-site backup vault is in the copy region, as AWS would report it.
    const copyVault = ofType(run, "aws:backup/vault:Vault").find((v) => v.name.includes("copy"));
    assert.ok(
      (copyVault!.outputs.arn as string).startsWith(
        `arn:aws:backup:${setting("prod", "backupCopyRegion")}:`,
      ),
    );
  });

  it("feeds one resource's outputs into another's inputs, as AWS would", () => {
    const [flowLog] = ofType(run, "aws:ec2/flowLog:FlowLog");
    assert.match(
      flowLog.inputs.iamRoleArn as string,
      pattern(`^arn:aws:iam::${account}:role/prod-flow-logs-[0-9a-f]{7}$`),
    );
    assert.match(
      flowLog.inputs.logDestination as string,
      pattern(`^arn:aws:logs:${region}:${account}:log-group:/aws/vpc/flow-logs/vpc-`),
    );
  });

  it("gives the pushed image a digest and a reference pinned to it", () => {
    const [image] = ofType(run, "docker-build:index:Image");
    const [repository] = ofType(run, "aws:ecr/repository:Repository");
    assert.match(image.outputs.digest as string, /^sha256:[0-9a-f]{64}$/);
    assert.equal(image.outputs.ref, `${repository.outputs.repositoryUrl}@${image.outputs.digest}`);
  });

  it("merges the provider's default tags into tagsAll, as the AWS provider does", () => {
    const [vpc] = ofType(run, "aws:ec2/vpc:Vpc");
    assert.deepEqual(vpc.outputs.tagsAll, {
      ...JSON.parse(
        run.resources.find((r) => r.type === "pulumi:providers:aws")!.inputs.defaultTags as string,
      ).tags,
      Name: "prod-vpc",
    });
  });

  it("gives each stack its own ids, the provider's included", async () => {
    const staging = await stackRun("staging");
    // The random provider gives every resource the id "none", whatever the stack; an S3 object's
    // id is its key, unique only inside its bucket.
    const idsOf = (r: ProgramRun) =>
      new Set(
        r.resources
          .filter((x) => x.custom && !x.type.startsWith("random:"))
          .filter((x) => x.type !== "aws:s3/bucketObjectv2:BucketObjectv2")
          .map((x) => x.id),
      );
    const shared = [...idsOf(staging)].filter((id) => idsOf(run).has(id));
    assert.deepEqual(shared, []);
  });

  it("answers the same for the same program, so exports can be compared", async () => {
    const again = await runProgram("prod");
    assert.deepEqual(
      again.resources.map((r) => [r.urn, r.id]),
      run.resources.map((r) => [r.urn, r.id]),
    );
  });
});

describe("offline mocks: invokes", () => {
  const mocks = new AwsMocks("eu-west-1");
  const call = (token: string, inputs: Record<string, unknown> = {}) =>
    mocks.call({ token, inputs, provider: "" }) as Record<string, unknown>;

  it("answers the look-ups programs make, in AWS's formats", () => {
    const zones = call("aws:index/getAvailabilityZones:getAvailabilityZones");
    assert.deepEqual(zones.names, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    assert.deepEqual(zones.zoneIds, ["euw1-az1", "euw1-az2", "euw1-az3"]);
    assert.equal(call("aws:index/getCallerIdentity:getCallerIdentity").accountId, mockAccountId);
    const inStaging = new AwsMocks("eu-west-1", "111111111111").call({
      token: "aws:index/getCallerIdentity:getCallerIdentity",
      inputs: {},
      provider: "",
    });
    assert.equal(inStaging.accountId, "111111111111");
    assert.equal(call("aws:index/getRegion:getRegion").region, "eu-west-1");
    assert.equal(call("aws:index/getPartition:getPartition").partition, "aws");
    const prefixList = call("aws:ec2/getPrefixList:getPrefixList", {
      name: "com.amazonaws.eu-west-1.s3",
    });
    assert.match(prefixList.id as string, /^pl-[0-9a-f]{8}$/);
  });

  it("answers the container platform's look-ups in AWS's formats", () => {
    const auth = call("aws:ecr/getAuthorizationToken:getAuthorizationToken", {
      registryId: mockAccountId,
    });
    assert.equal(
      Buffer.from(auth.authorizationToken as string, "base64").toString(),
      `${auth.userName}:${auth.password}`,
    );
    assert.equal(auth.proxyEndpoint, `https://${mockAccountId}.dkr.ecr.eu-west-1.amazonaws.com`);
    // The regional account Elastic Load Balancing delivers eu-west-1's access logs from.
    assert.equal(
      call("aws:elb/getServiceAccount:getServiceAccount").arn,
      "arn:aws:iam::156460612806:root",
    );
    assert.throws(
      () =>
        new AwsMocks("ap-southeast-7").call({
          token: "aws:elb/getServiceAccount:getServiceAccount",
          inputs: {},
          provider: "",
        }),
      /no ELB service account for region ap-southeast-7/,
    );
    const zone = call("aws:route53/getZone:getZone", { name: "example.com" });
    assert.match(zone.zoneId as string, /^Z[0-9A-Z]{13}$/);
    assert.equal(zone.name, "example.com");
  });

  it("answers the AMI look-up from AWS's public SSM parameters only", () => {
    const name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";
    const parameter = call("aws:ssm/getParameter:getParameter", { name });
    assert.match(parameter.value as string, /^ami-[0-9a-f]{17}$/);
    assert.equal(parameter.insecureValue, parameter.value);
    assert.equal(parameter.type, "String");
    // Public parameters belong to no account.
    assert.equal(parameter.arn, `arn:aws:ssm:eu-west-1::parameter${name}`);
    assert.notEqual(
      call("aws:ssm/getParameter:getParameter", { name: name.replace("arm64", "x86_64") }).value,
      parameter.value,
      "each architecture has its own AMI",
    );
    assert.throws(
      () => call("aws:ssm/getParameter:getParameter", { name: "/acme/never-created" }),
      /ParameterNotFound: \/acme\/never-created/,
    );
  });

  it("gives the NAT instance and its alarm AWS's formats", async () => {
    const staging = await stackRun("staging");
    const [instance] = ofType(staging, "aws:ec2/instance:Instance");
    assert.match(instance.id!, /^i-[0-9a-f]{17}$/);
    assert.match(instance.outputs.primaryNetworkInterfaceId as string, /^eni-[0-9a-f]{17}$/);
    assert.equal(
      instance.outputs.arn,
      `arn:aws:ec2:${regionOfStack("staging")}:${setting("staging", "accountId")}:instance/${instance.id}`,
    );
    const [alarm] = ofType(staging, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.equal(alarm.id, alarm.outputs.name);
    assert.equal(
      alarm.outputs.arn,
      `arn:aws:cloudwatch:${regionOfStack("staging")}:${setting("staging", "accountId")}:alarm:${alarm.outputs.name}`,
    );
  });

  it("names the mocks file when a program makes a look-up it has no answer for", () => {
    assert.throws(
      () => call("aws:rds/getEngineVersion:getEngineVersion"),
      /offline mocks have no answer for aws:rds\/getEngineVersion:getEngineVersion; add one to scripts\/offline\/mocks\.ts/,
    );
  });
});

describe("offline harness: disabled default providers", () => {
  it("refuses an AWS resource without an explicit provider, as the engine does", () => {
    const resource = {
      urn: "urn:pulumi:staging::acme::aws:s3/bucket:Bucket::b",
      type: "aws:s3/bucket:Bucket",
      name: "b",
      custom: true,
      provider: "",
    } as RegisteredResource;
    const config = { "pulumi:disable-default-providers": '["aws"]' };
    assert.throws(
      () => enforceDisabledDefaultProviders(config, [resource]),
      /Default provider for 'aws' disabled\. 'urn:pulumi:staging::acme::aws:s3\/bucket:Bucket::b' must use an explicit provider\./,
    );
    assert.doesNotThrow(() => enforceDisabledDefaultProviders({}, [resource]));
  });
});

describe("offline harness: wrong-account guard", () => {
  it("limits each stack's provider to the account its stack file names", async () => {
    for (const stack of ["staging", "prod"] as const) {
      const [provider] = ofType(await stackRun(stack), "pulumi:providers:aws");
      assert.deepEqual(JSON.parse(provider.inputs.allowedAccountIds as string), [
        setting(stack, "accountId"),
      ]);
    }
  });

  it("refuses, as the AWS provider does, credentials of another account", async () => {
    // Any account but the stack's own (a fork may give every stack the same one).
    const other = String((Number(account) + 1) % 1e12).padStart(12, "0");
    await assert.rejects(runProgram("prod", { callerAccountId: other }), (err: Error) => {
      assert.ok(err instanceof ProgramError);
      assert.equal(
        err.message,
        `urn:pulumi:prod::${project}::pulumi:providers:aws::aws: AWS account ID not allowed: ` +
          `${other} (allowedAccountIds: ${account}); use the credentials of the stack's ` +
          "account, or correct accountId in the stack file",
      );
      return true;
    });
    // The right account's credentials pass.
    await runProgram("prod", { callerAccountId: account });
  });

  it("lets a provider without allowedAccountIds run under any account", () => {
    const provider = {
      urn: "urn:pulumi:staging::acme::pulumi:providers:aws::other",
      type: "pulumi:providers:aws",
      inputs: { region: "eu-west-1" },
    } as unknown as RegisteredResource;
    assert.doesNotThrow(() => enforceAllowedAccounts("999999999999", [provider]));
    provider.inputs.allowedAccountIds = '["111111111111"]';
    assert.throws(() => enforceAllowedAccounts("999999999999", [provider]), /not allowed/);
  });
});
