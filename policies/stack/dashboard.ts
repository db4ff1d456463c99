import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { loadBalancers } from "../lib/elb";
import { isAny, prop, unknown, type ResourceClass } from "../lib/stack";

/** What a dashboard watches: something serving requests, running code or holding data. */
const monitored: ResourceClass[] = [
  ...loadBalancers,
  aws.apigateway.RestApi,
  aws.apigatewayv2.Api,
  aws.ecs.Service,
  aws.lambda.Function,
  aws.rds.Instance,
  aws.rds.Cluster,
];

/** Widget types that show the stack's state: metrics, alarms, log queries. Text shows none. */
const watching = new Set(["metric", "alarm", "log", "explorer"]);

/**
 * Safe condition: a stack that runs something to watch (a load balancer, an API, an ECS service,
 * a Lambda function, a database) has a CloudWatch dashboard with a widget that shows its state
 * (a metric, alarm, log or explorer widget; a text widget shows nothing). A stack of static
 * content only (a bucket behind CloudFront) is not asked for one. Widget types are those of the
 * CloudWatch dashboard body structure (CloudWatch API Reference, "Dashboard Body Structure").
 */
export const dashboard: StackValidationPolicy = {
  name: "stack-dashboard",
  description:
    "Monitoring (application, infrastructure, database) and pre-production 'monitoring active': a stack that runs something to watch (load balancer, API, ECS service, Lambda function, database) has a CloudWatch dashboard with metric widgets.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    if (!args.resources.some((r) => isAny(r, monitored))) return;
    const dashboards = args.resources.filter((r) => r.isType(aws.cloudwatch.Dashboard));
    const widgetTypes = (d: (typeof dashboards)[number]): string[] | "unknown" => {
      const body = prop<string>(d, "dashboardBody");
      if (body === unknown) return "unknown";
      try {
        const widgets = (JSON.parse(body ?? "{}") as { widgets?: { type?: string }[] }).widgets;
        return (widgets ?? []).map((w) => w.type ?? "");
      } catch {
        return [];
      }
    };
    const types = dashboards.map(widgetTypes);
    if (types.some((t) => t === "unknown")) return;
    const all = (types as string[][]).flat();
    if (all.some((t) => watching.has(t))) return;
    report(
      dashboards.length === 0
        ? "the stack has no CloudWatch dashboard: add an aws.cloudwatch.Dashboard with the " +
            "request, error, latency, container and database widgets."
        : all.length === 0
          ? "the stack's dashboards have no widgets: put the request, error, latency, " +
            "container and database metrics in dashboardBody.widgets."
          : `the stack's dashboards show no metric, alarm or log (only ${[...new Set(all)].join(", ")} ` +
            "widgets): add metric widgets for requests, errors, latency, containers and the " +
            "database.",
    );
  },
};
