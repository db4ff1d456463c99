import assert from "node:assert/strict";
import { loadConfig as loadAppConfig } from "../../app/src/config";
import { contract } from "../../app/src/contract";
import { environments } from "../../infra/config";
import { dashboardBody, type DashboardInputs } from "../../infra/dashboard";
import { ofType, type ProgramRun } from "../../scripts/offline/harness";
import { configKey, one, stackRun, serviceTask } from "./stacks";

/** One metric a widget reads: namespace, name and dimensions. */
interface MetricRef {
  widget: string;
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

type Widget = { type: string; properties: { title?: string; metrics?: unknown[][] } };

/** Every metric the dashboard's widgets read (math expressions read these, not a metric). */
export function widgetMetrics(body: { widgets: unknown[] }): MetricRef[] {
  const refs: MetricRef[] = [];
  for (const widget of (body.widgets as Widget[]).filter((w) => w.type === "metric")) {
    for (const row of widget.properties.metrics ?? []) {
      const parts = row.filter((x): x is string => typeof x === "string");
      if (parts.length < 2) continue;
      const [namespace, name, ...dims] = parts;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < dims.length; i += 2) dimensions[dims[i]] = dims[i + 1];
      refs.push({ widget: widget.properties.title ?? "", namespace, name, dimensions });
    }
  }
  return refs;
}

/**
 * Whether something the stack creates publishes `m`, following what each AWS service documents
 * it sends to CloudWatch and when. Undefined: published; otherwise why not.
 */
export function unpublished(run: ProgramRun, m: MetricRef): string | undefined {
  const d = m.dimensions;
  const has = (
    type: string,
    match: (inputs: Record<string, unknown>, outputs: Record<string, unknown>) => boolean,
  ) => ofType(run, type).some((r) => match(r.inputs, r.outputs));
  switch (m.namespace) {
    case "AWS/ApplicationELB":
      // Every ALB publishes its metrics; the target group's only with the load balancer's.
      if (!has("aws:lb/loadBalancer:LoadBalancer", (_, o) => o.arnSuffix === d.LoadBalancer)) {
        return `no load balancer ${d.LoadBalancer}`;
      }
      if (
        d.TargetGroup &&
        !has("aws:lb/targetGroup:TargetGroup", (_, o) => o.arnSuffix === d.TargetGroup)
      ) {
        return `no target group ${d.TargetGroup}`;
      }
      return undefined;
    case "AWS/ECS":
      return has("aws:ecs/service:Service", (_, o) => o.name === d.ServiceName) &&
        has("aws:ecs/cluster:Cluster", (_, o) => o.name === d.ClusterName)
        ? undefined
        : `no ECS service ${d.ServiceName} in cluster ${d.ClusterName}`;
    case "ECS/ContainerInsights":
      // Published only for clusters with Container Insights on.
      return has(
        "aws:ecs/cluster:Cluster",
        (i, o) =>
          o.name === d.ClusterName &&
          ((i.settings as { name: string; value: string }[] | undefined) ?? []).some(
            (s) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(s.value),
          ),
      )
        ? undefined
        : `cluster ${d.ClusterName} has no Container Insights`;
    case "AWS/RDS":
      if (d.DBInstanceIdentifier) {
        return has("aws:rds/instance:Instance", (i) => i.identifier === d.DBInstanceIdentifier)
          ? undefined
          : `no DB instance ${d.DBInstanceIdentifier}`;
      }
      return has("aws:rds/proxy:Proxy", (i) => i.name === d.ProxyName)
        ? undefined
        : `no RDS proxy ${d.ProxyName}`;
    case "AWS/Route53":
      return has("aws:route53/healthCheck:HealthCheck", (_, o) => o.id === d.HealthCheckId)
        ? undefined
        : `no health check ${d.HealthCheckId}`;
    case "AWS/CloudFront": {
      if (!has("aws:cloudfront/distribution:Distribution", (_, o) => o.id === d.DistributionId)) {
        return `no distribution ${d.DistributionId}`;
      }
      // The default metrics, sent for every distribution; the rest only with a monitoring
      // subscription ("Enabling additional metrics", CloudFront developer guide).
      const defaults = [
        "Requests",
        "BytesDownloaded",
        "BytesUploaded",
        "4xxErrorRate",
        "5xxErrorRate",
        "TotalErrorRate",
      ];
      if (defaults.includes(m.name)) return undefined;
      return has(
        "aws:cloudfront/monitoringSubscription:MonitoringSubscription",
        (i) =>
          i.distributionId === d.DistributionId &&
          (
            i.monitoringSubscription as {
              realtimeMetricsSubscriptionConfig?: { realtimeMetricsSubscriptionStatus?: string };
            }
          )?.realtimeMetricsSubscriptionConfig?.realtimeMetricsSubscriptionStatus === "Enabled",
      )
        ? undefined
        : `${m.name} needs CloudFront's additional metrics (a monitoring subscription) on ${d.DistributionId}`;
    }
    case "AWS/WAFV2":
      return has(
        "aws:wafv2/webAcl:WebAcl",
        (i) =>
          (i.visibilityConfig as { metricName?: string; cloudwatchMetricsEnabled?: boolean })
            ?.metricName === d.WebACL &&
          (i.visibilityConfig as { cloudwatchMetricsEnabled?: boolean })
            .cloudwatchMetricsEnabled === true,
      )
        ? undefined
        : `no web ACL publishing metrics as ${d.WebACL}`;
    default: {
      // A log metric filter's metric, or the service's own (EMF lines through awslogs).
      const filtered = has("aws:cloudwatch/logMetricFilter:LogMetricFilter", (i) => {
        const t = i.metricTransformation as { namespace: string; name: string };
        return t.namespace === m.namespace && t.name === m.name;
      });
      if (filtered) return undefined;
      return publishedByService(run, m) ? undefined : `nothing publishes ${m.namespace}/${m.name}`;
    }
  }
}

/** The service's business metrics: its namespace, and the dimensions its task sets. */
function publishedByService(run: ProgramRun, m: MetricRef): boolean {
  const task = serviceTask(run);
  const app = (
    JSON.parse(task.inputs.containerDefinitions as string) as {
      name: string;
      environment: { name: string; value: string }[];
      logConfiguration: { logDriver: string };
    }[]
  ).find((c) => c.name === "app")!;
  const env = Object.fromEntries(app.environment.map((e) => [e.name, e.value]));
  // The service's own reading of its metric settings, from the variables the task gives it.
  const metrics = loadAppConfig({
    SERVICE_NAME: env.SERVICE_NAME,
    DEPLOY_ENV: env.DEPLOY_ENV,
    DATABASE_URL: "postgres://localhost/unused",
  }).metrics;
  const { dimensions, list } = contract.metrics;
  return (
    app.logConfiguration.logDriver === "awslogs" &&
    m.namespace === metrics.namespace &&
    Object.values(list).some(({ name }) => name === m.name) &&
    m.dimensions[dimensions.service] === metrics.service &&
    m.dimensions[dimensions.environment] === metrics.environment
  );
}

/** Inputs of `dashboardBody` that name nothing real, for what does not depend on them. */
const inputs: DashboardInputs = {
  region: "eu-west-1",
  service: { clusterName: "c", serviceName: "s", serviceArn: "a", logGroupName: "g" },
  loadBalancer: "l",
  targetGroup: "t",
  database: "d",
  proxy: "p",
  healthCheckId: "h",
  logNamespace: "n",
  business: { spec: contract.metrics, service: "s", environment: "e" },
  maxStorageGb: 20,
  alarmArns: [],
};

describe("dashboard: every widget reads a metric the stack publishes", () => {
  for (const stack of environments) {
    it(stack, async () => {
      const run = await stackRun(stack);
      const dashboard = one(run, "aws:cloudwatch/dashboard:Dashboard");
      const refs = widgetMetrics(JSON.parse(dashboard.inputs.dashboardBody as string));
      assert.ok(refs.length > 20, `the dashboard's metrics (${refs.length})`);
      const missing = refs
        .map((m) => [m.widget, unpublished(run, m)])
        .filter(([, why]) => why !== undefined);
      assert.deepEqual(missing, []);
      const subscribed =
        ofType(run, "aws:cloudfront/monitoringSubscription:MonitoringSubscription").length > 0;
      assert.equal(subscribed, run.config[configKey("cdnAdditionalMetrics")] === "true");
      assert.equal(
        refs.some((m) => m.name === "CacheHitRate"),
        subscribed,
        "the cache hit rate is shown exactly where CloudFront publishes it",
      );
    });
  }

  it("catches a widget on CloudFront's additional metrics when nothing turns them on", async () => {
    const run = await stackRun("dev");
    assert.equal(
      ofType(run, "aws:cloudfront/monitoringSubscription:MonitoringSubscription").length,
      0,
      "dev runs without CloudFront's additional metrics",
    );
    const distributionId = String(one(run, "aws:cloudfront/distribution:Distribution").outputs.id);
    const refs = widgetMetrics(
      dashboardBody({ ...inputs, cdn: { distributionId, additionalMetrics: true } }),
    ).filter((m) => m.name === "CacheHitRate");
    assert.equal(refs.length, 1);
    assert.match(String(unpublished(run, refs[0])), /needs CloudFront's additional metrics/);
  });
});

describe("dashboard: the service's widgets", () => {
  it("refuses a widget on a metric the contract does not list, naming both", () => {
    const widgets = [{ title: "Typo", metrics: ["noteCreated"] }];
    assert.throws(
      () =>
        dashboardBody({
          ...inputs,
          business: { ...inputs.business, spec: { ...contract.metrics, widgets } },
        }),
      /^Error: dashboard widget "Typo": metric "noteCreated" is not one of the contract's metrics\.list \(notesCreated, notesDeleted, activeClients\)$/,
    );
  });
});
