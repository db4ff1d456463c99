import assert from "node:assert/strict";
import { Database, type DatabaseArgs } from "../../infra/database";
import { ofType, type ProgramRun, type RegisteredResource } from "../../scripts/offline/harness";
import { declarationError } from "./declare-alone";
import { byId, configKey, stackRun } from "./stacks";

const one = (run: ProgramRun, type: string): RegisteredResource => {
  const found = ofType(run, type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0];
};
const instanceOf = (run: ProgramRun) => one(run, "aws:rds/instance:Instance");
const proxyOf = (run: ProgramRun) => one(run, "aws:rds/proxy:Proxy");
const groupName = (run: ProgramRun, id: unknown) => byId(run, id).name.replace(`${run.stack}-`, "");
const policyOf = (role: RegisteredResource | undefined, run: ProgramRun) =>
  JSON.parse(
    ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.inputs.role === role?.id)!.inputs
      .policy as string,
  );

describe("database", () => {
  const expected = {
    dev: {
      multiAz: false,
      protect: false,
      finalSnapshot: false,
      retention: 1,
      pi: false,
      monitoring: 60,
      logDays: 7,
      pool: [80, 25],
    },
    staging: {
      multiAz: false,
      protect: false,
      finalSnapshot: false,
      retention: 7,
      pi: false,
      monitoring: 60,
      logDays: 30,
      pool: [80, 25],
    },
    prod: {
      multiAz: true,
      protect: true,
      finalSnapshot: true,
      retention: 35,
      pi: true,
      monitoring: 15,
      logDays: 90,
      pool: [90, 50],
    },
  };

  for (const [stack, want] of Object.entries(expected) as [
    keyof typeof expected,
    (typeof expected)["prod"],
  ][]) {
    describe(stack, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });

      it("runs RDS PostgreSQL with its major version pinned and minor upgrades automatic", () => {
        const db = instanceOf(run);
        assert.equal(db.inputs.engine, "postgres");
        assert.equal(db.inputs.engineVersion, "17");
        assert.equal(db.inputs.autoMinorVersionUpgrade, true);
        assert.equal(db.inputs.allowMajorVersionUpgrade, false);
        const params = byId(run, db.inputs.parameterGroupName);
        assert.equal(params.inputs.family, "postgres17");
      });

      it("sits in the isolated subnets, private, reachable only from the proxy's and the role bootstrap's groups", () => {
        const db = instanceOf(run);
        assert.equal(db.inputs.publiclyAccessible, false);
        const subnetGroup = byId(run, db.inputs.dbSubnetGroupName);
        const tiers = (subnetGroup.inputs.subnetIds as string[]).map(
          (id) => (byId(run, id).inputs.tags as Record<string, string>).tier,
        );
        assert.deepEqual(new Set(tiers), new Set(["isolated"]));
        assert.ok(tiers.length >= 2);
        const [sg] = db.inputs.vpcSecurityGroupIds as string[];
        assert.equal(groupName(run, sg), "database");
        const ingress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
          .filter((r) => r.inputs.securityGroupId === sg)
          .map((r) => groupName(run, r.inputs.referencedSecurityGroupId));
        assert.deepEqual(ingress, ["proxy", "db-bootstrap"]);
      });

      it("turns IAM database authentication on: the proxy signs in to the instance with tokens", () => {
        assert.equal(instanceOf(run).inputs.iamDatabaseAuthenticationEnabled, true);
      });

      it("encrypts storage, Performance Insights and the master secret with a rotated customer key", () => {
        const db = instanceOf(run);
        const key = keyOf(run, db.inputs.kmsKeyId);
        assert.equal(db.inputs.storageEncrypted, true);
        assert.equal(key.inputs.enableKeyRotation, true);
        assert.equal(db.inputs.masterUserSecretKmsKeyId, key.outputs.arn);
        if (want.pi) assert.equal(db.inputs.performanceInsightsKmsKeyId, key.outputs.arn);
      });

      it("uses gp3 storage that autoscales up to the configured ceiling", () => {
        const db = instanceOf(run);
        assert.equal(db.inputs.storageType, "gp3");
        assert.equal(
          db.inputs.maxAllocatedStorage,
          Number(run.config[configKey("dbMaxAllocatedStorageGb")]),
        );
        assert.ok(
          (db.inputs.maxAllocatedStorage as number) > (db.inputs.allocatedStorage as number),
        );
      });

      it(`keeps ${want.retention} days of automated backups, in windows that do not overlap`, () => {
        const db = instanceOf(run);
        assert.equal(db.inputs.backupRetentionPeriod, want.retention);
        assert.equal(db.inputs.backupWindow, "02:00-02:30");
        assert.equal(db.inputs.maintenanceWindow, "sun:03:00-sun:03:30");
      });

      it(
        want.protect
          ? "is Multi-AZ, deletion-protected, Pulumi-protected and snapshotted on delete"
          : "is single-AZ and disposable: no deletion protection, no protect, no final snapshot",
        () => {
          const db = instanceOf(run);
          assert.equal(db.inputs.multiAz, want.multiAz);
          assert.equal(db.inputs.deletionProtection, want.protect);
          assert.equal(db.options.protect, want.protect);
          assert.equal(keyOf(run, db.inputs.kmsKeyId).options.protect, want.protect);
          assert.equal(db.inputs.skipFinalSnapshot, !want.finalSnapshot);
          if (!want.finalSnapshot) {
            assert.equal(db.inputs.finalSnapshotIdentifier, undefined);
            return;
          }
          // A fixed name would fail the second deletion or replacement: the suffix is a
          // RandomId renewed with every input that replaces the instance.
          const suffix = one(run, "random:index/randomId:RandomId");
          assert.equal(
            db.inputs.finalSnapshotIdentifier,
            `${run.project}-${stack}-final-${suffix.outputs.hex}`,
          );
          assert.match(String(suffix.outputs.hex), /^[0-9a-f]{8}$/);
          assert.deepEqual(Object.keys(suffix.inputs.keepers as object).sort(), [
            "dbName",
            "engine",
            "identifier",
            "kmsKeyId",
            "username",
          ]);
          for (const [key, value] of Object.entries(suffix.inputs.keepers as object)) {
            assert.equal(value, db.inputs[key], `keeper ${key} is the instance's`);
          }
        },
      );

      it(`has Performance Insights ${want.pi ? "on" : "off (class lacks it)"} and Enhanced Monitoring every ${want.monitoring}s`, () => {
        const db = instanceOf(run);
        assert.equal(db.inputs.performanceInsightsEnabled, want.pi);
        assert.equal(db.inputs.monitoringInterval, want.monitoring);
        const role = ofType(run, "aws:iam/role:Role").find(
          (r) => r.outputs.arn === db.inputs.monitoringRoleArn,
        )!;
        assert.equal(
          JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal.Service,
          "monitoring.rds.amazonaws.com",
        );
        const attachment = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").find(
          (a) => a.inputs.role === role.outputs.name,
        )!;
        assert.match(attachment.inputs.policyArn as string, /AmazonRDSEnhancedMonitoringRole$/);
      });

      it(`exports PostgreSQL logs to log groups created beforehand with ${want.logDays} days' retention`, () => {
        const db = instanceOf(run);
        assert.deepEqual(db.inputs.enabledCloudwatchLogsExports, ["postgresql", "upgrade"]);
        for (const log of ["postgresql", "upgrade"]) {
          const group = ofType(run, "aws:cloudwatch/logGroup:LogGroup").find(
            (g) => g.inputs.name === `/aws/rds/instance/${db.inputs.identifier}/${log}`,
          );
          assert.ok(group, `${log} log group`);
          assert.equal(group.inputs.retentionInDays, want.logDays);
          assert.ok(
            db.options.dependsOn.includes(group.urn),
            `${log} group exists before RDS writes`,
          );
        }
      });

      it("forces TLS and logs slow queries through its parameter group", () => {
        const params = byId(run, instanceOf(run).inputs.parameterGroupName);
        assert.deepEqual(params.inputs.parameters, [
          { name: "rds.force_ssl", value: "1" },
          { name: "log_min_duration_statement", value: run.config[configKey("dbSlowQueryMs")] },
          // Bind parameters (user data) stay out of the log lines.
          { name: "log_parameter_max_length", value: "0" },
          { name: "log_parameter_max_length_on_error", value: "0" },
        ]);
      });

      it("copies tags to snapshots", () => {
        assert.equal(instanceOf(run).inputs.copyTagsToSnapshot, true);
      });

      it("lets RDS manage the master password in Secrets Manager: no password in config or state", () => {
        const db = instanceOf(run);
        assert.equal(db.inputs.manageMasterUserPassword, true);
        assert.equal(db.inputs.password, undefined);
        // The one password in state is ECR's 12-hour push token, which the image build needs.
        const others = run.resources.filter((r) => r.type !== "docker-build:index:Image");
        assert.doesNotMatch(JSON.stringify(others.map((r) => r.inputs)), /"password"/i);
      });

      it("fronts the database with RDS Proxy: PostgreSQL family, TLS, end-to-end IAM and no password entry", () => {
        const proxy = proxyOf(run);
        const db = instanceOf(run);
        assert.equal(proxy.inputs.engineFamily, "POSTGRESQL");
        assert.equal(proxy.inputs.requireTls, true);
        assert.equal(proxy.inputs.defaultAuthScheme, "IAM_AUTH");
        assert.equal(proxy.inputs.auths, undefined);
        const target = one(run, "aws:rds/proxyTarget:ProxyTarget");
        assert.equal(target.inputs.dbInstanceIdentifier, db.outputs.identifier);
        assert.equal(target.inputs.dbProxyName, proxy.outputs.name);
      });

      it("lets the proxy sign in to this instance as the owner and service roles only, and read no secret", () => {
        const proxy = proxyOf(run);
        const role = ofType(run, "aws:iam/role:Role").find(
          (r) => r.outputs.arn === proxy.inputs.roleArn,
        );
        const account = run.config[configKey("accountId")];
        const resourceId = instanceOf(run).outputs.resourceId as string;
        assert.match(resourceId, /^db-[A-Z0-9]+$/);
        assert.deepEqual(policyOf(role, run).Statement, [
          {
            Effect: "Allow",
            Action: "rds-db:connect",
            Resource: [
              `arn:aws:rds-db:${run.config["aws:region"]}:${account}:dbuser:${resourceId}/notes_owner`,
              `arn:aws:rds-db:${run.config["aws:region"]}:${account}:dbuser:${resourceId}/notes_app`,
            ],
          },
        ]);
        // Created in parallel, the proxy cannot sign in until the policy lands.
        const policy = ofType(run, "aws:iam/rolePolicy:RolePolicy").find(
          (p) => p.inputs.role === role!.id,
        )!;
        assert.ok(proxy.options.dependsOn.includes(policy.urn), "the proxy waits for its policy");
      });

      it("places the proxy in the isolated subnets behind the proxy security group", () => {
        const proxy = proxyOf(run);
        const tiers = (proxy.inputs.vpcSubnetIds as string[]).map(
          (id) => (byId(run, id).inputs.tags as Record<string, string>).tier,
        );
        assert.deepEqual(new Set(tiers), new Set(["isolated"]));
        const [sg] = proxy.inputs.vpcSecurityGroupIds as string[];
        assert.equal(groupName(run, sg), "proxy");
        const ingress = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
          .filter((r) => r.inputs.securityGroupId === sg)
          .map((r) => `${r.inputs.fromPort} ${groupName(run, r.inputs.referencedSecurityGroupId)}`);
        assert.deepEqual(ingress, ["5432 service"]);
      });

      it(`sizes the proxy's pool per environment (${want.pool[0]}% max, ${want.pool[1]}% idle)`, () => {
        const group = one(run, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup");
        assert.equal(group.inputs.dbProxyName, proxyOf(run).outputs.name);
        assert.deepEqual(group.inputs.connectionPoolConfig, {
          maxConnectionsPercent: want.pool[0],
          maxIdleConnectionsPercent: want.pool[1],
          connectionBorrowTimeout: 120,
        });
      });

      it("gives the tasks rds-db:connect as the owner and service roles through this proxy (connectResourceArns)", () => {
        const component = one(run, "acme:database:Database");
        const proxyId = (proxyOf(run).outputs.arn as string).split(":").pop();
        assert.match(proxyId!, /^prx-[0-9a-f]{17}$/);
        const user = (name: string) =>
          `arn:aws:rds-db:${run.config["aws:region"]}:${run.config[configKey("accountId")]}:dbuser:${proxyId}/${name}`;
        assert.deepEqual(component.outputs.connectResourceArns, {
          owner: user("notes_owner"),
          app: user("notes_app"),
        });
      });

      it("outputs the proxy endpoint as databaseEndpoint", () => {
        assert.equal(run.stackOutputs.databaseEndpoint, proxyOf(run).outputs.endpoint);
        assert.match(
          run.stackOutputs.databaseEndpoint as string,
          new RegExp(
            `^${run.project}-${stack}\\.proxy-[0-9a-z]+\\.${run.config["aws:region"]}\\.rds\\.amazonaws\\.com$`,
          ),
        );
        assert.equal(run.stackOutputs.databaseUser, "notes_app");
        assert.equal(run.stackOutputs.databaseOwnerUser, "notes_owner");
        assert.notEqual(instanceOf(run).inputs.username, "notes_app");
        assert.equal(run.stackOutputs.databaseName, instanceOf(run).inputs.dbName);
      });
    });
  }
});

describe("Database args", () => {
  const rejection = (args: Partial<DatabaseArgs>) =>
    declarationError(
      () =>
        new Database("unit", {
          subnetIds: ["subnet-a", "subnet-b"],
          databaseSecurityGroupId: "sg-db",
          proxySecurityGroupId: "sg-proxy",
          ...args,
        }),
    );

  it("rejects combinations RDS would refuse, naming the argument", async () => {
    assert.match(
      await rejection({ performanceInsights: true, instanceClass: "db.t3.small" }),
      /Database unit: performanceInsights is not available on db.t3.small/,
    );
    assert.match(
      await rejection({ allocatedStorageGb: 100, maxAllocatedStorageGb: 109 }),
      /Database unit: maxAllocatedStorageGb must be at least 10% above allocatedStorageGb/,
    );
    assert.match(
      await rejection({ backupWindow: "03:10-03:40" }),
      /Database unit: maintenanceWindow sun:03:00-sun:03:30 overlaps backupWindow 03:10-03:40/,
    );
    assert.match(
      await rejection({ proxyMaxConnectionsPercent: 50, proxyMaxIdleConnectionsPercent: 60 }),
      /Database unit: proxyMaxIdleConnectionsPercent must not exceed proxyMaxConnectionsPercent/,
    );
    assert.match(
      await rejection({ subnetIds: ["subnet-a"] }),
      /Database unit: subnetIds must span at least two AZs/,
    );
    assert.match(
      await rejection({ appUser: "app" }),
      /Database unit: username, ownerUser and appUser must be three different users, got app, notes_owner, app/,
    );
  });
});

function keyOf(run: ProgramRun, arn: unknown): RegisteredResource {
  const key = ofType(run, "aws:kms/key:Key").find((k) => k.outputs.arn === arn);
  assert.ok(key, `KMS key ${arn}`);
  return key;
}
