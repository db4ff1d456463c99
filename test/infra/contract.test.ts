import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { contract, type ServiceContract } from "../../app/src/contract";
import {
  ofType,
  repoRoot,
  runProgram,
  type ProgramRun,
  type RegisteredResource,
} from "../../scripts/offline/harness";
import { one, project, serviceTask } from "./stacks";

const contractFile = require.resolve("../../app/src/contract");
/** The modules that read the contract: the program's, and the service's it imports. */
const readers = [join(repoRoot, "infra") + sep, join(repoRoot, "app") + sep];

/**
 * Runs the real program for `stack` with `changed` in place of the contract's values. Every
 * module of the program and of the service is loaded afresh, so a value copied from the contract
 * when a module loaded follows too; the modules are put back afterwards.
 */
async function runWithContract(stack: string, changed: ServiceContract): Promise<ProgramRun> {
  const saved = { ...require.cache };
  for (const file of Object.keys(require.cache)) {
    if (readers.some((dir) => file.startsWith(dir))) delete require.cache[file];
  }
  const replaced = new Module(contractFile);
  replaced.filename = contractFile;
  replaced.loaded = true;
  replaced.exports = { contract: changed };
  require.cache[contractFile] = replaced;
  try {
    return await runProgram(stack);
  } finally {
    for (const file of Object.keys(require.cache)) delete require.cache[file];
    Object.assign(require.cache, saved);
  }
}

/** Every value in a resource's inputs, JSON documents in strings (policies, bodies) included. */
function* leaves(value: unknown): Generator<unknown> {
  if (typeof value === "string" && /^\s*[[{]/.test(value)) {
    try {
      yield* leaves(JSON.parse(value));
      return;
    } catch {
      // Not JSON after all: a plain string.
    }
  }
  if (Array.isArray(value)) for (const v of value) yield* leaves(v);
  else if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) yield* leaves(v);
  } else yield value;
}

const containers = (run: ProgramRun) =>
  JSON.parse(serviceTask(run).inputs.containerDefinitions as string) as {
    name: string;
    command?: string[];
    portMappings?: { containerPort: number }[];
    environment: { name: string; value: string }[];
    healthCheck?: Record<string, unknown>;
  }[];

describe("the service's contract (app/src/contract.ts): the program follows every value", () => {
  const stack = "prod";
  // A page and an asset under other names, in a source directory of their own.
  const pages = mkdtempSync(join(tmpdir(), "contract-pages-"));
  writeFileSync(join(pages, "home.html"), '<script src="main.js"></script>');
  writeFileSync(join(pages, "main.js"), "void 0;\n");
  after(() => rmSync(pages, { recursive: true, force: true }));

  const changed: ServiceContract = {
    ...contract,
    port: 9137,
    health: { liveness: "/live-probe", readiness: "/ready-probe" },
    apiPaths: ["/v2/*"],
    commands: {
      app: ["node", "dist/main.js"],
      migrate: ["node", "dist/schema.js", "apply"],
      bootstrap: ["node", "dist/roles.js"],
      healthCheck: ["node", "dist/alive.js"],
    },
    healthCheck: { intervalSeconds: 20, timeoutSeconds: 4, retries: 5, startPeriodSeconds: 45 },
    shutdownGraceMs: 15_000,
    environment: {
      ...contract.environment,
      port: "LISTEN_PORT",
      serviceName: "METRICS_SERVICE",
      database: {
        ...contract.environment.database,
        host: "DB_HOST",
        user: "DB_USER",
        password: "DB_PASSWORD",
        ownerRole: "DB_OWNER_ROLE",
        appRole: "DB_APP_ROLE",
      },
    },
    logPatterns: { errorLines: '{ $.severity = "ERROR" }', malformedRequests: "{ $.bad = 1 }" },
    metrics: {
      namespace: "Shop",
      dimensions: { service: "App", environment: "Stage" },
      list: { ordersPlaced: { name: "OrdersPlaced", unit: "Count" } },
      widgets: [{ title: "Orders per 10 minutes", metrics: ["ordersPlaced"], periodSeconds: 600 }],
    },
    assets: {
      sourceDir: relative(join(repoRoot, "app"), pages),
      prefix: "static/",
      entryPage: "home.html",
      cacheControl: { hashed: "public, max-age=600", entryPage: "no-cache" },
      contentSecurityPolicy: "default-src 'none'",
    },
  };

  let run: ProgramRun;
  before(async () => {
    run = await runWithContract(stack, changed);
  });

  it("no value of the contract's own is left in any resource", () => {
    const original = [
      contract.port,
      contract.health.liveness,
      contract.health.readiness,
      ...contract.apiPaths,
      contract.environment.port,
      contract.environment.serviceName,
      contract.environment.database.host,
      contract.logPatterns.errorLines,
      contract.logPatterns.malformedRequests,
      contract.metrics.namespace,
      ...Object.values(contract.metrics.list).map((m) => m.name),
      ...Object.values(contract.metrics.dimensions),
      ...contract.metrics.widgets.map((w) => w.title),
      contract.assets.entryPage,
      contract.assets.contentSecurityPolicy,
      ...Object.values(contract.assets.cacheControl),
      ...Object.values(contract.commands).flat(),
    ].filter((v) => v !== "node");
    const strays = run.resources.flatMap((r: RegisteredResource) =>
      [...leaves(r.inputs)]
        .filter(
          (v) =>
            original.includes(v as never) ||
            (typeof v === "string" &&
              (v.startsWith(contract.assets.prefix) ||
                v.startsWith(`/${contract.assets.prefix}`) ||
                v.endsWith(contract.health.readiness))),
        )
        .map((v) => `${r.type} ${r.name}: ${JSON.stringify(v)}`),
    );
    assert.deepEqual(strays, []);
  });

  it("task definition: port, commands, health check, environment names, drain time", () => {
    const [migrate, app] = containers(run);
    assert.deepEqual(migrate.command, ["node", "dist/schema.js", "apply"]);
    assert.deepEqual(app.portMappings, [{ containerPort: 9137, protocol: "tcp" }]);
    assert.deepEqual(app.healthCheck, {
      command: ["CMD", "node", "dist/alive.js"],
      interval: 20,
      timeout: 4,
      retries: 5,
      startPeriod: 45,
    });
    const env = Object.fromEntries(app.environment.map((e) => [e.name, e.value]));
    assert.equal(env.LISTEN_PORT, "9137");
    assert.equal(env.METRICS_SERVICE, project);
    assert.ok(env.DB_HOST);
    assert.equal(env.SHUTDOWN_GRACE_MS, "15000");
    const service = one(run, "aws:ecs/service:Service");
    const [binding] = service.inputs.loadBalancers as { containerPort: number }[];
    assert.equal(binding.containerPort, 9137);
  });

  it("target group and security groups: the port and the readiness path", () => {
    const targetGroup = one(run, "aws:lb/targetGroup:TargetGroup");
    assert.equal(targetGroup.inputs.port, 9137);
    assert.equal((targetGroup.inputs.healthCheck as { path: string }).path, "/ready-probe");
    const toTasks = [
      ...ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
      ...ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
    ].filter((r) => /service-from-alb|alb-to-service/.test(r.name));
    assert.equal(toTasks.length, 2);
    for (const rule of toTasks)
      assert.deepEqual([rule.inputs.fromPort, rule.inputs.toPort], [9137, 9137]);
  });

  it("CDN: behaviours, root object, the page's CSP, published files, the external probe", () => {
    const distribution = one(run, "aws:cloudfront/distribution:Distribution");
    const behaviours = distribution.inputs.orderedCacheBehaviors as { pathPattern: string }[];
    assert.deepEqual(
      behaviours.map((b) => b.pathPattern),
      ["/static/*", "/v2/*", "/live-probe", "/ready-probe"],
    );
    assert.equal(distribution.inputs.defaultRootObject, "home.html");
    const headers = one(run, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy");
    assert.match(JSON.stringify(headers.inputs), /default-src 'none'/);
    const files = ofType(run, "aws:s3/bucketObjectv2:BucketObjectv2").map((o) => [
      String(o.inputs.key).replace(/\.[0-9a-f]{10}\./, ".<hash>."),
      o.inputs.cacheControl,
    ]);
    assert.deepEqual(files.sort(), [
      ["home.html", "no-cache"],
      ["static/main.<hash>.js", "public, max-age=600"],
    ]);
    const probe = one(run, "aws:route53/healthCheck:HealthCheck");
    assert.equal(probe.inputs.resourcePath, "/ready-probe");
  });

  it("dashboard and log metrics: the service's metrics, widgets and patterns", () => {
    const body = JSON.parse(
      one(run, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody as string,
    ) as { widgets: { properties: { title?: string; period?: number; metrics?: unknown[][] } }[] };
    const orders = body.widgets.find((w) => w.properties.title === "Orders per 10 minutes");
    assert.ok(orders, "the contract's widget");
    assert.equal(orders.properties.period, 600);
    assert.deepEqual(orders.properties.metrics, [
      ["Shop", "OrdersPlaced", "App", project, "Stage", "prod"],
    ]);
    const patterns = ofType(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter").map(
      (f) => f.inputs.pattern,
    );
    assert.ok(patterns.includes('{ $.severity = "ERROR" }'));
    assert.ok(patterns.includes("{ $.bad = 1 }"));
  });
});
