import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { contract } from "../app/src/contract";
import type { ImagePlatform } from "./registry";
import type { MetricDimensions } from "./monitoring";
import { serviceTrustPolicy } from "./trust";

/** Cheapest first: Spot tasks may be reclaimed at two minutes' notice. */
export const capacityProviders = ["FARGATE_SPOT", "FARGATE"] as const;
export type CapacityProvider = (typeof capacityProviders)[number];
/** The service's log levels (its contract). */
export const logLevels = contract.logLevels;
export type LogLevel = (typeof logLevels)[number];

/** How the service reaches its database: RDS Proxy with IAM authentication, no password. */
export interface ServiceDatabase {
  /** Host the tasks connect to (the proxy's endpoint). */
  host: pulumi.Input<string>;
  port: number;
  name: string;
  /** Role the `migrate` container signs in as: owns the schema. */
  ownerUser: string;
  /** Role the `app` container signs in as: DML only. */
  appUser: string;
  /**
   * `arn:aws:rds-db:...:dbuser:<proxy resource id>/<user>` of `ownerUser` and `appUser`: exactly
   * what the task role may connect as (never the master, whom the proxy does not carry).
   */
  connectResourceArns: pulumi.Input<string>[];
}

/**
 * The settings a stack file tunes (infra/config/service.ts reads them, one key each); the rest of the
 * args are wiring from other components.
 */
export interface ServiceSettings {
  /** Task CPU units. Default 256. */
  cpu?: number;
  /** Task memory (MiB); must suit `cpu`. Default 512. */
  memory?: number;
  /** Tasks running normally, and the autoscaling minimum. Default 2. */
  desiredCount?: number;
  /** Autoscaling maximum. Default `desiredCount`. */
  maxCount?: number;
  /** `FARGATE` or `FARGATE_SPOT` (cheaper; tasks may be reclaimed at two minutes' notice). Default `FARGATE`. */
  capacityProvider?: CapacityProvider;
  /** Days the containers' logs are kept. Default 90. */
  logRetentionDays?: number;
  /** The app's `LOG_LEVEL`. Default `info`. */
  logLevel?: LogLevel;
  /** Feature flags: `{newEditor: true}` gives the task `FEATURE_NEW_EDITOR=true`. Default none. */
  features?: Record<string, boolean>;
}

export interface ServiceArgs extends ServiceSettings {
  /**
   * Task definition family, also naming the log group `/ecs/<family>`; unique per account and
   * region. Default: the component's name.
   */
  family?: string;
  /** Private subnets the tasks run in (no public IP). */
  subnetIds: pulumi.Input<string>[];
  /** The tasks' security group (from `Network`: the service port from the load balancer only). */
  securityGroupId: pulumi.Input<string>;
  /** `<repository>@sha256:...`: the image both containers run, pinned by digest. */
  image: pulumi.Input<string>;
  /** ARN of the image's ECR repository; the execution role may pull from it and nothing else. */
  repositoryArn: pulumi.Input<string>;
  /** The platform the image was built for; the tasks run on its CPU architecture. Default linux/arm64. */
  platform?: ImagePlatform;
  /**
   * Dimensions of the business metrics the app writes (`SERVICE_NAME`, `DEPLOY_ENV`), so each
   * stack's series are its own and the dashboard can name them. Default unset: the app's own
   * defaults (`notes-app`, `production`), the same in every stack.
   */
  metricDimensions?: MetricDimensions;
  /** The service's public URL (`PUBLIC_URL`), when known. Default unset. */
  publicUrl?: pulumi.Input<string>;
  /**
   * The database; its settings go into both containers' environment, and each task runs the
   * migrations before the app starts. Unset: a service without a database (no `PG*`
   * variables, no `migrate` container, no `rds-db:connect`).
   */
  database?: ServiceDatabase;
  /** The load balancer's target group, which the tasks register in. */
  targetGroup: { arn: pulumi.Input<string>; arnSuffix: pulumi.Input<string> };
  /** The load balancer's `arnSuffix`, for the requests-per-target scaling metric. */
  loadBalancerArnSuffix: pulumi.Input<string>;
  /**
   * What must exist before tasks start: the listener rule that attaches the target group (ECS
   * refuses a target group no load balancer uses) and the database the migrations run against.
   */
  startAfter: pulumi.Input<pulumi.Resource>[];
  /**
   * CloudWatch alarms (5xx rate, latency) that roll a deployment back when they fire during it.
   * Default none: the circuit breaker alone decides.
   */
  deploymentAlarmNames?: pulumi.Input<string>[];
  /** How long the app drains connections after SIGTERM. Default the contract's `shutdownGraceMs`. */
  shutdownGraceMs?: number;
  /** Seconds ECS waits after SIGTERM before SIGKILL; above the grace. Default 30. */
  stopTimeoutSeconds?: number;
  /** Seconds a new task's failed load balancer health checks are ignored. Default 60. */
  healthCheckGracePeriodSeconds?: number;
  /** Autoscaling target: average CPU (%). Default 60. */
  targetCpuPercent?: number;
  /** Autoscaling target: average memory (%). Default 75. */
  targetMemoryPercent?: number;
  /** Autoscaling target: requests per task per minute. Default 1000. */
  targetRequestsPerTask?: number;
}

type OptionalArgs = "publicUrl" | "deploymentAlarmNames" | "database" | "metricDimensions";
type Defaulted = Required<Omit<ServiceArgs, OptionalArgs>> & Pick<ServiceArgs, OptionalArgs>;

/** The containers' user: the image's `node` user (uid 1000), never root. */
const containerUser = "1000:1000";
const architectures: Record<ImagePlatform, string> = {
  "linux/arm64": "ARM64",
  "linux/amd64": "X86_64",
};

/**
 * The service on ECS Fargate: a cluster with Container Insights, a task definition, and a
 * service behind the load balancer's target group that autoscales on CPU, memory and requests.
 *
 * With a database, each task runs two containers from one image: `migrate` applies pending
 * migrations and exits, and `app` starts only if it exited 0 (`dependsOn ... SUCCESS`). A
 * failed migration therefore never serves traffic: the task stops, the circuit breaker counts
 * it and rolls the deployment back. Concurrent tasks are safe because the migrator holds an advisory lock.
 *
 * Deployments are rolling and never drop below the desired count (minimum healthy 100%, up to
 * 200% during the rollout). Tasks run as uid 1000 with a read-only root filesystem (a scratch
 * volume at /tmp), in private subnets with no public IP. They reach the database through RDS
 * Proxy with IAM tokens, `migrate` as the owner role and `app` as the DML-only role, never as the
 * master: there is no password in the task, so rotation needs nothing from here.
 *
 * Cost (eu-west-1 list prices): Fargate on ARM is $0.03238 per vCPU-hour and $0.00356 per
 * GB-hour, so a 0.25 vCPU / 0.5 GB task is about $7.20/month and a 0.5 vCPU / 1 GB task about
 * $14.40/month (x86 is about 25% more); Fargate Spot is up to 70% less. Container Insights
 * bills its metrics as custom metrics ($0.30 per metric-month, a few dollars for one service);
 * logs cost $0.57/GB ingested.
 */
export class Service extends pulumi.ComponentResource {
  readonly cluster: aws.ecs.Cluster;
  /** The capacity providers the service's strategy names, associated with the cluster. */
  private readonly capacityProviders: aws.ecs.ClusterCapacityProviders;
  readonly service: aws.ecs.Service;
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly taskRole: aws.iam.Role;
  readonly executionRole: aws.iam.Role;

  private readonly name: string;
  private readonly args: Defaulted;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("acme:service:Service", name, {}, opts);
    this.name = name;
    const desiredCount = args.desiredCount ?? 2;
    this.args = {
      family: name,
      platform: "linux/arm64",
      cpu: 256,
      memory: 512,
      maxCount: desiredCount,
      capacityProvider: "FARGATE",
      logRetentionDays: 90,
      logLevel: "info",
      features: {},
      shutdownGraceMs: contract.shutdownGraceMs,
      stopTimeoutSeconds: 30,
      healthCheckGracePeriodSeconds: 60,
      targetCpuPercent: 60,
      targetMemoryPercent: 75,
      targetRequestsPerTask: 1000,
      ...args,
      desiredCount,
    };
    const { maxCount, shutdownGraceMs, stopTimeoutSeconds } = this.args;
    if (maxCount < desiredCount) {
      throw new Error(
        `Service ${name}: maxCount (${maxCount}) must be >= desiredCount (${desiredCount})`,
      );
    }
    // ECS caps stopTimeout at 120 s on Fargate; the app must finish draining before SIGKILL.
    if (!(stopTimeoutSeconds * 1000 > shutdownGraceMs && stopTimeoutSeconds <= 120)) {
      throw new Error(
        `Service ${name}: stopTimeoutSeconds must exceed shutdownGraceMs and be at most 120`,
      );
    }

    this.logGroup = this.createLogGroup();
    this.executionRole = this.createExecutionRole();
    this.taskRole = this.createTaskRole();
    [this.cluster, this.capacityProviders] = this.createCluster();
    this.taskDefinition = this.createTaskDefinition();
    this.service = this.createService();
    this.createAutoscaling();

    this.registerOutputs({
      clusterName: this.cluster.name,
      serviceName: this.service.name,
      taskDefinitionArn: this.taskDefinition.arn,
    });
  }

  private createLogGroup(): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(
      `${this.name}-logs`,
      { name: `/ecs/${this.args.family}`, retentionInDays: this.args.logRetentionDays },
      { parent: this },
    );
  }

  /**
   * A role ECS tasks may assume, only on behalf of this account. The task role also names the
   * account's ECS resources as the source, as "Amazon ECS task IAM role" shows
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html); the
   * execution role's page gives no source ARN for the agent
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html),
   * so it keeps the account condition only.
   */
  private taskAssumableRole(
    role: string,
    description: string,
    sourceArnOfEcs: boolean,
  ): aws.iam.Role {
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    return new aws.iam.Role(
      `${this.name}-${role}`,
      {
        description,
        assumeRolePolicy: serviceTrustPolicy("ecs-tasks.amazonaws.com", {
          sourceAccount: account,
          sourceArn: sourceArnOfEcs
            ? pulumi.interpolate`arn:${partition}:ecs:${region}:${account}:*`
            : undefined,
        }),
      },
      { parent: this },
    );
  }

  private policy(
    role: aws.iam.Role,
    name: string,
    statements: pulumi.Input<Record<string, unknown>[]>,
  ) {
    new aws.iam.RolePolicy(
      `${this.name}-${name}`,
      {
        role: role.id,
        policy: pulumi
          .output(statements)
          .apply((Statement) => JSON.stringify({ Version: "2012-10-17", Statement })),
      },
      { parent: this },
    );
  }

  /** What ECS itself needs to start a task: pull this image, write to this log group. */
  private createExecutionRole(): aws.iam.Role {
    const role = this.taskAssumableRole(
      "execution",
      "ECS agent: pulls the service's image and writes its logs",
      false,
    );
    this.policy(
      role,
      "execution",
      pulumi.all([this.args.repositoryArn, this.logGroup.arn]).apply(([repository, logs]) => [
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
      ]),
    );
    return role;
  }

  /**
   * What the task's code may do: connect to the database as the owner role (`migrate`) and the
   * service role (`app`). Nothing else. ECS gives one task role to every container of a task, so
   * either container may sign a token for either role.
   */
  private createTaskRole(): aws.iam.Role {
    const { database } = this.args;
    const role = this.taskAssumableRole(
      "task",
      "The service's code: connects to its database",
      true,
    );
    if (database) {
      this.policy(
        role,
        "task",
        pulumi
          .output(database.connectResourceArns)
          .apply((arns) => [{ Effect: "Allow", Action: "rds-db:connect", Resource: arns }]),
      );
    }
    return role;
  }

  private createCluster(): [aws.ecs.Cluster, aws.ecs.ClusterCapacityProviders] {
    const cluster = new aws.ecs.Cluster(
      `${this.name}-cluster`,
      { settings: [{ name: "containerInsights", value: "enabled" }] },
      { parent: this },
    );
    const capacityProviders = new aws.ecs.ClusterCapacityProviders(
      `${this.name}-cluster`,
      {
        clusterName: cluster.name,
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategies: [
          { capacityProvider: this.args.capacityProvider, weight: 1 },
        ],
      },
      { parent: this },
    );
    return [cluster, capacityProviders];
  }

  /**
   * The variables both containers get, named as the service's contract names them;
   * docs/architecture.md's table lists them per environment.
   */
  private environment(): pulumi.Output<{ name: string; value: string }[]> {
    const { logLevel, features, database, publicUrl, shutdownGraceMs } = this.args;
    const { metricDimensions } = this.args;
    const names = contract.environment;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    return pulumi.all([region, database?.host, publicUrl]).apply(([awsRegion, host, url]) => {
      const variables: Record<string, string | undefined> = {
        [names.nodeEnv]: "production",
        [names.port]: String(contract.port),
        [names.logLevel]: logLevel,
        [names.region]: awsRegion,
        ...(database && {
          [names.database.host]: host,
          [names.database.port]: String(database.port),
          [names.database.name]: database.name,
          // The app's role; the `migrate` container replaces it with the owner role.
          [names.database.user]: database.appUser,
          // The app signs a short-lived IAM token for every connection: no password to leak
          // or rotate. The proxy's ACM certificate verifies against Node's default CA store.
          [names.database.iamAuth]: "true",
          [names.database.ssl]: "verify-full",
          [names.database.ownerRole]: database.ownerUser,
          [names.database.appRole]: database.appUser,
        }),
        [names.publicUrl]: url,
        [names.serviceName]: metricDimensions?.service,
        [names.deployEnv]: metricDimensions?.environment,
        [names.shutdownGraceMs]: String(shutdownGraceMs),
      };
      for (const [flag, on] of Object.entries(features)) {
        variables[featureVariable(flag)] = String(on);
      }
      return Object.entries(variables)
        .filter((entry): entry is [string, string] => entry[1] !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value }));
    });
  }

  private createTaskDefinition(): aws.ecs.TaskDefinition {
    const { image, platform, stopTimeoutSeconds } = this.args;
    const { commands, healthCheck } = contract;
    const logGroupName = this.logGroup.name;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const containerDefinitions = pulumi
      .all([image, this.environment(), logGroupName, region])
      .apply(([imageRef, environment, group, awsRegion]) => {
        const common = (name: string) => ({
          name,
          image: imageRef,
          user: containerUser,
          privileged: false,
          readonlyRootFilesystem: true,
          // Neither container needs a Linux capability: they run as uid 1000 on a port above
          // 1024. Fargate accepts any drop and adds only SYS_PTRACE ("linuxParameters",
          // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_linuxparameters).
          linuxParameters: { capabilities: { drop: ["ALL"] } },
          mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": group,
              "awslogs-region": awsRegion,
              "awslogs-stream-prefix": name,
            },
          },
        });
        const migrate = {
          ...common("migrate"),
          essential: false,
          command: commands.migrate,
          environment: environment.map((variable) =>
            variable.name === contract.environment.database.user && this.args.database
              ? { name: variable.name, value: this.args.database.ownerUser }
              : variable,
          ),
        };
        return JSON.stringify([
          ...(this.args.database ? [migrate] : []),
          {
            ...common("app"),
            essential: true,
            portMappings: [{ containerPort: contract.port, protocol: "tcp" }],
            // The `migrate` container has already applied them.
            environment: this.args.database
              ? [
                  ...environment,
                  { name: contract.environment.migrateOnStart, value: "false" },
                ].sort((x, y) => x.name.localeCompare(y.name))
              : environment,
            dependsOn: this.args.database
              ? [{ containerName: "migrate", condition: "SUCCESS" }]
              : undefined,
            // The image's own HEALTHCHECK command; ECS replaces a task that fails it.
            healthCheck: {
              command: ["CMD", ...commands.healthCheck],
              interval: healthCheck.intervalSeconds,
              timeout: healthCheck.timeoutSeconds,
              retries: healthCheck.retries,
              startPeriod: healthCheck.startPeriodSeconds,
            },
            stopTimeout: stopTimeoutSeconds,
          },
        ]);
      });

    return new aws.ecs.TaskDefinition(
      `${this.name}-task`,
      {
        family: this.args.family,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: String(this.args.cpu),
        memory: String(this.args.memory),
        runtimePlatform: {
          operatingSystemFamily: "LINUX",
          cpuArchitecture: architectures[platform],
        },
        executionRoleArn: this.executionRole.arn,
        taskRoleArn: this.taskRole.arn,
        // Fargate task storage: the only writable path, since the root filesystem is read-only.
        volumes: [{ name: "tmp" }],
        containerDefinitions,
      },
      { parent: this },
    );
  }

  private createService(): aws.ecs.Service {
    const { deploymentAlarmNames } = this.args;
    return new aws.ecs.Service(
      `${this.name}-service`,
      {
        cluster: this.cluster.arn,
        taskDefinition: this.taskDefinition.arn,
        desiredCount: this.args.desiredCount,
        capacityProviderStrategies: [{ capacityProvider: this.args.capacityProvider, weight: 1 }],
        // Fargate Spot runs ARM64 tasks only from platform version 1.4.0.
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
        platformVersion: "1.4.0",
        networkConfiguration: {
          subnets: this.args.subnetIds,
          securityGroups: [this.args.securityGroupId],
          assignPublicIp: false,
        },
        loadBalancers: [
          {
            targetGroupArn: this.args.targetGroup.arn,
            containerName: "app",
            containerPort: contract.port,
          },
        ],
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        ...(deploymentAlarmNames?.length
          ? { alarms: { alarmNames: deploymentAlarmNames, enable: true, rollback: true } }
          : {}),
        healthCheckGracePeriodSeconds: this.args.healthCheckGracePeriodSeconds,
        availabilityZoneRebalancing: "ENABLED",
        propagateTags: "SERVICE",
        enableEcsManagedTags: true,
        // `pulumi up` waits for the new tasks to be healthy, so a failed rollout fails it.
        waitForSteadyState: true,
      },
      // Autoscaling owns the running count once the service exists.
      // CreateService refuses a capacity provider strategy naming a provider the cluster is not
      // yet associated with, so the association comes first.
      {
        parent: this,
        dependsOn: [...this.args.startAfter, this.capacityProviders],
        ignoreChanges: ["desiredCount"],
      },
    );
  }

  private createAutoscaling(): void {
    const target = new aws.appautoscaling.Target(
      `${this.name}-scaling`,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${this.cluster.name}/${this.service.name}`,
        minCapacity: this.args.desiredCount,
        maxCapacity: this.args.maxCount,
      },
      { parent: this },
    );
    const { targetGroup, loadBalancerArnSuffix } = this.args;
    const metrics = [
      { name: "cpu", type: "ECSServiceAverageCPUUtilization", value: this.args.targetCpuPercent },
      {
        name: "memory",
        type: "ECSServiceAverageMemoryUtilization",
        value: this.args.targetMemoryPercent,
      },
      {
        name: "requests",
        type: "ALBRequestCountPerTarget",
        value: this.args.targetRequestsPerTask,
        label: pulumi.interpolate`${loadBalancerArnSuffix}/${targetGroup.arnSuffix}`,
      },
    ];
    for (const metric of metrics) {
      new aws.appautoscaling.Policy(
        `${this.name}-scale-on-${metric.name}`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: metric.value,
            predefinedMetricSpecification: {
              predefinedMetricType: metric.type,
              resourceLabel: metric.label,
            },
            // Out fast, in slowly: a short spike must not cause a scale-in/scale-out flap.
            scaleOutCooldown: 60,
            scaleInCooldown: 300,
          },
        },
        { parent: this },
      );
    }
  }
}

/** `newEditor` -> `FEATURE_NEW_EDITOR` (the contract's prefix). */
export function featureVariable(flag: string): string {
  return `${contract.environment.featurePrefix}${flag.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
}
