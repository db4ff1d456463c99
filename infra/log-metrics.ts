import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceContract } from "../app/src/contract";

export interface LogMetricsArgs {
  /** `<project>-<stack>`: each filter's name starts with it. */
  namePrefix: string;
  /** Namespace of the metrics the filters create. */
  namespace: string;
  /** The service's log group (JSON lines). */
  serviceLogGroupName: pulumi.Input<string>;
  /** The service's log patterns (its contract's `logPatterns`). */
  servicePatterns: ServiceContract["logPatterns"];
  /** The exported PostgreSQL log, whose `duration:` lines are the slow statements. */
  postgresLogGroupName: pulumi.Input<string>;
}

/**
 * Log lines as metrics, counted by CloudWatch Logs metric filters (0 when none match): the
 * service's error lines (`ErrorLogLines`), the requests it refused as malformed, which are
 * security events (`MalformedRequests`), and the database's slow statements (`SlowQueries`).
 */
export function createLogMetrics(name: string, scope: pulumi.Resource, args: LogMetricsArgs): void {
  const filter = (
    key: string,
    logGroupName: pulumi.Input<string>,
    pattern: string,
    metricName: string,
  ) =>
    new aws.cloudwatch.LogMetricFilter(
      `${name}-${key}`,
      {
        name: `${args.namePrefix}-${key}`,
        logGroupName,
        pattern,
        metricTransformation: {
          name: metricName,
          namespace: args.namespace,
          value: "1",
          defaultValue: "0",
          unit: "Count",
        },
      },
      { parent: scope },
    );
  const { errorLines, malformedRequests } = args.servicePatterns;
  filter("error-lines", args.serviceLogGroupName, errorLines, "ErrorLogLines");
  filter("malformed-requests", args.serviceLogGroupName, malformedRequests, "MalformedRequests");
  // `log_min_duration_statement` logs "duration: 812.345 ms  statement: ..." for each
  // statement slower than the threshold (config `dbSlowQueryMs`).
  filter("slow-queries", args.postgresLogGroupName, '"duration:"', "SlowQueries");
}
