import assert from "node:assert/strict";
import { diagnostics, find, set, violations, type Change, type Stack } from "./gate";

const taskDefinition = "aws:ecs/taskDefinition:TaskDefinition";
const service = "aws:ecs/service:Service";
const repository = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app";

type Container = Record<string, unknown>;

/** Changes the task definition's container `name` (the program's are `migrate` and `app`). */
function container(name: string, change: (c: Container) => void): Change {
  return (resources) => {
    const definition = find(resources, taskDefinition, "-task");
    const containers = JSON.parse(definition.inputs.containerDefinitions as string) as Container[];
    const found = containers.find((c) => c.name === name);
    if (!found) throw new Error(`no container ${name}`);
    change(found);
    set(definition, "containerDefinitions", JSON.stringify(containers));
  };
}

/** Adds `{name, value}` to the container's environment. */
const withVariable = (name: string, value: string) =>
  container("app", (c) => {
    c.environment = [...(c.environment as Container[]), { name, value }];
  });

/** Changes one property of the service's input `key` object. */
function serviceProperty(key: string, change: (value: Record<string, unknown>) => void): Change {
  return (resources) => {
    const found = find(resources, service);
    const value = structuredClone((found.inputs[key] ?? {}) as Record<string, unknown>);
    change(value);
    set(found, key, value);
  };
}

async function passesBothStacks(policy: string): Promise<void> {
  assert.deepEqual(await violations(policy, "staging"), []);
  assert.deepEqual(await violations(policy, "prod"), []);
}

describe("ecs", () => {
  describe("ecs-task-definition-image-pinned", () => {
    const policy = "ecs-task-definition-image-pinned";

    it("1: reports an image tagged latest", async () => {
      const found = await violations(
        policy,
        "prod",
        container("app", (c) => (c.image = `${repository}:latest`)),
      );
      assert.deepEqual(found, [
        `container "app": image "${repository}:latest" is the latest tag, a different image ` +
          "after every push: run <repository>@sha256:<digest> (the Registry component's imageRef).",
      ]);
    });

    it("2: reports an image without a tag (which pulls latest)", async () => {
      const found = await violations(
        policy,
        "staging",
        container("migrate", (c) => (c.image = "postgres")),
      );
      assert.deepEqual(found, [
        'container "migrate": image "postgres" is the latest tag, a different image after ' +
          "every push: run <repository>@sha256:<digest> (the Registry component's imageRef).",
      ]);
    });

    it("3: reports a version tag that is not a digest", async () => {
      const found = await violations(
        policy,
        "staging",
        container("app", (c) => (c.image = `${repository}:v1.2.3`)),
      );
      assert.deepEqual(found, [
        `container "app": image "${repository}:v1.2.3" is not pinned by digest: run ` +
          "<repository>@sha256:<digest> (the Registry component's imageRef).",
      ]);
    });

    it("passes the program's containers, which run the pushed image by digest", async () => {
      await passesBothStacks(policy);
    });

    it("does not guess while the containers are unknown (a preview before the image is built)", async () => {
      const found = await diagnostics("prod", (resources) =>
        // The engine's sentinel for a string not known until the resource is created.
        set(
          find(resources, taskDefinition, "-task"),
          "containerDefinitions",
          "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        ),
      );
      const ours = found.filter((d) => d.policy === policy);
      assert.equal(ours.length, 1);
      assert.equal(ours[0].level, "advisory");
      assert.match(
        ours[0].message,
        /can't run policy 'ecs-task-definition-image-pinned'.* during preview/,
      );
    });
  });

  describe("ecs-task-definition-non-root-user", () => {
    const policy = "ecs-task-definition-non-root-user";
    const fix = 'set "user" to a non-root uid:gid such as "1000:1000" (the image\'s node user).';

    it("1: reports a container without a user", async () => {
      const found = await violations(
        policy,
        "prod",
        container("app", (c) => delete c.user),
      );
      assert.deepEqual(found, [
        'container "app" sets no user, so it runs as the image\'s user (root unless the image ' +
          `says otherwise): ${fix}`,
      ]);
    });

    it("2: reports root by name", async () => {
      const found = await violations(
        policy,
        "staging",
        container("migrate", (c) => (c.user = "root")),
      );
      assert.deepEqual(found, [`container "migrate" runs as root (user "root"): ${fix}`]);
    });

    it("3: reports uid 0 with a non-root group", async () => {
      const found = await violations(
        policy,
        "prod",
        container("app", (c) => (c.user = "0:1000")),
      );
      assert.deepEqual(found, [`container "app" runs as root (user "0:1000"): ${fix}`]);
    });

    it("passes the program's containers (uid 1000)", async () => {
      await passesBothStacks(policy);
    });
  });

  describe("ecs-task-definition-read-only-root-filesystem", () => {
    const policy = "ecs-task-definition-read-only-root-filesystem";
    const message = (name: string) =>
      `container "${name}": readonlyRootFilesystem is not true: set it to true and mount a ` +
      "volume on each path the process writes (such as /tmp).";

    it("1: reports a writable root filesystem", async () => {
      const found = await violations(
        policy,
        "prod",
        container("migrate", (c) => (c.readonlyRootFilesystem = false)),
      );
      assert.deepEqual(found, [message("migrate")]);
    });

    it("2: reports a container that leaves it unset (writable)", async () => {
      const found = await violations(
        policy,
        "staging",
        container("app", (c) => delete c.readonlyRootFilesystem),
      );
      assert.deepEqual(found, [message("app")]);
    });

    it("passes the program's containers", async () => {
      await passesBothStacks(policy);
    });
  });

  describe("ecs-task-definition-not-privileged", () => {
    const policy = "ecs-task-definition-not-privileged";

    it("1: reports a privileged container", async () => {
      const found = await violations(
        policy,
        "prod",
        container("app", (c) => (c.privileged = true)),
      );
      assert.deepEqual(found, [
        'container "app": privileged is true: remove it (or set false); grant a specific ' +
          "Linux capability through linuxParameters if one is really needed.",
      ]);
    });

    it("2: reports a container that adds every capability", async () => {
      const found = await violations(
        policy,
        "prod",
        container("app", (c) => (c.linuxParameters = { capabilities: { add: ["ALL"] } })),
      );
      assert.deepEqual(found, [
        'container "app": linuxParameters.capabilities.add has ALL, as good as privileged: add ' +
          "only the narrow capability the process needs (on Fargate, SYS_PTRACE is the only " +
          "one allowed).",
      ]);
    });

    it("3: reports SYS_ADMIN beside a narrow capability, on another container", async () => {
      const found = await violations(
        policy,
        "staging",
        container("migrate", (c) => {
          c.linuxParameters = { capabilities: { add: ["SYS_PTRACE", "SYS_ADMIN"] } };
        }),
      );
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /^container "migrate": linuxParameters.capabilities.add has SYS_ADMIN,/,
      );
    });

    it("passes the program's containers, and a narrow capability", async () => {
      await passesBothStacks(policy);
      const ptrace = await violations(
        policy,
        "prod",
        container("app", (c) => (c.linuxParameters = { capabilities: { add: ["SYS_PTRACE"] } })),
      );
      assert.deepEqual(ptrace, []);
    });
  });

  describe("ecs-task-definition-health-check", () => {
    const policy = "ecs-task-definition-health-check";
    const message = (name: string) =>
      `container "${name}" is essential but has no healthCheck: add healthCheck.command (for ` +
      'example ["CMD", "node", "dist/healthcheck.js"]).';

    it("1: reports the essential app container without a health check", async () => {
      const found = await violations(
        policy,
        "prod",
        container("app", (c) => delete c.healthCheck),
      );
      assert.deepEqual(found, [message("app")]);
    });

    it("2: reports a container that is essential by default (essential unset)", async () => {
      const found = await violations(
        policy,
        "staging",
        container("migrate", (c) => delete c.essential),
      );
      assert.deepEqual(found, [message("migrate")]);
    });

    it("3: reports a health check with an empty command", async () => {
      const found = await violations(
        policy,
        "staging",
        container("app", (c) => (c.healthCheck = { command: [] })),
      );
      assert.deepEqual(found, [message("app")]);
    });

    const fix =
      'run a probe whose failure is the command\'s exit code, starting with "CMD" or ' +
      '"CMD-SHELL" (for example ["CMD", "node", "dist/healthcheck.js"]).';
    const wrong = (command: string[]) =>
      container("app", (c) => (c.healthCheck = { ...(c.healthCheck as Container), command }));

    it("4: reports a probe whose failure is swallowed by || exit 0", async () => {
      const command = ["CMD-SHELL", "curl -f http://localhost:3000/readyz || exit 0"];
      const found = await violations(policy, "prod", wrong(command));
      assert.deepEqual(found, [
        `container "app": healthCheck.command ${JSON.stringify(command)} always exits 0 ` +
          `("|| exit 0" turns every failure into success): ${fix}`,
      ]);
    });

    it("5: reports a command that does nothing, and one that is not CMD or CMD-SHELL", async () => {
      const found = [
        ...(await violations(policy, "staging", wrong(["CMD-SHELL", "exit 0"]))),
        ...(await violations(
          policy,
          "staging",
          wrong(["CMD", "sh", "-c", "wget -q -O- :3000; true"]),
        )),
        ...(await violations(policy, "staging", wrong(["CMD", "/bin/true"]))),
        ...(await violations(policy, "staging", wrong(["NONE"]))),
        ...(await violations(policy, "staging", wrong(["node", "dist/healthcheck.js"]))),
        ...(await violations(policy, "staging", wrong(["CMD", ""]))),
      ];
      const label = (command: string[]) =>
        `container "app": healthCheck.command ${JSON.stringify(command)}`;
      assert.deepEqual(found, [
        `${label(["CMD-SHELL", "exit 0"])} always exits 0 ("exit 0"): ${fix}`,
        `${label(["CMD", "sh", "-c", "wget -q -O- :3000; true"])} always exits 0 ("; true" turns ` +
          `every failure into success): ${fix}`,
        `${label(["CMD", "/bin/true"])} always exits 0 ("/bin/true"): ${fix}`,
        `${label(["NONE"])} starts with "NONE", which turns the health check off: ${fix}`,
        `${label(["node", "dist/healthcheck.js"])} starts with "node", not "CMD" or "CMD-SHELL": ${fix}`,
        `${label(["CMD", ""])} has nothing to run after "CMD": ${fix}`,
      ]);
    });

    it("passes probes that can fail: || exit 1, && chains, a shell script of the image", async () => {
      for (const command of [
        ["CMD-SHELL", "curl -f http://localhost:3000/readyz || exit 1"],
        ["CMD-SHELL", "test -f /tmp/ready && exit 0"],
        ["CMD", "sh", "-c", "/app/healthcheck.sh"],
      ]) {
        assert.deepEqual(await violations(policy, "prod", wrong(command)), [], command.join(" "));
      }
    });

    it("passes the program: app checked, the one-shot migrate container not essential", async () => {
      await passesBothStacks(policy);
    });
  });

  describe("ecs-task-definition-awslogs", () => {
    const policy = "ecs-task-definition-awslogs";
    const fix =
      'set logConfiguration {logDriver: "awslogs", options: {"awslogs-group": <a log group ' +
      'with retention>, "awslogs-region", "awslogs-stream-prefix"}}.';

    it("1: reports another log driver", async () => {
      const found = await violations(
        policy,
        "prod",
        container("app", (c) => (c.logConfiguration = { logDriver: "json-file" })),
      );
      assert.deepEqual(found, [`container "app": logs go to the json-file driver: ${fix}`]);
    });

    it("2: reports a container without a log configuration", async () => {
      const found = await violations(
        policy,
        "staging",
        container("migrate", (c) => delete c.logConfiguration),
      );
      assert.deepEqual(found, [`container "migrate": logs go nowhere: ${fix}`]);
    });

    it("3: reports awslogs without a log group", async () => {
      const found = await violations(
        policy,
        "staging",
        container("app", (c) => (c.logConfiguration = { logDriver: "awslogs", options: {} })),
      );
      assert.deepEqual(found, [`container "app": awslogs without an awslogs-group: ${fix}`]);
    });

    it("passes the program's containers (awslogs to the service's log group)", async () => {
      await passesBothStacks(policy);
    });
  });

  describe("ecs-task-definition-no-secrets-in-environment", () => {
    const policy = "ecs-task-definition-no-secrets-in-environment";
    const fix =
      ": move it to the container's secrets with valueFrom a Secrets Manager or SSM parameter " +
      "ARN (anyone who can describe the task definition reads its environment).";

    it("1: reports a variable named like a password", async () => {
      const found = await violations(policy, "prod", withVariable("DB_PASSWORD", "hunter2"));
      assert.deepEqual(found, [
        `container "app": environment variable DB_PASSWORD is named like a secret${fix}`,
      ]);
    });

    it("2: reports an AWS access key id, whatever the variable's name, without repeating it", async () => {
      const key = "AKIAIOSFODNN7EXAMPLE";
      const found = await violations(policy, "staging", withVariable("UPLOADS", key));
      assert.deepEqual(found, [
        `container "app": environment variable UPLOADS holds an AWS access key id${fix}`,
      ]);
      assert.ok(!found[0].includes(key));
    });

    it("3: reports a connection URL with a password", async () => {
      const found = await violations(
        policy,
        "prod",
        withVariable("DATABASE_URL", "postgres://app:s3cret@db.internal:5432/app"),
      );
      assert.deepEqual(found, [
        `container "app": environment variable DATABASE_URL holds a URL with a password${fix}`,
      ]);
    });

    it("4: reports names ending in KEY and holding TOKEN", async () => {
      const found = await violations(policy, "staging", (resources) => {
        withVariable("STRIPE_KEY", "x")(resources);
        withVariable("GITHUB_TOKEN", "x")(resources);
      });
      assert.equal(found.length, 2);
    });

    it("passes the program's variables (PG* settings, IAM auth flag, feature flags)", async () => {
      await passesBothStacks(policy);
    });

    it("passes a name that merely contains KEY", async () => {
      assert.deepEqual(
        await violations(policy, "prod", withVariable("CACHE_KEY_PREFIX", "v1")),
        [],
      );
    });
  });

  describe("ecs-task-definition-awsvpc-network-mode", () => {
    const policy = "ecs-task-definition-awsvpc-network-mode";
    const fix =
      'set networkMode "awsvpc" so each task gets its own network interface and security group.';

    it("1: reports host networking", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, taskDefinition, "-task"), "networkMode", "host"),
      );
      assert.deepEqual(found, [`networkMode is "host": ${fix}`]);
    });

    it("2: reports an unset mode (bridge on EC2)", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, taskDefinition, "-task"), "networkMode", undefined),
      );
      assert.deepEqual(found, [`networkMode is unset (bridge): ${fix}`]);
    });

    it("passes the program's task definition (awsvpc)", async () => {
      await passesBothStacks(policy);
    });
  });

  describe("ecs-task-definition-no-host-namespaces", () => {
    const policy = "ecs-task-definition-no-host-namespaces";

    it("1: reports the host's process namespace shared", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, taskDefinition, "-task"), "pidMode", "host"),
      );
      assert.deepEqual(found, [
        'pidMode is "host": remove it (or set "task"), so a container cannot see or signal the ' +
          "host's processes.",
      ]);
    });

    it("2: reports the host's IPC namespace shared", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, taskDefinition, "-task"), "ipcMode", "host"),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^ipcMode is "host": /);
    });

    it("passes the program's task definition (neither set) and task-scoped namespaces", async () => {
      await passesBothStacks(policy);
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, taskDefinition, "-task"), "pidMode", "task"),
      );
      assert.deepEqual(found, []);
    });
  });

  describe("ecs-service-no-public-ip", () => {
    const policy = "ecs-service-no-public-ip";

    it("1: reports a service that gives its tasks public IPs", async () => {
      const found = await violations(
        policy,
        "prod",
        serviceProperty("networkConfiguration", (n) => (n.assignPublicIp = true)),
      );
      assert.deepEqual(found, [
        "networkConfiguration.assignPublicIp is true: set it to false and run the tasks in " +
          "private subnets (outbound traffic through the NAT gateway or VPC endpoints).",
      ]);
    });

    it("2: reports a service whose tasks run in the public subnets", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const publicSubnets = resources.filter(
          (r) => r.type === "aws:ec2/subnet:Subnet" && /-public-\d$/.test(r.name),
        );
        const found = find(resources, service);
        const network = structuredClone(found.inputs.networkConfiguration) as Container;
        network.subnets = publicSubnets.map((s) => s.outputs.id);
        set(found, "networkConfiguration", network);
        found.propertyDependencies.networkConfiguration = [
          ...(found.propertyDependencies.networkConfiguration ?? []).filter(
            (urn) => !urn.includes("aws:ec2/subnet:Subnet"),
          ),
          ...publicSubnets.map((s) => s.urn),
        ];
      });
      assert.ok(found.length > 0);
      assert.match(
        found[0],
        /^service staging-service runs tasks in subnet staging-public-1, whose route table staging-public routes to an internet gateway: /,
      );
    });

    it("passes the program's service (private subnets, no public IP)", async () => {
      await passesBothStacks(policy);
    });
  });

  describe("ecs-service-deployment-circuit-breaker", () => {
    const policy = "ecs-service-deployment-circuit-breaker";
    const message =
      "the deployment circuit breaker does not roll back: set deploymentCircuitBreaker " +
      "{enable: true, rollback: true}.";

    it("1: reports a circuit breaker that does not roll back", async () => {
      const found = await violations(
        policy,
        "prod",
        serviceProperty("deploymentCircuitBreaker", (b) => (b.rollback = false)),
      );
      assert.deepEqual(found, [message]);
    });

    it("2: reports a service without a circuit breaker", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, service), "deploymentCircuitBreaker", undefined),
      );
      assert.deepEqual(found, [message]);
    });

    it("passes the program's service", async () => {
      await passesBothStacks(policy);
    });

    it("passes a service deployed by CodeDeploy, which rolls back by its own rules", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const s = find(resources, service);
        set(s, "deploymentCircuitBreaker", undefined);
        set(s, "deploymentController", { type: "CODE_DEPLOY" });
      });
      assert.deepEqual(found, []);
    });
  });

  describe("ecs-service-minimum-healthy-percent", () => {
    const policy = "ecs-service-minimum-healthy-percent";

    it("1: reports a deployment that may drop to half the tasks", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, service), "deploymentMinimumHealthyPercent", 50),
      );
      assert.deepEqual(found, [
        "deploymentMinimumHealthyPercent is 50: set 100 (with deploymentMaximumPercent 200), " +
          "so old tasks stop only once new ones are healthy.",
      ]);
    });

    const maximum = (stack: Stack, percent: number) =>
      violations(policy, stack, (resources) =>
        set(find(resources, service), "deploymentMaximumPercent", percent),
      );
    const stalls = (percent: number, desired: number) =>
      `deploymentMaximumPercent is ${percent}: with ${desired} desired task(s) and a minimum of ` +
      "100%, ECS can neither start a new task nor stop an old one, so a deployment never " +
      "proceeds; set 200.";

    it("2: reports a maximum that leaves no room for a new task (the deployment stalls)", async () => {
      assert.deepEqual(await maximum("prod", 100), [stalls(100, 3)]);
    });

    it("3: reports 150% of one task, which rounds down to the one task", async () => {
      assert.deepEqual(await maximum("staging", 150), [stalls(150, 1)]);
    });

    it("passes the program's service (100%) and an unset value (ECS's default, 100)", async () => {
      await passesBothStacks(policy);
      assert.deepEqual(await maximum("prod", 150), [], "150% of 3 tasks is 4: room for one");
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, service), "deploymentMinimumHealthyPercent", undefined),
      );
      assert.deepEqual(found, []);
    });
  });

  describe("ecs-service-fargate-platform-version", () => {
    const policy = "ecs-service-fargate-platform-version";
    const platform =
      (version: string | undefined): Change =>
      (resources) =>
        set(find(resources, service), "platformVersion", version);

    it("1: reports a Fargate platform version older than 1.4.0", async () => {
      const found = await violations(policy, "prod", platform("1.3.0"));
      assert.deepEqual(found, ['platformVersion is "1.3.0": set "LATEST" or "1.4.0".']);
    });

    it("2: reports a platform version that is not a version", async () => {
      const found = await violations(policy, "staging", platform("stable"));
      assert.deepEqual(found, ['platformVersion is "stable": set "LATEST" or "1.4.0".']);
    });

    it("passes the program's service (1.4.0), LATEST and an unset version (LATEST)", async () => {
      await passesBothStacks(policy);
      assert.deepEqual(await violations(policy, "staging", platform("LATEST")), []);
      assert.deepEqual(await violations(policy, "staging", platform(undefined)), []);
    });
  });

  describe("ecs-cluster-container-insights", () => {
    const policy = "ecs-cluster-container-insights";
    const cluster = "aws:ecs/cluster:Cluster";
    const message =
      'Container Insights is off: add settings [{name: "containerInsights", value: "enabled"}] ' +
      '(or "enhanced" for per-container metrics).';

    it("1: reports a cluster without settings", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, cluster, "-cluster"), "settings", undefined),
      );
      assert.deepEqual(found, [message]);
    });

    it("2: reports Container Insights disabled", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, cluster, "-cluster"), "settings", [
          { name: "containerInsights", value: "disabled" },
        ]),
      );
      assert.deepEqual(found, [message]);
    });

    it("passes the program's cluster (enabled) and enhanced observability", async () => {
      await passesBothStacks(policy);
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, cluster, "-cluster"), "settings", [
          { name: "containerInsights", value: "enhanced" },
        ]),
      );
      assert.deepEqual(found, []);
    });
  });

  describe("ecs-task-definition-drop-all-capabilities", () => {
    const policy = "ecs-task-definition-drop-all-capabilities";

    it("1: reports a container that drops no capability", async () => {
      const found = await violations(
        policy,
        "prod",
        container("app", (c) => delete c.linuxParameters),
      );
      assert.deepEqual(found, [
        'container "app": drops no capability: set linuxParameters.capabilities.drop to ["ALL"].',
      ]);
    });

    it("2: reports a container that drops only some (a wrong list, not a missing one)", async () => {
      const found = await violations(
        policy,
        "staging",
        container("migrate", (c) => (c.linuxParameters = { capabilities: { drop: ["NET_RAW"] } })),
      );
      assert.deepEqual(found, [
        'container "migrate": drops NET_RAW: set linuxParameters.capabilities.drop to ["ALL"].',
      ]);
    });

    it("3: reports a capability added back", async () => {
      const found = await violations(
        policy,
        "staging",
        container(
          "app",
          (c) => (c.linuxParameters = { capabilities: { drop: ["ALL"], add: ["SYS_PTRACE"] } }),
        ),
      );
      assert.deepEqual(found, [
        'container "app": adds SYS_PTRACE back: remove capabilities.add (the service needs no ' +
          "capability).",
      ]);
    });

    it("passes the program's containers", async () => {
      await passesBothStacks(policy);
    });
  });
});
