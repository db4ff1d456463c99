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

/**
 * Safe condition: a stack that runs something to watch (a load balancer, an API, an ECS service,
 * a Lambda function, a database) has a CloudWatch dashboard with widgets. A stack of static
 * content only (a bucket behind CloudFront) is not asked for one.
 */
export const dashboard: StackValidationPolicy = {
  name: "stack-dashboard",
  description:
    "Monitoring (application, infrastructure, database) and pre-production 'monitoring active': a stack that runs something to watch (load balancer, API, ECS service, Lambda function, database) has a CloudWatch dashboard with widgets.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    if (!args.resources.some((r) => isAny(r, monitored))) return;
    const dashboards = args.resources.filter((r) => r.isType(aws.cloudwatch.Dashboard));
    const hasWidgets = dashboards.some((d) => {
      const body = prop<string>(d, "dashboardBody");
      if (body === unknown) return true;
      try {
        return ((JSON.parse(body ?? "{}") as { widgets?: unknown[] }).widgets ?? []).length > 0;
      } catch {
        return false;
      }
    });
    if (!hasWidgets) {
      report(
        dashboards.length === 0
          ? "the stack has no CloudWatch dashboard: add an aws.cloudwatch.Dashboard with the " +
              "request, error, latency, container and database widgets."
          : "the stack's dashboards have no widgets: put the request, error, latency, " +
              "container and database metrics in dashboardBody.widgets.",
      );
    }
  },
};
