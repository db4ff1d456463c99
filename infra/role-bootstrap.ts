import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { contract } from "../app/src/contract";
import type { ImagePlatform } from "./registry";
import { serviceTrustPolicy } from "./trust";

/** The variable names the service reads (its contract). */
const names = contract.environment;

/** The database the bootstrap creates the roles in, and how it signs in as the master. */
export interface BootstrapDatabase {
  /** The instance itself (its `address`), not the proxy: the proxy does not carry the master. */
  host: pulumi.Input<string>;
  port: number;
  name: string;
  masterUser: string;
  /** Secrets Manager ARN of the RDS-managed master secret (JSON with `username` and `password`). */
  masterSecretArn: pulumi.Input<string>;
  /** The KMS key the secret is encrypted with. */
  secretKeyArn: pulumi.Input<string>;
  /** The migrations' role (`DATABASE_OWNER_ROLE`) and the service's (`DATABASE_APP_ROLE`). */
  ownerUser: string;
  appUser: string;
}

export interface RoleBootstrapArgs {
  /** Task definition family, also naming the log group `/ecs/<family>`. Default: the component's name. */
  family?: string;
  /** `<repository>@sha256:...`: the service's image, which ships `dist/bootstrap.js`. */
  image: pulumi.Input<string>;
  /** ARN of the image's ECR repository; the execution role may pull from it and nothing else. */
  repositoryArn: pulumi.Input<string>;
  /** Default linux/arm64. */
  platform?: ImagePlatform;
  /** Private subnets (a route out through NAT: ECR, Secrets Manager, CloudWatch Logs). */
  subnetIds: pulumi.Input<string>[];
  /** `Network`'s bootstrap group: admits nothing; out to the database and to AWS APIs. */
  securityGroupId: pulumi.Input<string>;
  database: BootstrapDatabase;
  /** Days the task's and the runner's logs are kept. Default 90. */
  logRetentionDays?: number;
  /** The log level of the bootstrap (`LOG_LEVEL`). Default `info`. */
  logLevel?: string;
}

const containerName = "bootstrap";
/** The Lambda ceiling: ample for a Fargate task that starts, runs a few statements and stops. */
const runnerTimeoutSeconds = 900;

/**
 * The database roles (app/README.md, "Database roles"), created as the master by a one-off task
 * during `pulumi up`, before the service's first task signs in as them.
 *
 * `pulumi up` invokes a small Lambda function (an `aws.lambda.Invocation`, which fails the
 * deployment when the function fails) that runs this task definition on its own cluster, waits
 * for it and answers only if `node dist/bootstrap.js` exited 0. The task is the one principal that
 * may read the master secret (its execution role injects it as `PGPASSWORD`; it has no task role)
 * and the one with a network path to the instance (`Network`'s bootstrap group); the service's
 * tasks have neither. It runs again whenever its input changes (a new image, a new role name),
 * which is harmless: the bootstrap is idempotent.
 *
 * Cost: one Fargate task of 0.25 vCPU for about a minute per deployment (under $0.01), the
 * Lambda function's few minutes of waiting per deployment (128 MB: well inside the free tier),
 * the logs. The cluster itself is free.
 */
export class RoleBootstrap extends pulumi.ComponentResource {
  /** Done once the roles exist: what the service's tasks must start after. */
  readonly invocation: aws.lambda.Invocation;
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly executionRole: aws.iam.Role;
  readonly cluster: aws.ecs.Cluster;

  private readonly name: string;
  private readonly args: Required<RoleBootstrapArgs>;

  constructor(name: string, args: RoleBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("acme:database:RoleBootstrap", name, {}, opts);
    this.name = name;
    this.args = {
      family: name,
      platform: "linux/arm64",
      logRetentionDays: 90,
      logLevel: "info",
      ...args,
    };
    const { ownerUser, appUser, masterUser } = this.args.database;
    if (new Set([ownerUser, appUser, masterUser]).size !== 3) {
      throw new Error(
        `RoleBootstrap ${name}: database.masterUser, ownerUser and appUser must differ`,
      );
    }

    const logGroup = this.logGroup("logs", `/ecs/${this.args.family}`);
    this.executionRole = this.createExecutionRole(logGroup);
    this.cluster = new aws.ecs.Cluster(
      `${name}-ecs`,
      { settings: [{ name: "containerInsights", value: "enabled" }] },
      { parent: this },
    );
    this.taskDefinition = this.createTaskDefinition(logGroup);
    this.invocation = this.createRunner();
    this.registerOutputs({ taskDefinitionArn: this.taskDefinition.arn });
  }

  private logGroup(suffix: string, name: string): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(
      `${this.name}-${suffix}`,
      { name, retentionInDays: this.args.logRetentionDays },
      { parent: this },
    );
  }

  private role(suffix: string, description: string, service: string): aws.iam.Role {
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    return new aws.iam.Role(
      `${this.name}-${suffix}`,
      {
        description,
        // This account only. ECS's task execution role page shows aws:SourceAccount; for Lambda
        // no AWS page lists the keys, but AWS's own samples condition a function's role on it
        // (aws/agent-toolkit-for-aws, .../deploying-custom-domain-rest-api/scripts/lambda-trust-policy.json),
        // and no source ARN: the function is named by AWS after the role exists.
        assumeRolePolicy: serviceTrustPolicy(service, { sourceAccount: account }),
      },
      { parent: this },
    );
  }

  private policy(role: aws.iam.Role, suffix: string, statements: pulumi.Input<object[]>) {
    return new aws.iam.RolePolicy(
      `${this.name}-${suffix}`,
      {
        role: role.id,
        policy: pulumi
          .output(statements)
          .apply((Statement) => JSON.stringify({ Version: "2012-10-17", Statement })),
      },
      { parent: this },
    );
  }

  /**
   * ECS itself: pull the image, write the log, and read the master secret into `PGPASSWORD`,
   * decrypting it through Secrets Manager only.
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
   */
  private createExecutionRole(logGroup: aws.cloudwatch.LogGroup): aws.iam.Role {
    const role = this.role(
      "execution",
      "ECS agent of the role bootstrap: pulls the image, writes its log, reads the master secret",
      "ecs-tasks.amazonaws.com",
    );
    const { repositoryArn, database } = this.args;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    this.policy(
      role,
      "execution",
      pulumi
        .all([repositoryArn, logGroup.arn, database.masterSecretArn, database.secretKeyArn, region])
        .apply(([repository, logs, secret, key, awsRegion]) => [
          // GetAuthorizationToken has no resource-level permissions.
          { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          {
            Effect: "Allow",
            Action: [
              "ecr:BatchCheckLayerAvailability",
              "ecr:BatchGetImage",
              "ecr:GetDownloadUrlForLayer",
            ],
            Resource: repository,
          },
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${logs}:log-stream:*`,
          },
          { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secret },
          {
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: key,
            Condition: {
              StringEquals: { "kms:ViaService": `secretsmanager.${awsRegion}.amazonaws.com` },
            },
          },
        ]),
    );
    return role;
  }

  private createTaskDefinition(logGroup: aws.cloudwatch.LogGroup): aws.ecs.TaskDefinition {
    const { image, platform, database, logLevel } = this.args;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const containerDefinitions = pulumi
      .all([image, database.host, database.masterSecretArn, logGroup.name, region])
      .apply(([imageRef, host, secretArn, group, awsRegion]) =>
        JSON.stringify([
          {
            name: containerName,
            image: imageRef,
            command: contract.commands.bootstrap,
            essential: true,
            user: "1000:1000",
            privileged: false,
            // Like the service's containers (service.ts): no Linux capability is needed.
            linuxParameters: { capabilities: { drop: ["ALL"] } },
            readonlyRootFilesystem: true,
            mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
            environment: Object.entries({
              [names.region]: awsRegion,
              [names.database.appRole]: database.appUser,
              [names.database.ownerRole]: database.ownerUser,
              // The instance presents a certificate of the RDS CA, which Node's default store
              // lacks and the image does not ship: the connection is encrypted, not verified.
              // The password itself never crosses it: PostgreSQL signs in with SCRAM.
              [names.database.ssl]: "require",
              [names.logLevel]: logLevel,
              [names.nodeEnv]: "production",
              [names.database.name]: database.name,
              [names.database.host]: host,
              [names.database.port]: String(database.port),
              [names.database.user]: database.masterUser,
            }).map(([name, value]) => ({ name, value })),
            // The master password, from the RDS-managed secret's `password` key, into this
            // container alone; never in the environment above or in the service's task.
            secrets: [{ name: names.database.password, valueFrom: `${secretArn}:password::` }],
            // The gate asks every essential container for a health check; a one-off command has
            // no endpoint to probe, so this one says only that Node starts. What counts is the
            // exit code, which the runner reads.
            healthCheck: {
              command: ["CMD", "node", "-e", "process.exit(0)"],
              interval: 30,
              timeout: 5,
              retries: 3,
            },
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": group,
                "awslogs-region": awsRegion,
                "awslogs-stream-prefix": containerName,
              },
            },
          },
        ]),
      );
    return new aws.ecs.TaskDefinition(
      `${this.name}-definition`,
      {
        family: this.args.family,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        runtimePlatform: {
          operatingSystemFamily: "LINUX",
          cpuArchitecture: platform === "linux/amd64" ? "X86_64" : "ARM64",
        },
        executionRoleArn: this.executionRole.arn,
        volumes: [{ name: "tmp" }],
        containerDefinitions,
      },
      { parent: this },
    );
  }

  /** The function `pulumi up` calls: run the task, wait, fail unless it exited 0. */
  private createRunner(): aws.lambda.Invocation {
    const role = this.role(
      "runner",
      "Runs the role bootstrap task during pulumi up and waits for it",
      "lambda.amazonaws.com",
    );
    const logGroup = this.logGroup("runner-logs", `/aws/lambda/${this.args.family}-runner`);
    const definitionArn = this.taskDefinition.arn;
    const rolePolicy = this.policy(
      role,
      "runner",
      pulumi
        .all([definitionArn, this.cluster.arn, this.executionRole.arn, logGroup.arn])
        .apply(([definition, cluster, executionRole, logs]) => [
          {
            Effect: "Allow",
            Action: "ecs:RunTask",
            Resource: definition,
            Condition: { ArnEquals: { "ecs:cluster": cluster } },
          },
          {
            Effect: "Allow",
            Action: "ecs:DescribeTasks",
            Resource: "*",
            Condition: { ArnEquals: { "ecs:cluster": cluster } },
          },
          // RunTask hands the task its execution role.
          { Effect: "Allow", Action: "iam:PassRole", Resource: executionRole },
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${logs}:log-stream:*`,
          },
        ]),
    );
    const runner = new aws.lambda.Function(
      `${this.name}-runner`,
      {
        // Auto-named: a function name has at most 64 characters, which a long project name with
        // the stack's would exceed; its log group carries the readable name.
        description: "Runs the database role bootstrap task and waits for its exit code",
        role: role.arn,
        runtime: "nodejs22.x",
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({
          "index.js": new pulumi.asset.FileAsset(path.join(__dirname, "role-bootstrap-runner.cjs")),
        }),
        timeout: runnerTimeoutSeconds,
        memorySize: 128,
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
      },
      { parent: this, dependsOn: [rolePolicy] },
    );
    return new aws.lambda.Invocation(
      `${this.name}-run`,
      {
        functionName: runner.name,
        // A new input (a new task definition revision: another image or role name) replaces
        // the invocation, which runs the bootstrap again.
        input: pulumi
          .all([this.cluster.arn, definitionArn, this.args.subnetIds, this.args.securityGroupId])
          .apply(([cluster, taskDefinition, subnets, securityGroup]) =>
            JSON.stringify({
              cluster,
              taskDefinition,
              containerName,
              subnets,
              securityGroups: [securityGroup],
            }),
          ),
      },
      { parent: this },
    );
  }
}
