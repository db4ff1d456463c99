import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { prop, unknown } from "../lib/stack";

/** The stack has a CloudWatch dashboard with widgets. */
export const dashboard: StackValidationPolicy = {
  name: "stack-dashboard",
  description:
    "Seed monitoring (application, infrastructure, database) and pre-production 'monitoring active': the stack has a CloudWatch dashboard with widgets.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
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
