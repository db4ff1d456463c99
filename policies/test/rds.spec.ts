import assert from "node:assert/strict";
import type { RegisteredResource } from "../../scripts/offline/harness";
import {
  addBeside,
  find,
  remove,
  reported,
  set,
  violations,
  type Change,
  type Stack,
} from "./gate";

const instance = "aws:rds/instance:Instance";
const proxy = "aws:rds/proxy:Proxy";
const parameterGroup = "aws:rds/parameterGroup:ParameterGroup";

/** Sets a property of the database instance. */
const onInstance =
  (key: string, value: unknown): Change =>
  (resources) =>
    set(find(resources, instance), key, value);

async function passes(policy: string, stacks: Stack[] = ["staging", "prod"]): Promise<void> {
  for (const stack of stacks) assert.deepEqual(await violations(policy, stack), [], stack);
}

/** A Secrets Manager entry of a proxy, as the classic scheme has one per user. */
const passwordEntry = (iamAuth: string) => ({
  authScheme: "SECRETS",
  secretArn: "arn:aws:secretsmanager:eu-west-1:222222222222:secret:notes_app-AbCdEf",
  iamAuth,
  clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
});

describe("rds", () => {
  describe("rds-instance-storage-encrypted", () => {
    const policy = "rds-instance-storage-encrypted";
    const dbKey = "aws:kms/key:Key";
    /** Points the instance's kmsKeyId at `value`, with no dependency on the stack's key. */
    const keyIdOutside =
      (value: string | undefined): Change =>
      (resources) => {
        const db = find(resources, instance);
        set(db, "kmsKeyId", value);
        delete db.propertyDependencies.kmsKeyId;
      };
    const awsManaged =
      "database prod-db is encrypted with the AWS-managed aws/rds key, whose snapshots cannot " +
      "be shared with a backup account: set kmsKeyId to the ARN of an aws.kms.Key with " +
      "enableKeyRotation (this replaces the instance: restore a snapshot copied to the new key).";

    it("1: reports unencrypted storage", async () => {
      const found = await violations(policy, "prod", onInstance("storageEncrypted", false));
      assert.deepEqual(found, [
        "database prod-db: storageEncrypted is not true: set it with kmsKeyId a customer-managed " +
          "key (this replaces an existing instance: restore an encrypted copy of a snapshot " +
          "instead).",
      ]);
    });

    it("2: reports encryption without kmsKeyId (RDS's AWS-managed key)", async () => {
      assert.deepEqual(await violations(policy, "prod", keyIdOutside(undefined)), [awsManaged]);
    });

    it("3: reports kmsKeyId the aws/rds alias", async () => {
      const found = await violations(
        policy,
        "prod",
        keyIdOutside("arn:aws:kms:eu-west-1:222222222222:alias/aws/rds"),
      );
      assert.deepEqual(found, [awsManaged]);
    });

    it("4: reports an asymmetric key, which RDS cannot encrypt with", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, dbKey, "-db"), "customerMasterKeySpec", "RSA_2048"),
      );
      assert.deepEqual(found, [
        "database staging-db's key staging-db is RSA_2048 for ENCRYPT_DECRYPT: RDS encrypts " +
          "only with a symmetric encryption key (customerMasterKeySpec SYMMETRIC_DEFAULT, " +
          "keyUsage ENCRYPT_DECRYPT).",
      ]);
    });

    it("5: reports a disabled key", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, dbKey, "-db"), "isEnabled", false),
      );
      assert.deepEqual(found, [
        "database staging-db's key staging-db is disabled (isEnabled false): RDS cannot read " +
          "the instance's storage; enable the key.",
      ]);
    });

    it("6: says a key from outside the stack is not checked", async () => {
      const key = "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
      assert.deepEqual(await reported(policy, "prod", keyIdOutside(key)), [
        [
          "advisory",
          `not checked: database prod-db's kmsKeyId ${key} is not a key this stack declares, ` +
            "so whether it is customer-managed, symmetric and enabled cannot be read",
        ],
      ]);
    });

    it("passes the program's instance (encrypted with its own key)", async () => {
      await passes(policy);
    });

    it("passes a kmsKeyId that names the stack's key through its alias", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const alias = find(resources, "aws:kms/alias:Alias", "-db");
        const db = find(resources, instance);
        set(db, "kmsKeyId", "arn:aws:kms:eu-west-1:222222222222:alias/prod-db");
        db.propertyDependencies.kmsKeyId = [alias.urn];
      });
      assert.deepEqual(found, []);
    });
  });

  describe("rds-instance-not-public", () => {
    const policy = "rds-instance-not-public";
    const subnetGroup = "aws:rds/subnetGroup:SubnetGroup";
    const isolatedTable = (resources: RegisteredResource[]) =>
      find(resources, "aws:ec2/routeTable:RouteTable", "-isolated");

    it("1: reports a publicly accessible instance", async () => {
      const found = await violations(policy, "staging", onInstance("publiclyAccessible", true));
      assert.deepEqual(found, [
        "publiclyAccessible is true: set it to false and reach the database from inside the " +
          "VPC (through RDS Proxy; SSM port forwarding for people).",
      ]);
    });

    it("2: reports an instance not public, but in the public subnets", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const publicSubnets = resources.filter(
          (r) => r.type === "aws:ec2/subnet:Subnet" && /-public-\d$/.test(r.name),
        );
        const group = find(resources, subnetGroup);
        set(
          group,
          "subnetIds",
          publicSubnets.map((s) => s.outputs.id),
        );
        group.propertyDependencies.subnetIds = publicSubnets.map((s) => s.urn);
      });
      assert.equal(found.length, 3);
      assert.match(
        found[0],
        /^database prod-db is in subnet prod-public-1, whose route table prod-public routes to an internet gateway: /,
      );
    });

    it("3: reports an internet route added to the isolated subnets' table", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const table = isolatedTable(resources);
        addBeside(resources, table, "aws:ec2/route:Route", "staging-isolated-out", {
          routeTableId: table.outputs.id,
          destinationCidrBlock: "0.0.0.0/0",
          gatewayId: "igw-0example",
        }).propertyDependencies.routeTableId = [table.urn];
      });
      assert.ok(found.length > 0);
      assert.ok(found.every((m) => m.includes("whose route table staging-isolated routes to")));
    });

    it("4: says a subnet group from outside the stack is not checked", async () => {
      const found = await reported(policy, "prod", (resources) => {
        const db = find(resources, instance);
        set(db, "dbSubnetGroupName", "shared-db-subnets");
        delete db.propertyDependencies.dbSubnetGroupName;
      });
      assert.deepEqual(found, [
        [
          "advisory",
          "not checked: database prod-db's subnet group is not one this stack declares, so " +
            "whether its subnets route to the internet cannot be read",
        ],
      ]);
    });

    it("passes the program's instance (isolated subnets, not public)", async () => {
      await passes(policy);
    });
  });

  describe("rds-instance-backup-retention", () => {
    const policy = "rds-instance-backup-retention";

    it("1: reports backups turned off", async () => {
      const found = await violations(policy, "staging", onInstance("backupRetentionPeriod", 0));
      assert.deepEqual(found, [
        "automated backups are off (backupRetentionPeriod 0): set at least 7 days.",
      ]);
    });

    it("2: reports prod below config/prod.json's 35 days", async () => {
      const found = await violations(policy, "prod", onInstance("backupRetentionPeriod", 7));
      assert.deepEqual(found, [
        "backupRetentionPeriod is 7 day(s): this environment requires at least 35.",
      ]);
    });

    it("3: reports an unset retention (RDS keeps one day)", async () => {
      const found = await violations(
        policy,
        "staging",
        onInstance("backupRetentionPeriod", undefined),
      );
      assert.deepEqual(found, [
        "backupRetentionPeriod is 1 day(s): this environment requires at least 7.",
      ]);
    });

    it("4: reports a retention longer than the 35 days RDS accepts", async () => {
      const found = await violations(policy, "prod", onInstance("backupRetentionPeriod", 90));
      assert.deepEqual(found, [
        "backupRetentionPeriod is 90 days: RDS accepts at most 35, so the deployment fails; set " +
          "35 or less and keep longer copies with an AWS Backup plan.",
      ]);
    });

    it("passes the program's instances (staging 7 days, prod 35)", async () => {
      await passes(policy);
    });
  });

  describe("rds-instance-deletion-protection", () => {
    const policy = "rds-instance-deletion-protection";
    const message =
      "deletionProtection is not true: set it (the stack's dbDeletionProtection), so deleting " +
      "the database takes a deliberate change first.";

    it("1: blocks prod without deletion protection", async () => {
      assert.deepEqual(await reported(policy, "prod", onInstance("deletionProtection", false)), [
        ["mandatory", message],
      ]);
    });

    it("2: only advises in staging, whose data is rebuildable (config/staging.json)", async () => {
      assert.deepEqual(await reported(policy, "staging"), [["advisory", message]]);
    });

    it("passes prod's instance", async () => {
      await passes(policy, ["prod"]);
    });
  });

  describe("rds-instance-multi-az", () => {
    const policy = "rds-instance-multi-az";
    const message =
      "multiAz is not true: set it (the stack's dbMultiAz); it doubles the instance and " +
      "storage cost, and the change applies in the maintenance window.";

    it("1: blocks a single-AZ prod database", async () => {
      assert.deepEqual(await reported(policy, "prod", onInstance("multiAz", false)), [
        ["mandatory", message],
      ]);
    });

    it("2: only advises in staging, which runs single-AZ to save cost (config/staging.json)", async () => {
      assert.deepEqual(await reported(policy, "staging"), [["advisory", message]]);
    });

    it("passes prod's instance (Multi-AZ)", async () => {
      await passes(policy, ["prod"]);
    });
  });

  describe("rds-instance-enhanced-monitoring", () => {
    const policy = "rds-instance-enhanced-monitoring";

    it("1: reports Enhanced Monitoring off", async () => {
      const found = await violations(policy, "prod", onInstance("monitoringInterval", 0));
      assert.deepEqual(found, [
        "Enhanced Monitoring is off: set monitoringInterval (60 seconds or less) and " +
          "monitoringRoleArn a role with AmazonRDSEnhancedMonitoringRole.",
      ]);
    });

    it("2: reports an interval without a monitoring role", async () => {
      const found = await violations(policy, "staging", onInstance("monitoringRoleArn", undefined));
      assert.deepEqual(found, [
        "monitoringInterval is set without monitoringRoleArn: add a role that " +
          "monitoring.rds.amazonaws.com assumes, with AmazonRDSEnhancedMonitoringRole.",
      ]);
    });

    it("3: reports an interval RDS does not accept (300 s, not 60 or less)", async () => {
      const found = await violations(policy, "prod", onInstance("monitoringInterval", 300));
      assert.deepEqual(found, [
        "monitoringInterval is 300: RDS accepts only 1, 5, 10, 15, 30, 60 seconds (0 is off), " +
          "so the deployment fails; set 60 or less from that list.",
      ]);
    });

    it("passes the program's instances (60 s in staging, 15 s in prod)", async () => {
      await passes(policy);
    });
  });

  describe("rds-instance-auto-minor-version-upgrade", () => {
    const policy = "rds-instance-auto-minor-version-upgrade";

    it("1: reports automatic minor upgrades turned off", async () => {
      const found = await violations(policy, "prod", onInstance("autoMinorVersionUpgrade", false));
      assert.deepEqual(found, [
        "autoMinorVersionUpgrade is false: set it to true and engineVersion to a major version " +
          'only (such as "17"), so security fixes arrive in the maintenance window.',
      ]);
    });

    it("2: reports a PostgreSQL version pinned to a minor release", async () => {
      const found = await violations(policy, "prod", onInstance("engineVersion", "17.2"));
      assert.deepEqual(found, [
        'engineVersion "17.2" pins a minor version: RDS upgrades past it in the maintenance ' +
          'window and the next deployment asks for it again; set the major version only ("17").',
      ]);
    });

    it("3: reports a MySQL version pinned to a minor release (its major has a dot)", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const db = find(resources, instance);
        set(db, "engine", "mysql");
        set(db, "engineVersion", "8.0.36");
      });
      assert.equal(found.length, 1);
      assert.match(found[0], /set the major version only \("8\.0"\)\.$/);
    });

    it("passes the program's instance and an unset flag (RDS's default, on)", async () => {
      await passes(policy);
      assert.deepEqual(
        await violations(policy, "staging", (resources) => {
          const db = find(resources, instance);
          set(db, "engine", "mysql");
          set(db, "engineVersion", "8.0");
        }),
        [],
      );
      assert.deepEqual(
        await violations(policy, "staging", onInstance("autoMinorVersionUpgrade", undefined)),
        [],
      );
    });
  });

  describe("rds-instance-copy-tags-to-snapshot", () => {
    const policy = "rds-instance-copy-tags-to-snapshot";

    it("1: reports snapshots without the instance's tags (unset: off)", async () => {
      const found = await violations(
        policy,
        "staging",
        onInstance("copyTagsToSnapshot", undefined),
      );
      assert.deepEqual(found, ["copyTagsToSnapshot is not true: set it to true."]);
    });

    it("2: reports copyTagsToSnapshot set to false", async () => {
      const found = await violations(policy, "prod", onInstance("copyTagsToSnapshot", false));
      assert.deepEqual(found, ["copyTagsToSnapshot is not true: set it to true."]);
    });

    it("passes the program's instance", async () => {
      await passes(policy);
    });
  });

  describe("rds-instance-log-exports", () => {
    const policy = "rds-instance-log-exports";

    it("1: reports PostgreSQL without its upgrade log", async () => {
      const found = await violations(
        policy,
        "prod",
        onInstance("enabledCloudwatchLogsExports", ["postgresql"]),
      );
      assert.deepEqual(found, [
        "logs not exported to CloudWatch: upgrade: add them to enabledCloudwatchLogsExports " +
          "(and create their log groups with a retention first).",
      ]);
    });

    it("2: reports an instance that exports nothing", async () => {
      const found = await violations(
        policy,
        "staging",
        onInstance("enabledCloudwatchLogsExports", undefined),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^logs not exported to CloudWatch: postgresql, upgrade: /);
    });

    it("3: reports two logs exported where one is not the engine's (iam-db-auth-error for upgrade)", async () => {
      // Both are log types RDS accepts for PostgreSQL; only the upgrade log is missing.
      const found = await violations(
        policy,
        "prod",
        onInstance("enabledCloudwatchLogsExports", ["postgresql", "iam-db-auth-error"]),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^logs not exported to CloudWatch: upgrade: /);
    });

    it("passes the program's instance (postgresql and upgrade logs)", async () => {
      await passes(policy);
    });
  });

  describe("rds-instance-custom-admin-username", () => {
    const policy = "rds-instance-custom-admin-username";
    const isDefault = (name: string) =>
      `username is the default "${name}": choose another master username (this replaces ` +
      "the instance).";

    it("1: reports the default PostgreSQL superuser name", async () => {
      const found = await violations(policy, "prod", onInstance("username", "postgres"));
      assert.deepEqual(found, [isDefault("postgres")]);
    });

    it("2: reports the other engines' default, admin, on PostgreSQL too", async () => {
      const found = await violations(policy, "prod", onInstance("username", "admin"));
      assert.deepEqual(found, [isDefault("admin")]);
    });

    it("3: reports a default in other case", async () => {
      const found = await violations(policy, "staging", onInstance("username", "Postgres"));
      assert.deepEqual(found, [isDefault("Postgres")]);
    });

    it("4: reports admin on a MySQL instance", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const db = find(resources, instance);
        set(db, "engine", "mysql");
        set(db, "username", "admin");
      });
      assert.deepEqual(found, [isDefault("admin")]);
    });

    it("passes the program's instance (app)", async () => {
      await passes(policy);
    });
  });

  describe("rds-instance-force-ssl", () => {
    const policy = "rds-instance-force-ssl";
    const parameters =
      (list: { name: string; value: string }[]): Change =>
      (resources) =>
        set(find(resources, parameterGroup), "parameters", list);

    it("1: reports a parameter group without rds.force_ssl", async () => {
      const found = await violations(
        policy,
        "prod",
        parameters([{ name: "log_min_duration_statement", value: "500" }]),
      );
      assert.deepEqual(found, [
        "database prod-db accepts connections without TLS: set parameter rds.force_ssl = 1 in " +
          "its parameter group prod-db.",
      ]);
    });

    it("2: reports rds.force_ssl = 0", async () => {
      const found = await violations(
        policy,
        "staging",
        parameters([{ name: "rds.force_ssl", value: "0" }]),
      );
      assert.equal(found.length, 1);
    });

    it("3: reports a PostgreSQL 14 instance on the default group (which allows plain text)", async () => {
      const found = await violations(policy, "staging", (resources) => {
        remove(resources, find(resources, parameterGroup));
        const db = find(resources, instance);
        set(db, "parameterGroupName", undefined);
        set(db, "engineVersion", "14");
        delete db.propertyDependencies.parameterGroupName;
      });
      assert.deepEqual(found, [
        "database staging-db uses a parameter group this stack does not declare, so TLS cannot " +
          "be checked: declare an aws.rds.ParameterGroup with rds.force_ssl = 1 and set it as " +
          "parameterGroupName.",
      ]);
    });

    it("4: reports ssl_min_protocol_version lowered to TLSv1.1 beside rds.force_ssl = 1", async () => {
      const found = await violations(
        policy,
        "prod",
        parameters([
          { name: "rds.force_ssl", value: "1" },
          { name: "ssl_min_protocol_version", value: "TLSv1.1" },
        ]),
      );
      assert.deepEqual(found, [
        "database prod-db accepts TLS 1.1: parameter ssl_min_protocol_version is TLSv1.1 in its " +
          "parameter group prod-db; set it to TLSv1.2 (or remove it: PostgreSQL's default is " +
          "TLSv1.2).",
      ]);
    });

    it("passes ssl_min_protocol_version TLSv1.3", async () => {
      const found = await violations(
        policy,
        "staging",
        parameters([
          { name: "rds.force_ssl", value: "1" },
          { name: "ssl_min_protocol_version", value: "TLSv1.3" },
        ]),
      );
      assert.deepEqual(found, []);
    });

    it("passes the program's instances (rds.force_ssl = 1)", async () => {
      await passes(policy);
    });

    it("passes while another parameter group's name is not known yet (a preview)", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const group = find(resources, parameterGroup);
        const other = addBeside(resources, group, parameterGroup, "reporting", {
          family: "postgres17",
          // The engine's sentinel for a string not known until the resource is created.
          name: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        });
        // First, so the instance's group is looked for among the unknown one too.
        remove(resources, other);
        resources.unshift(other);
      });
      assert.deepEqual(found, []);
    });

    it("passes PostgreSQL 17 on the default group, which forces TLS", async () => {
      const found = await violations(policy, "prod", (resources) => {
        remove(resources, find(resources, parameterGroup));
        const db = find(resources, instance);
        set(db, "parameterGroupName", undefined);
        delete db.propertyDependencies.parameterGroupName;
      });
      assert.deepEqual(found, []);
    });
  });

  describe("rds-instance-iam-authentication", () => {
    const policy = "rds-instance-iam-authentication";
    const message =
      "database prod-db accepts passwords only: set iamDatabaseAuthenticationEnabled true, or " +
      'put it behind an aws.rds.Proxy whose auths have iamAuth "REQUIRED".';

    it("1: reports an instance without IAM auth and no proxy", async () => {
      const found = await violations(policy, "prod", (resources) => {
        remove(resources, find(resources, "aws:rds/proxyTarget:ProxyTarget"));
        set(find(resources, instance), "iamDatabaseAuthenticationEnabled", false);
      });
      assert.deepEqual(found, [message]);
    });

    it("2: reports an instance without IAM auth behind a proxy that also takes passwords", async () => {
      const found = await violations(policy, "prod", (resources) => {
        set(find(resources, instance), "iamDatabaseAuthenticationEnabled", false);
        set(find(resources, proxy), "auths", [
          passwordEntry("REQUIRED"),
          passwordEntry("DISABLED"),
        ]);
      });
      assert.deepEqual(found, [message]);
    });

    it("passes the program's instance, with IAM database authentication of its own", async () => {
      await passes(policy);
    });

    it("passes an instance without IAM auth behind a proxy whose every auth requires IAM", async () => {
      const found = await violations(policy, "staging", (resources) => {
        set(find(resources, instance), "iamDatabaseAuthenticationEnabled", false);
        set(find(resources, proxy), "auths", [passwordEntry("REQUIRED")]);
      });
      assert.deepEqual(found, []);
    });
  });

  describe("rds-proxy-require-tls", () => {
    const policy = "rds-proxy-require-tls";

    it("1: reports a proxy that accepts plain text", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, proxy), "requireTls", false),
      );
      assert.deepEqual(found, [
        "requireTls is not true: set it, so no client reaches the database in clear text.",
      ]);
    });

    it("passes the program's proxy", async () => {
      await passes(policy);
    });
  });

  describe("rds-proxy-iam-auth", () => {
    const policy = "rds-proxy-iam-auth";

    it("1: reports an auth with IAM optional", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, proxy), "auths", [passwordEntry("OPTIONAL")]),
      );
      assert.deepEqual(found, [
        'an auth of the proxy has iamAuth OPTIONAL: set iamAuth "REQUIRED" and grant clients ' +
          "rds-db:connect on the proxy's dbuser ARN.",
      ]);
    });

    it("2: reports a password entry beside end-to-end IAM (a mix AWS does not document)", async () => {
      const found = await violations(policy, "prod", (resources) => {
        assert.equal(find(resources, proxy).inputs.defaultAuthScheme, "IAM_AUTH");
        set(find(resources, proxy), "auths", [passwordEntry("DISABLED")]);
      });
      assert.deepEqual(found, [
        'an auth of the proxy has iamAuth DISABLED: set iamAuth "REQUIRED" and grant clients ' +
          "rds-db:connect on the proxy's dbuser ARN.",
      ]);
    });

    it("passes the program's proxy (end-to-end IAM, no password entry at all)", async () => {
      await passes(policy);
    });

    it("passes a classic proxy whose every auth requires IAM", async () => {
      const found = await violations(policy, "staging", (resources) => {
        set(find(resources, proxy), "defaultAuthScheme", "NONE");
        set(find(resources, proxy), "auths", [passwordEntry("REQUIRED")]);
      });
      assert.deepEqual(found, []);
    });
  });
});
