import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { featureVariable } from "../../infra/service";
import {
  ofType,
  repoRoot,
  runProgram,
  type ProgramRun,
  type RegisteredResource,
} from "../../scripts/offline/harness";
import { byId, configKey, one, stackRun, serviceTask, serviceCluster } from "./stacks";

type Stack = "dev" | "staging" | "prod";

interface Container {
  name: string;
  image: string;
  essential: boolean;
  user: string;
  privileged: boolean;
  readonlyRootFilesystem: boolean;
  command?: string[];
  environment: { name: string; value: string }[];
  secrets?: unknown;
  mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  dependsOn?: { containerName: string; condition: string }[];
  healthCheck?: { command: string[] };
  stopTimeout?: number;
  portMappings?: { containerPort: number }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
}

const taskDefinition = (run: ProgramRun) => serviceTask(run);
const containers = (run: ProgramRun): Container[] =>
  JSON.parse(taskDefinition(run).inputs.containerDefinitions as string);
const container = (run: ProgramRun, name: string) => containers(run).find((c) => c.name === name)!;
const ecsService = (run: ProgramRun) => one(run, "aws:ecs/service:Service");
const roleByArn = (run: ProgramRun, arn: unknown) =>
  ofType(run, "aws:iam/role:Role").find((r) => r.outputs.arn === arn)!;
const policiesOf = (run: ProgramRun, role: RegisteredResource) =>
  ofType(run, "aws:iam/rolePolicy:RolePolicy")
    .filter((p) => p.inputs.role === role.id)
    .flatMap((p) => JSON.parse(p.inputs.policy as string).Statement);

/** The variable table of docs/architecture.md: name -> cell per environment (dev, staging, prod). */
function documentedVariables(): Map<string, string[]> {
  const readme = readFileSync(join(repoRoot, "docs", "architecture.md"), "utf8");
  const rows = new Map<string, string[]>();
  for (const line of readme.split("\n")) {
    if (!/^\| `[A-Z][A-Z0-9_]*` \|/.test(line)) continue;
    const cells = line.split("|").map((c) => c.trim());
    rows.set(cells[1].replace(/`/g, ""), cells.slice(3, 6));
  }
  return rows;
}

/**
 * Rows whose cells show the starter's own region and project name: the task gets the stack
 * file's and Pulumi.yaml's, which a fork changes without touching the README.
 */
const starterValues: Record<string, (run: ProgramRun) => string> = {
  AWS_REGION: (run) => run.config["aws:region"],
  SERVICE_NAME: (run) => run.project,
};

describe("service", () => {
  const expected = {
    dev: { cpu: "256", memory: "512", desired: 1, max: 1, capacity: "FARGATE_SPOT", logDays: 7 },
    staging: {
      cpu: "256",
      memory: "512",
      desired: 1,
      max: 2,
      capacity: "FARGATE_SPOT",
      logDays: 30,
    },
    prod: { cpu: "512", memory: "1024", desired: 3, max: 9, capacity: "FARGATE", logDays: 90 },
  };
  const stacks = Object.keys(expected) as Stack[];

  for (const stack of stacks) {
    const want = expected[stack];
    describe(stack, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });

      it("Environment: every variable of docs/architecture.md's table, per environment, and no other", () => {
        const column = stacks.indexOf(stack);
        const app = container(run, "app");
        const actual = new Map(app.environment.map((v) => [v.name, v.value]));
        // The app container alone (see the Migrations test): `migrate` has applied them.
        actual.delete("MIGRATE_ON_START");
        const documented = documentedVariables();
        for (const [name, cells] of documented) {
          const cell = cells[column];
          if (cell === "unset") assert.ok(!actual.has(name), `${name} is set`);
          else if (name in starterValues) {
            assert.match(cell, /^`[\w-]+`$/, `${name}: an example value`);
            assert.equal(actual.get(name), starterValues[name](run), name);
          } else if (cell.startsWith("`")) assert.equal(actual.get(name), cell.slice(1, -1), name);
          else assert.ok(actual.get(name), `${name} is missing`);
        }
        assert.deepEqual(
          [...actual.keys()].filter((name) => !documented.has(name)),
          [],
          "variables docs/architecture.md does not document",
        );
      });

      it("Environment: no secret in plain variables; secrets only through `secrets`", () => {
        for (const c of containers(run)) {
          for (const { name } of c.environment) {
            assert.doesNotMatch(
              name,
              /PASSWORD|SECRET|TOKEN|PRIVATE|API_KEY/,
              `${c.name}: ${name}`,
            );
          }
          for (const secret of (c.secrets as { valueFrom: string }[] | undefined) ?? []) {
            assert.match(secret.valueFrom, /^arn:aws:secretsmanager:/);
          }
        }
      });

      it("ECS: a cluster with Container Insights", () => {
        const cluster = serviceCluster(run);
        assert.deepEqual(cluster.inputs.settings, [
          { name: "containerInsights", value: "enabled" },
        ]);
        assert.equal(ecsService(run).inputs.cluster, cluster.id);
        assert.equal(run.stackOutputs.clusterName, cluster.outputs.name);
        assert.equal(run.stackOutputs.serviceName, ecsService(run).outputs.name);
      });

      it(`ECS: a Fargate task of ${want.cpu} CPU units and ${want.memory} MiB on the image's architecture (ARM64)`, () => {
        const task = taskDefinition(run);
        assert.deepEqual(task.inputs.requiresCompatibilities, ["FARGATE"]);
        assert.equal(task.inputs.networkMode, "awsvpc");
        assert.equal(task.inputs.cpu, want.cpu);
        assert.equal(task.inputs.memory, want.memory);
        const [image] = ofType(run, "docker-build:index:Image");
        assert.deepEqual(image.inputs.platforms, ["linux/arm64"]);
        assert.deepEqual(task.inputs.runtimePlatform, {
          operatingSystemFamily: "LINUX",
          cpuArchitecture: "ARM64",
        });
      });

      it("ECS: containers run as the image's non-root user, unprivileged, on a read-only root with a writable /tmp", () => {
        const volumes = taskDefinition(run).inputs.volumes as { name: string }[];
        assert.deepEqual(volumes, [{ name: "tmp" }]);
        for (const c of containers(run)) {
          assert.equal(c.user, "1000:1000", c.name);
          assert.equal(c.privileged, false, c.name);
          assert.equal(c.readonlyRootFilesystem, true, c.name);
          assert.deepEqual(c.mountPoints, [
            { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
          ]);
        }
      });

      it("ECS: the app's health check is the image's HEALTHCHECK, and stopTimeout outlasts the shutdown grace", () => {
        const dockerfile = readFileSync(join(repoRoot, "app", "Dockerfile"), "utf8");
        const imageCheck = /HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(dockerfile)![1];
        const app = container(run, "app");
        assert.deepEqual(app.healthCheck!.command, ["CMD", ...JSON.parse(imageCheck)]);
        const grace = Number(app.environment.find((v) => v.name === "SHUTDOWN_GRACE_MS")!.value);
        assert.ok(
          app.stopTimeout! * 1000 > grace,
          `stopTimeout ${app.stopTimeout} s, grace ${grace} ms`,
        );
        assert.ok(app.stopTimeout! <= 120);
        assert.deepEqual(app.portMappings, [{ containerPort: 8080, protocol: "tcp" }]);
      });

      it(`ECS: logs go to the service's log group through awslogs, kept ${want.logDays} days`, () => {
        const group = ofType(run, "aws:cloudwatch/logGroup:LogGroup").find(
          (g) => g.outputs.name === run.stackOutputs.logGroupName,
        )!;
        assert.equal(group.inputs.retentionInDays, want.logDays);
        // Named after project and stack, so two projects in one account never share them.
        assert.equal(group.inputs.name, `/ecs/${run.project}-${stack}`);
        assert.equal(taskDefinition(run).inputs.family, `${run.project}-${stack}`);
        for (const c of containers(run)) {
          assert.equal(c.logConfiguration.logDriver, "awslogs");
          assert.equal(c.logConfiguration.options["awslogs-group"], group.outputs.name);
          assert.equal(c.logConfiguration.options["awslogs-region"], run.config["aws:region"]);
        }
      });

      it("ECS: separate roles; the execution role may pull only this image and write only this log group", () => {
        const task = taskDefinition(run);
        const execution = roleByArn(run, task.inputs.executionRoleArn);
        const taskRole = roleByArn(run, task.inputs.taskRoleArn);
        assert.notEqual(execution.urn, taskRole.urn);
        for (const role of [execution, taskRole]) {
          const [trust] = JSON.parse(role.inputs.assumeRolePolicy as string).Statement;
          assert.deepEqual(trust.Principal, { Service: "ecs-tasks.amazonaws.com" });
          assert.ok(trust.Condition.StringEquals["aws:SourceAccount"]);
        }
        const repository = ofType(run, "aws:ecr/repository:Repository").find(
          (r) => r.inputs.imageTagMutability === "IMMUTABLE",
        )!;
        const group = ofType(run, "aws:cloudwatch/logGroup:LogGroup").find(
          (g) => g.outputs.name === run.stackOutputs.logGroupName,
        )!;
        assert.deepEqual(policiesOf(run, execution), [
          { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          {
            Effect: "Allow",
            Action: [
              "ecr:BatchCheckLayerAvailability",
              "ecr:BatchGetImage",
              "ecr:GetDownloadUrlForLayer",
            ],
            Resource: repository.outputs.arn,
          },
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${group.outputs.arn}:log-stream:*`,
          },
        ]);
        // Connect as the owner and the service role through this stack's proxy: nothing else,
        // never as the master (`app`), nor on the instance itself.
        const proxyId = (one(run, "aws:rds/proxy:Proxy").outputs.arn as string).split(":").pop();
        const account = run.config[configKey("accountId")];
        assert.deepEqual(policiesOf(run, taskRole), [
          {
            Effect: "Allow",
            Action: "rds-db:connect",
            Resource: [
              `arn:aws:rds-db:${run.config["aws:region"]}:${account}:dbuser:${proxyId}/notes_owner`,
              `arn:aws:rds-db:${run.config["aws:region"]}:${account}:dbuser:${proxyId}/notes_app`,
            ],
          },
        ]);
      });

      it("Database identities: no container of the service's task gets the master secret or the master user", () => {
        const instance = one(run, "aws:rds/instance:Instance");
        const masterSecret = (instance.outputs.masterUserSecrets as { secretArn: string }[])[0]
          .secretArn;
        for (const c of containers(run)) {
          assert.equal(c.secrets, undefined, `${c.name} gets secrets`);
          const env = new Map(c.environment.map((v) => [v.name, v.value]));
          assert.notEqual(
            env.get("PGUSER"),
            instance.inputs.username,
            `${c.name} signs in as the master`,
          );
          assert.ok(!env.has("PGPASSWORD"), `${c.name} has a password`);
          assert.equal(env.get("DATABASE_IAM_AUTH"), "true", c.name);
        }
        const execution = roleByArn(run, taskDefinition(run).inputs.executionRoleArn);
        const taskRole = roleByArn(run, taskDefinition(run).inputs.taskRoleArn);
        for (const role of [execution, taskRole]) {
          assert.doesNotMatch(
            JSON.stringify(policiesOf(run, role)),
            /secretsmanager|kms:Decrypt/,
            `${role.name} may read a secret`,
          );
          assert.ok(!JSON.stringify(policiesOf(run, role)).includes(masterSecret));
        }
      });

      it("Environment: the database settings name the proxy, its port, database and each container's own role", () => {
        const proxy = one(run, "aws:rds/proxy:Proxy");
        for (const [name, user] of [
          ["app", "notes_app"],
          ["migrate", "notes_owner"],
        ]) {
          const env = new Map(container(run, name).environment.map((v) => [v.name, v.value]));
          assert.equal(env.get("PGHOST"), proxy.outputs.endpoint, name);
          assert.equal(env.get("PGPORT"), "5432");
          assert.equal(env.get("PGDATABASE"), run.stackOutputs.databaseName);
          assert.equal(env.get("PGUSER"), user, name);
          assert.equal(env.get("DATABASE_OWNER_ROLE"), "notes_owner");
          assert.equal(env.get("DATABASE_APP_ROLE"), "notes_app");
        }
        assert.equal(run.stackOutputs.databaseUser, "notes_app");
        assert.equal(run.stackOutputs.databaseOwnerUser, "notes_owner");
      });

      it("Migrations: a non-essential `migrate` container from the same image runs first; the app starts only if it exits 0", () => {
        const migrate = container(run, "migrate");
        const app = container(run, "app");
        assert.equal(migrate.essential, false);
        assert.equal(app.essential, true);
        assert.equal(migrate.image, app.image);
        assert.deepEqual(migrate.command, ["node", "dist/migrate.js", "up"]);
        assert.deepEqual(app.dependsOn, [{ containerName: "migrate", condition: "SUCCESS" }]);
        assert.equal(app.environment.find((v) => v.name === "MIGRATE_ON_START")?.value, "false");
        // The same settings, so it migrates the database the app then uses, the same way, but
        // as the owner role.
        assert.deepEqual(
          migrate.environment,
          app.environment
            .filter((v) => v.name !== "MIGRATE_ON_START")
            .map((v) => (v.name === "PGUSER" ? { name: "PGUSER", value: "notes_owner" } : v)),
        );
        assert.deepEqual(
          containers(run).map((c) => c.name),
          ["migrate", "app"],
        );
      });

      it("Migrations: tasks start only once the database, its proxy and its roles exist", () => {
        const database = run.resources.find((r) => r.type === "acme:database:Database")!;
        const bootstrap = one(run, "aws:lambda/invocation:Invocation");
        assert.ok(ecsService(run).options.dependsOn.includes(database.urn));
        assert.ok(ecsService(run).options.dependsOn.includes(bootstrap.urn));
      });

      it("Service: tasks in private subnets, without public IPs, behind the service security group", () => {
        const network = ecsService(run).inputs.networkConfiguration as Record<string, unknown>;
        assert.equal(network.assignPublicIp, false);
        const subnets = (network.subnets as string[]).map((id) => byId(run, id));
        assert.ok(subnets.length >= 2);
        for (const subnet of subnets) {
          assert.equal((subnet.inputs.tags as Record<string, string>).tier, "private");
        }
        const [group] = network.securityGroups as string[];
        assert.equal(byId(run, group).name, `${stack}-service`);
      });

      it(`Service: ${want.desired} task(s) on ${want.capacity}`, () => {
        const service = ecsService(run);
        assert.equal(service.inputs.desiredCount, want.desired);
        assert.deepEqual(service.inputs.capacityProviderStrategies, [
          { capacityProvider: want.capacity, weight: 1 },
        ]);
        assert.equal(service.inputs.launchType, undefined);
        const providers = one(run, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
        assert.deepEqual(providers.inputs.defaultCapacityProviderStrategies, [
          { capacityProvider: want.capacity, weight: 1 },
        ]);
        // Fargate Spot runs ARM64 tasks from platform version 1.4.0.
        assert.equal(service.inputs.platformVersion, "1.4.0");
        // CreateService refuses a strategy naming a provider not yet associated with the cluster.
        assert.ok(
          service.options.dependsOn.includes(providers.urn),
          "the service waits for the cluster's capacity providers",
        );
      });

      it("Service: rolling deployments never below full capacity, with circuit-breaker rollback and a health-check grace period", () => {
        const service = ecsService(run);
        assert.equal(service.inputs.deploymentMinimumHealthyPercent, 100);
        assert.equal(service.inputs.deploymentMaximumPercent, 200);
        assert.deepEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
        assert.ok((service.inputs.healthCheckGracePeriodSeconds as number) > 0);
        assert.equal(service.inputs.waitForSteadyState, true);
        assert.deepEqual(service.options.ignoreChanges, ["desiredCount"]);
      });

      it("Service: registers the app container in the target group, once the listener rule routes to it", () => {
        const service = ecsService(run);
        const targetGroup = one(run, "aws:lb/targetGroup:TargetGroup");
        assert.deepEqual(service.inputs.loadBalancers, [
          { targetGroupArn: targetGroup.id, containerName: "app", containerPort: 8080 },
        ]);
        const rule = one(run, "aws:lb/listenerRule:ListenerRule");
        assert.ok(service.options.dependsOn.includes(rule.urn));
      });

      it(`Service: scales from ${want.desired} to ${want.max} tasks on CPU, memory and requests per target`, () => {
        const target = one(run, "aws:appautoscaling/target:Target");
        const service = ecsService(run);
        const cluster = serviceCluster(run);
        assert.equal(
          target.inputs.resourceId,
          `service/${cluster.outputs.name}/${service.outputs.name}`,
        );
        assert.equal(target.inputs.minCapacity, want.desired);
        assert.equal(target.inputs.maxCapacity, want.max);
        const alb = one(run, "aws:lb/loadBalancer:LoadBalancer");
        const targetGroup = one(run, "aws:lb/targetGroup:TargetGroup");
        const metrics = ofType(run, "aws:appautoscaling/policy:Policy").map((p) => {
          assert.equal(p.inputs.policyType, "TargetTrackingScaling");
          assert.equal(p.inputs.resourceId, target.inputs.resourceId);
          const config = p.inputs.targetTrackingScalingPolicyConfiguration as {
            predefinedMetricSpecification: Record<string, string>;
            targetValue: number;
          };
          return config.predefinedMetricSpecification;
        });
        assert.deepEqual(metrics, [
          { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
          { predefinedMetricType: "ECSServiceAverageMemoryUtilization" },
          {
            predefinedMetricType: "ALBRequestCountPerTarget",
            resourceLabel: `${alb.outputs.arnSuffix}/${targetGroup.outputs.arnSuffix}`,
          },
        ]);
      });
    });
  }

  it("ECS: an amd64 image runs on X86_64 tasks", async () => {
    const run = await runProgram("staging", { config: { imagePlatform: "linux/amd64" } });
    assert.equal(
      (taskDefinition(run).inputs.runtimePlatform as Record<string, string>).cpuArchitecture,
      "X86_64",
    );
  });

  it("Environment: the public URL is the custom domain's when one is set", async () => {
    const run = await runProgram("staging", {
      config: { domainName: "staging.example.com", hostedZoneName: "example.com" },
    });
    const app = container(run, "app");
    assert.equal(
      app.environment.find((v) => v.name === "PUBLIC_URL")?.value,
      "https://staging.example.com",
    );
  });

  it("names feature flag variables FEATURE_<UPPER_SNAKE>", () => {
    assert.equal(featureVariable("newEditor"), "FEATURE_NEW_EDITOR");
    assert.equal(featureVariable("v2Checkout"), "FEATURE_V2_CHECKOUT");
    assert.equal(featureVariable("search"), "FEATURE_SEARCH");
  });
});
