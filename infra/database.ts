import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { serviceTrustPolicy } from "./trust";
import { lacksPerformanceInsights, minimumStorageCeiling, windowsOverlap } from "./aws-limits";

/**
 * The settings a stack file tunes (infra/config/database.ts reads them, one key each); the rest of the
 * args are wiring from other components.
 */
export interface DatabaseSettings {
  /** PostgreSQL major version; minor versions upgrade in the maintenance window. Default "17". */
  engineVersion?: string;
  /** Default "db.t4g.micro". Changing it restarts the instance (fails over when Multi-AZ). */
  instanceClass?: string;
  /** Initial gp3 storage (GiB). Default 20. */
  allocatedStorageGb?: number;
  /** Storage autoscaling ceiling (GiB), at least 10% above `allocatedStorageGb`. Default 100. */
  maxAllocatedStorageGb?: number;
  /** Standby in a second AZ with automatic failover. Default false. */
  multiAz?: boolean;
  /** Days of automated backups: the point-in-time recovery window, 1 to 35. Default 7. */
  backupRetentionDays?: number;
  /** Daily backup window, UTC. Default "02:00-02:30". */
  backupWindow?: string;
  /** Weekly maintenance window, UTC; must not overlap the backup window. Default "sun:03:00-sun:03:30". */
  maintenanceWindow?: string;
  /** RDS deletion protection plus Pulumi `protect` on the instance and its key. Default true. */
  deletionProtection?: boolean;
  /** Snapshot the instance when it is deleted. Default true. */
  finalSnapshot?: boolean;
  /** Performance Insights, 7 days (free tier); not available on micro/small classes. Default false. */
  performanceInsights?: boolean;
  /** Enhanced Monitoring interval in seconds; 0 turns it off. Default 60. */
  monitoringIntervalSeconds?: number;
  /** Statements slower than this many ms are logged; 0 logs every one. Default 500. */
  slowQueryMs?: number;
  /**
   * Log lines of slow and failed statements keep their bind parameters, which are user data.
   * Default false: `log_parameter_max_length` and `log_parameter_max_length_on_error` are 0.
   */
  logQueryParameters?: boolean;
  /** Share of `max_connections` the proxy may open to the instance. Default 90. */
  proxyMaxConnectionsPercent?: number;
  /** Share of `max_connections` the proxy keeps open while idle. Default 50. */
  proxyMaxIdleConnectionsPercent?: number;
}

export interface DatabaseArgs extends DatabaseSettings {
  /**
   * Subnets of the database and its proxy, in at least two AZs: the Network's isolated subnets
   * (no route out; the proxy reads its secret on the AWS side, not through the VPC).
   */
  subnetIds: pulumi.Input<string>[];
  /** Security group of the instance: the database port from the proxy only. */
  databaseSecurityGroupId: pulumi.Input<string>;
  /** Security group of the proxy: the database port from the service only. */
  proxySecurityGroupId: pulumi.Input<string>;
  /**
   * RDS identifier of the instance and the proxy; the log group names derive from it, so it is
   * fixed rather than auto-named. Changing it replaces the database. Default: the component name.
   */
  identifier?: string;
  /** Days the PostgreSQL, upgrade and proxy logs are kept in CloudWatch. Default 30. */
  logRetentionDays?: number;
  /** Database created in the instance. Default "app". Changing it replaces the database. */
  databaseName?: string;
  /**
   * Master user. Nothing connects as it at runtime: only the role bootstrap, with the RDS-managed
   * password, directly on the instance (the proxy does not carry it). Default "app".
   */
  username?: string;
  /** Role the migrations run as; owns the schema (app/README.md, "Database roles"). Default "notes_owner". */
  ownerUser?: string;
  /** Role the service runs as; DML only. Default "notes_app". */
  appUser?: string;
}

/** The database engine and the RDS Proxy engine family that speaks its protocol. */
export const engine = "postgres";
/**
 * RDS Proxy fronts PostgreSQL only with engine family POSTGRESQL; another family fails the create.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html
 */
export const proxyEngineFamily: Record<typeof engine, string> = { postgres: "POSTGRESQL" };

export const databasePort = 5432;

/**
 * PostgreSQL (13 and later; the stacks run 15 to 17) appends a logged statement's bind
 * parameters to its log line, slow or failed, unless these are 0: names, e-mails, notes would
 * land in CloudWatch Logs, kept for months and readable by whoever reads the logs. Both are
 * dynamic (no reboot); RDS's parameter list for PostgreSQL 13+ marks them modifiable, which
 * only a real `pulumi up` (ModifyDBParameterGroup) proves.
 * https://www.postgresql.org/docs/17/runtime-config-logging.html#GUC-LOG-PARAMETER-MAX-LENGTH
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Parameters.html
 */
export const withoutBindParameters = [
  { name: "log_parameter_max_length", value: "0" },
  { name: "log_parameter_max_length_on_error", value: "0" },
];

/**
 * RDS PostgreSQL behind RDS Proxy.
 *
 * The instance sits in isolated subnets, encrypted with a customer-managed KMS key (rotated
 * yearly), its master password generated and rotated by RDS in Secrets Manager: the password is
 * never in config or state. The migrations and the service connect only to the proxy, over TLS,
 * as their own roles (`ownerUser`, `appUser`, both `rds_iam`, no password) with IAM tokens
 * (`rds-db:connect` on `connectResourceArns`), and the proxy signs in to the instance as the same
 * role with an IAM token of its own (end-to-end IAM). Only the role bootstrap signs in as the
 * master, with its password, directly on the instance (see "Database identities" below).
 *
 * Database identities: why the proxy carries no password. AWS documents end-to-end IAM
 * (`DefaultAuthScheme: IAM_AUTH`: "If you don't specify DefaultAuthScheme or specify this
 * parameter as NONE, you must specify the Auth option", CreateDBProxy API reference; the proxy's
 * role needs `rds-db:connect` on the instance's users, RDS User Guide "Configuring IAM
 * authentication for RDS Proxy"), and the classic scheme, a Secrets Manager secret per user. It
 * does not document a proxy whose default is IAM_AUTH also honouring a SECRETS entry for one
 * user, which is what the master would need to sign in through it by password. So the proxy is
 * end-to-end IAM with no `auths` at all, and the master is reached on the instance directly, by
 * a one-off task that alone may read its secret (infra/role-bootstrap.ts). Secrets per role
 * (the classic scheme) would add two passwords to generate, store, rotate and set, and the
 * bootstrap would still need the master; the master through the proxy with IAM would need a
 * role that may sign tokens for it, which, shared by the service's containers, is worse.
 *
 * Cost (eu-west-1 on-demand list prices as recalled in November 2026, not fetched; check the RDS
 * pricing page): db.t4g.micro ~$0.018/h (~$13/month), db.t4g.medium ~$0.072/h (~$53/month, x2
 * Multi-AZ); gp3 ~$0.127/GB-month (x2 Multi-AZ); RDS Proxy ~$0.015-0.018 per vCPU-hour of the
 * instance, 2 vCPUs minimum (~$22-26/month, the same for both classes); the KMS key $1/month;
 * the master secret $0.40/month; automated backups free up to the provisioned storage.
 */
export class Database extends pulumi.ComponentResource {
  readonly instance: aws.rds.Instance;
  readonly proxy: aws.rds.Proxy;
  readonly kmsKey: aws.kms.Key;
  /** The exported PostgreSQL log (slow statements among it). */
  readonly postgresLogGroup: aws.cloudwatch.LogGroup;
  /** What the service connects to (TLS, IAM auth). */
  readonly proxyEndpoint: pulumi.Output<string>;
  readonly port = databasePort;
  readonly databaseName: string;
  /** The master user: the role bootstrap's only. */
  readonly username: string;
  /** The migrations' and the service's database roles. */
  readonly users: { owner: string; app: string };
  /**
   * Resources of the tasks' `rds-db:connect` permission: the owner and the service role, through
   * the proxy (`arn:<partition>:rds-db:<region>:<account>:dbuser:<prx-id>/<user>`); never the master.
   */
  readonly connectResourceArns: { owner: pulumi.Output<string>; app: pulumi.Output<string> };
  /** Secrets Manager ARN of the RDS-managed master password. */
  readonly masterSecretArn: pulumi.Output<string>;

  private readonly name: string;
  private readonly args: Required<DatabaseArgs>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("acme:database:Database", name, {}, opts);
    this.name = name;
    this.args = {
      identifier: name,
      engineVersion: "17",
      instanceClass: "db.t4g.micro",
      allocatedStorageGb: 20,
      maxAllocatedStorageGb: 100,
      multiAz: false,
      backupRetentionDays: 7,
      backupWindow: "02:00-02:30",
      maintenanceWindow: "sun:03:00-sun:03:30",
      deletionProtection: true,
      finalSnapshot: true,
      performanceInsights: false,
      monitoringIntervalSeconds: 60,
      slowQueryMs: 500,
      logQueryParameters: false,
      logRetentionDays: 30,
      databaseName: "app",
      username: "app",
      ownerUser: "notes_owner",
      appUser: "notes_app",
      proxyMaxConnectionsPercent: 90,
      proxyMaxIdleConnectionsPercent: 50,
      ...args,
    };
    this.checkArgs();
    this.databaseName = this.args.databaseName;
    this.username = this.args.username;
    this.users = { owner: this.args.ownerUser, app: this.args.appUser };

    this.kmsKey = this.createKey();
    const logGroups = this.createLogGroups();
    this.postgresLogGroup = logGroups[0];
    this.instance = this.createInstance(logGroups);
    this.masterSecretArn = this.instance.masterUserSecrets.apply((secrets) => {
      if (!secrets?.[0]?.secretArn)
        throw new Error(`Database ${name}: RDS returned no master secret`);
      return secrets[0].secretArn;
    });
    this.proxy = this.createProxy();
    this.proxyEndpoint = this.proxy.endpoint;
    const throughProxy = (user: string) =>
      this.proxy.arn.apply((arn) => {
        // arn:<partition>:rds:<region>:<account>:db-proxy:<prx-id>
        const [, partition, , region, account, , proxyId] = arn.split(":");
        return dbUserArn(partition, region, account, proxyId, user);
      });
    this.connectResourceArns = {
      owner: throughProxy(this.users.owner),
      app: throughProxy(this.users.app),
    };

    this.registerOutputs({
      proxyEndpoint: this.proxyEndpoint,
      connectResourceArns: this.connectResourceArns,
      instanceArn: this.instance.arn,
    });
  }

  /** Combinations RDS would reject at create time, refused before anything is declared. */
  private checkArgs(): void {
    const a = this.args;
    const fail = (message: string) => {
      throw new Error(`Database ${this.name}: ${message}`);
    };
    if (a.performanceInsights && lacksPerformanceInsights(a.instanceClass)) {
      fail(`performanceInsights is not available on ${a.instanceClass}`);
    }
    if (a.maxAllocatedStorageGb < minimumStorageCeiling(a.allocatedStorageGb)) {
      fail("maxAllocatedStorageGb must be at least 10% above allocatedStorageGb");
    }
    if (windowsOverlap(a.backupWindow, a.maintenanceWindow)) {
      fail(`maintenanceWindow ${a.maintenanceWindow} overlaps backupWindow ${a.backupWindow}`);
    }
    if (a.proxyMaxIdleConnectionsPercent > a.proxyMaxConnectionsPercent) {
      fail("proxyMaxIdleConnectionsPercent must not exceed proxyMaxConnectionsPercent");
    }
    if (a.subnetIds.length < 2) fail("subnetIds must span at least two AZs");
    const users = [a.username, a.ownerUser, a.appUser];
    if (new Set(users).size !== users.length) {
      fail(
        `username, ownerUser and appUser must be three different users, got ${users.join(", ")}`,
      );
    }
  }

  /** One key for storage, Performance Insights and the master secret; losing it loses the data. */
  private createKey(): aws.kms.Key {
    const key = new aws.kms.Key(
      `${this.name}-db`,
      {
        description: `Encrypts database ${this.args.identifier}: storage, snapshots, master secret`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      },
      { parent: this, protect: this.args.deletionProtection },
    );
    new aws.kms.Alias(
      `${this.name}-db`,
      { name: `alias/${this.args.identifier}-db`, targetKeyId: key.keyId },
      { parent: this },
    );
    return key;
  }

  /**
   * RDS would create these groups itself, keeping logs forever; created first, they carry the
   * environment's retention.
   */
  private createLogGroups(): aws.cloudwatch.LogGroup[] {
    const { identifier, logRetentionDays } = this.args;
    const group = (suffix: string, name: string) =>
      new aws.cloudwatch.LogGroup(
        `${this.name}-${suffix}`,
        { name, retentionInDays: logRetentionDays },
        { parent: this },
      );
    return [
      group("postgresql-logs", `/aws/rds/instance/${identifier}/postgresql`),
      group("upgrade-logs", `/aws/rds/instance/${identifier}/upgrade`),
      group("proxy-logs", `/aws/rds/proxy/${identifier}`),
    ];
  }

  private createInstance(logGroups: aws.cloudwatch.LogGroup[]): aws.rds.Instance {
    const a = this.args;
    const subnetGroup = new aws.rds.SubnetGroup(
      `${this.name}-db`,
      { description: `Isolated subnets of ${a.identifier}`, subnetIds: a.subnetIds },
      { parent: this },
    );
    const parameterGroup = new aws.rds.ParameterGroup(
      `${this.name}-db`,
      {
        family: `${engine}${a.engineVersion}`,
        description: `${a.identifier}: TLS only, slow-query log`,
        parameters: [
          { name: "rds.force_ssl", value: "1" },
          { name: "log_min_duration_statement", value: String(a.slowQueryMs) },
          ...(a.logQueryParameters ? [] : withoutBindParameters),
        ],
      },
      { parent: this },
    );
    const monitoringRole =
      a.monitoringIntervalSeconds > 0 ? this.createMonitoringRole() : undefined;

    const replacedBy = {
      identifier: a.identifier,
      engine,
      kmsKeyId: this.kmsKey.arn,
      dbName: a.databaseName,
      username: a.username,
    };
    // RDS refuses a final snapshot whose name exists, so a fixed name lets only the first
    // deletion or replacement of the instance through. The suffix changes whenever an input
    // that replaces the instance does (terraform-provider-aws marks these ForceNew,
    // internal/service/rds/instance.go), so each instance ends in a snapshot of its own.
    const finalSnapshotSuffix = a.finalSnapshot
      ? new random.RandomId(
          `${this.name}-db-final-snapshot`,
          { byteLength: 4, keepers: replacedBy },
          { parent: this },
        )
      : undefined;
    return new aws.rds.Instance(
      `${this.name}-db`,
      {
        ...replacedBy,
        // A major version only: RDS picks the newest minor and upgrades it automatically.
        engineVersion: a.engineVersion,
        autoMinorVersionUpgrade: true,
        allowMajorVersionUpgrade: false,
        instanceClass: a.instanceClass,
        storageType: "gp3",
        allocatedStorage: a.allocatedStorageGb,
        maxAllocatedStorage: a.maxAllocatedStorageGb,
        storageEncrypted: true,
        manageMasterUserPassword: true,
        // The proxy signs in as the owner and service roles with IAM tokens (they are granted
        // `rds_iam` and have no password); the master keeps its password and never gets `rds_iam`.
        // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html
        iamDatabaseAuthenticationEnabled: true,
        masterUserSecretKmsKeyId: this.kmsKey.arn,
        port: databasePort,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [a.databaseSecurityGroupId],
        publiclyAccessible: false,
        multiAz: a.multiAz,
        parameterGroupName: parameterGroup.name,
        backupRetentionPeriod: a.backupRetentionDays,
        backupWindow: a.backupWindow,
        maintenanceWindow: a.maintenanceWindow,
        copyTagsToSnapshot: true,
        deletionProtection: a.deletionProtection,
        skipFinalSnapshot: !a.finalSnapshot,
        finalSnapshotIdentifier: finalSnapshotSuffix
          ? pulumi.interpolate`${a.identifier}-final-${finalSnapshotSuffix.hex}`
          : undefined,
        performanceInsightsEnabled: a.performanceInsights,
        performanceInsightsKmsKeyId: a.performanceInsights ? this.kmsKey.arn : undefined,
        performanceInsightsRetentionPeriod: a.performanceInsights ? 7 : undefined,
        monitoringInterval: a.monitoringIntervalSeconds,
        monitoringRoleArn: monitoringRole?.arn,
        enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      },
      { parent: this, protect: a.deletionProtection, dependsOn: logGroups },
    );
  }

  private createMonitoringRole(): aws.iam.Role {
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const role = new aws.iam.Role(
      `${this.name}-db-monitoring`,
      {
        description: "Lets RDS Enhanced Monitoring publish OS metrics to CloudWatch Logs",
        // Enhanced Monitoring sends the instance's ARN and account ("Protecting against the
        // confused deputy problem",
        // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html);
        // the identifier is fixed, so the ARN is known before the instance exists.
        assumeRolePolicy: serviceTrustPolicy("monitoring.rds.amazonaws.com", {
          sourceAccount: account,
          sourceArn: pulumi.interpolate`arn:${partition}:rds:${region}:${account}:db:${this.args.identifier}`,
        }),
      },
      { parent: this },
    );
    new aws.iam.RolePolicyAttachment(
      `${this.name}-db-monitoring`,
      {
        role: role.name,
        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
      },
      { parent: this },
    );
    return role;
  }

  private createProxy(): aws.rds.Proxy {
    const a = this.args;
    const role = new aws.iam.Role(
      `${this.name}-db-proxy`,
      {
        description: `Lets RDS Proxy ${a.identifier} sign in to its database as the owner and service roles`,
        // RDS Proxy's role setup shows a trust policy without source keys and no AWS page says
        // the proxy sends them, so a condition could refuse the proxy on its first connection.
        assumeRolePolicy: serviceTrustPolicy("rds.amazonaws.com", {
          unconditionedBecause:
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-setup.html",
        }),
      },
      { parent: this },
    );
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const rolePolicy = new aws.iam.RolePolicy(
      `${this.name}-db-proxy`,
      {
        role: role.id,
        policy: pulumi
          .all([partition, region, account, this.instance.resourceId])
          .apply(([awsPartition, regionName, accountId, resourceId]) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  // End-to-end IAM: the proxy signs in to the instance as the client's user with
                  // a token of its own, so it may connect as exactly the two roles, on this
                  // instance (its resource id, not its name). No secret to read.
                  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-setup.html
                  Effect: "Allow",
                  Action: "rds-db:connect",
                  Resource: [a.ownerUser, a.appUser].map((user) =>
                    dbUserArn(awsPartition, regionName, accountId, resourceId, user),
                  ),
                },
              ],
            }),
          ),
      },
      { parent: this },
    );

    const proxy = new aws.rds.Proxy(
      `${this.name}-db`,
      {
        name: a.identifier,
        engineFamily: proxyEngineFamily[engine],
        requireTls: true,
        roleArn: role.arn,
        vpcSubnetIds: a.subnetIds,
        vpcSecurityGroupIds: [a.proxySecurityGroupId],
        idleClientTimeout: 1800,
        debugLogging: false,
        // Every client signs in with an IAM token, and the proxy signs in to the instance as the
        // same user with IAM too; no `auths` (required only when this is NONE), so no password
        // path through the proxy exists, not even the master's.
        // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html
        defaultAuthScheme: "IAM_AUTH",
      },
      // The proxy signs in with its role as soon as it exists; created alongside the role's
      // policy, it fails to connect until the policy lands, and the first target registration
      // times out.
      { parent: this, dependsOn: [rolePolicy] },
    );
    const targetGroup = new aws.rds.ProxyDefaultTargetGroup(
      `${this.name}-db`,
      {
        dbProxyName: proxy.name,
        connectionPoolConfig: {
          maxConnectionsPercent: a.proxyMaxConnectionsPercent,
          maxIdleConnectionsPercent: a.proxyMaxIdleConnectionsPercent,
          // A client waits this long for a pooled connection before getting an error.
          connectionBorrowTimeout: 120,
        },
      },
      { parent: this },
    );
    new aws.rds.ProxyTarget(
      `${this.name}-db`,
      {
        dbProxyName: proxy.name,
        targetGroupName: targetGroup.name,
        dbInstanceIdentifier: this.instance.identifier,
      },
      { parent: this },
    );
    return proxy;
  }
}

/** `arn:<partition>:rds-db:<region>:<account>:dbuser:<resource id>/<user>`: an `rds-db:connect` resource. */
export function dbUserArn(
  partition: string,
  region: string,
  account: string,
  resourceId: string,
  user: string,
): string {
  return `arn:${partition}:rds-db:${region}:${account}:dbuser:${resourceId}/${user}`;
}
