import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { usEast1 } from "./alarm-mirror";
import type { BusinessMetrics, MonitoredService } from "./monitoring";

/** What the dashboard shows, resolved: names, ids and dimensions of the stack's resources. */
export interface DashboardInputs {
  region: string;
  service: MonitoredService;
  loadBalancer: string;
  targetGroup: string;
  database: string;
  proxy: string;
  healthCheckId: string;
  logNamespace: string;
  business: BusinessMetrics;
  maxStorageGb: number;
  cdn?: { distributionId: string; webAcl?: string; additionalMetrics: boolean };
  alarmArns: string[];
}

type Widget = Record<string, unknown>;

/** What the dashboard shows, as the stack's resources give it (resolved once they exist). */
export type DashboardArgs = {
  [
    K in keyof Omit<DashboardInputs, "region" | "logNamespace" | "business" | "maxStorageGb">
  ]: pulumi.Input<DashboardInputs[K]>;
} & Pick<DashboardInputs, "region" | "logNamespace" | "business" | "maxStorageGb"> & {
    /** The dashboard's name, unique per account. */
    dashboardName: string;
  };

/** The stack's CloudWatch dashboard (see `dashboardBody`). */
export function createDashboard(
  name: string,
  scope: pulumi.Resource,
  args: DashboardArgs,
): aws.cloudwatch.Dashboard {
  const { dashboardName, region, logNamespace, business, maxStorageGb, ...resources } = args;
  const body = pulumi.output(resources).apply((resolved) =>
    JSON.stringify(
      dashboardBody({
        ...(resolved as Omit<
          DashboardInputs,
          "region" | "logNamespace" | "business" | "maxStorageGb"
        >),
        region,
        logNamespace,
        business,
        maxStorageGb,
      }),
    ),
  );
  return new aws.cloudwatch.Dashboard(
    `${name}-dashboard`,
    { dashboardName, dashboardBody: body },
    { parent: scope },
  );
}

/**
 * The dashboard's widgets, by section: application, infrastructure, database, and edge when
 * there is a CDN. Each section starts with a text header; metric widgets flow three to a row.
 */
export function dashboardBody(d: DashboardInputs): { widgets: Widget[] } {
  const widgets: Widget[] = [];
  let y = 0;
  let x = 0;
  const header = (text: string) => {
    if (x > 0) y += 6;
    x = 0;
    widgets.push({ type: "text", x, y, width: 24, height: 1, properties: { markdown: text } });
    y += 1;
  };
  const metric = (
    title: string,
    metrics: unknown[][],
    options: { stat?: string; period?: number; region?: string; yAxis?: unknown } = {},
  ) => {
    widgets.push({
      type: "metric",
      x,
      y,
      width: 8,
      height: 6,
      properties: {
        title,
        region: options.region ?? d.region,
        view: "timeSeries",
        stacked: false,
        stat: options.stat ?? "Sum",
        period: options.period ?? 60,
        metrics,
        ...(options.yAxis ? { yAxis: options.yAxis } : {}),
      },
    });
    x += 8;
    if (x >= 24) {
      x = 0;
      y += 6;
    }
  };
  const alb = ["AWS/ApplicationELB"];
  const lb = ["LoadBalancer", d.loadBalancer];
  const lbTg = [...lb, "TargetGroup", d.targetGroup];
  const ecs = ["ClusterName", d.service.clusterName, "ServiceName", d.service.serviceName];
  const { spec } = d.business;
  const business = [
    spec.dimensions.service,
    d.business.service,
    spec.dimensions.environment,
    d.business.environment,
  ];

  header("## Application");
  widgets.push({
    type: "alarm",
    x: 0,
    y,
    width: 24,
    height: 3,
    properties: { title: "Alarms", alarms: d.alarmArns },
  });
  y += 3;
  metric("Requests per minute", [[...alb, "RequestCount", ...lb]]);
  metric("5xx (% of requests)", [
    [...alb, "RequestCount", ...lb, { id: "requests", visible: false }],
    [...alb, "HTTPCode_Target_5XX_Count", ...lb, { id: "target5xx", visible: false }],
    [...alb, "HTTPCode_ELB_5XX_Count", ...lb, { id: "elb5xx", visible: false }],
    [
      {
        id: "rate",
        expression:
          "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0))",
        label: "5xx %",
      },
    ],
  ]);
  metric(
    "Response time p50 / p95 / p99 (s)",
    ["p50", "p95", "p99"].map((stat) => [
      ...alb,
      "TargetResponseTime",
      ...lbTg,
      { stat, label: stat },
    ]),
  );
  // The service's own widgets, as its contract lists them.
  for (const widget of spec.widgets) {
    metric(
      widget.title,
      widget.metrics.map((key) => {
        const known = (spec.list as Record<string, { name: string } | undefined>)[key];
        if (!known) {
          throw new Error(
            `dashboard widget "${widget.title}": metric "${key}" is not one of the contract's ` +
              `metrics.list (${Object.keys(spec.list).join(", ")})`,
          );
        }
        return [spec.namespace, known.name, ...business];
      }),
      { stat: widget.stat, period: widget.periodSeconds },
    );
  }
  metric("Error log lines and malformed requests", [
    [d.logNamespace, "ErrorLogLines"],
    [d.logNamespace, "MalformedRequests"],
  ]);

  header("## Infrastructure");
  metric(
    "Healthy / unhealthy targets",
    [
      [...alb, "HealthyHostCount", ...lbTg],
      [...alb, "UnHealthyHostCount", ...lbTg],
    ],
    { stat: "Minimum" },
  );
  metric(
    "Tasks running / desired / pending",
    ["RunningTaskCount", "DesiredTaskCount", "PendingTaskCount"].map((name) => [
      "ECS/ContainerInsights",
      name,
      ...ecs,
    ]),
    { stat: "Average" },
  );
  metric(
    "ECS CPU and memory (%)",
    [
      ["AWS/ECS", "CPUUtilization", ...ecs],
      ["AWS/ECS", "MemoryUtilization", ...ecs],
    ],
    { stat: "Average", yAxis: { left: { min: 0, max: 100 } } },
  );
  metric(
    "Network I/O (bytes/s)",
    [
      ["ECS/ContainerInsights", "NetworkRxBytes", ...ecs],
      ["ECS/ContainerInsights", "NetworkTxBytes", ...ecs],
    ],
    { stat: "Average" },
  );
  metric(
    "Readiness check from outside (1 = healthy)",
    [["AWS/Route53", "HealthCheckStatus", "HealthCheckId", d.healthCheckId]],
    { stat: "Minimum", region: usEast1 },
  );

  header("## Database");
  const rds = ["AWS/RDS", "DBInstanceIdentifier", d.database];
  const rdsMetric = (name: string) => [rds[0], name, rds[1], rds[2]];
  metric("Database CPU (%)", [rdsMetric("CPUUtilization")], { stat: "Average" });
  metric(
    "Connections: database, proxy clients, proxy to database",
    [
      rdsMetric("DatabaseConnections"),
      ["AWS/RDS", "ClientConnections", "ProxyName", d.proxy],
      ["AWS/RDS", "DatabaseConnections", "ProxyName", d.proxy],
    ],
    { stat: "Maximum" },
  );
  metric(
    `Free storage (bytes; autoscaling ceiling ${d.maxStorageGb} GiB)`,
    [rdsMetric("FreeStorageSpace")],
    { stat: "Minimum" },
  );
  metric("Read / write latency (s)", [rdsMetric("ReadLatency"), rdsMetric("WriteLatency")], {
    stat: "Average",
  });
  metric("Slow statements per minute (PostgreSQL log)", [[d.logNamespace, "SlowQueries"]]);

  if (d.cdn) {
    header("## Edge");
    const cf = ["AWS/CloudFront"];
    const dist = ["DistributionId", d.cdn.distributionId, "Region", "Global"];
    metric("CDN requests", [[...cf, "Requests", ...dist]], { region: usEast1 });
    metric(
      "CDN error rate (%)",
      [
        [...cf, "4xxErrorRate", ...dist],
        [...cf, "5xxErrorRate", ...dist],
      ],
      { stat: "Average", region: usEast1 },
    );
    // CloudFront publishes the hit rate only with its additional metrics turned on.
    if (d.cdn.additionalMetrics) {
      metric("CDN cache hit rate (%)", [[...cf, "CacheHitRate", ...dist]], {
        stat: "Average",
        region: usEast1,
      });
    }
    if (d.cdn.webAcl) {
      metric(
        "WAF blocked requests",
        [["AWS/WAFV2", "BlockedRequests", "WebACL", d.cdn.webAcl, "Rule", "ALL"]],
        { region: usEast1 },
      );
    }
  }
  return { widgets };
}
