import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { loadBalancers } from "./elb";
import { ofType, prop, refersTo, type ResourceClass } from "./stack";

/**
 * The alerting contract the observability component follows and the alarm policies check.
 *
 * Every alarm for a condition of the alert table (and the EventBridge rule for failed
 * backups) carries the tags `alert-condition` (a key of `alertConditions`) and `severity`; its
 * description starts with "[Critical]", "[High]" or "[Medium]" and contains "Runbook: <URL>"
 * ending in `docs/runbooks/<file>.md#<anchor>`. The two SNS topics carry the tag `alert-route`
 * (page or team); subscriptions are `aws.sns.TopicSubscription`s of a topic.
 */
export type Severity = "critical" | "high" | "medium";
export type Route = "page" | "team";

/** What serves requests: a load balancer or an API Gateway API. */
const requestServers: ResourceClass[] = [
  ...loadBalancers,
  aws.apigateway.RestApi,
  aws.apigatewayv2.Api,
];

/**
 * The alert table: severity, who is told, and the subject a row is about. A row applies only
 * when the stack has its subject: no database disk alarm without an RDS instance (Aurora's
 * storage grows by itself), no memory alarm without an ECS service, no latency alarm without
 * something serving requests, no backup alarm without a backup plan.
 */
export const alertConditions: Record<
  string,
  { condition: string; severity: Severity; route: Route; subjects: ResourceClass[] }
> = {
  "service-down": {
    condition: "Service down",
    severity: "critical",
    route: "page",
    subjects: [...requestServers, aws.ecs.Service, aws.lambda.Function],
  },
  "error-rate": {
    condition: "Error rate > 5%",
    severity: "high",
    route: "page",
    subjects: [...requestServers, aws.lambda.Function],
  },
  "latency-p95-high": {
    condition: "P95 latency > 1s",
    severity: "high",
    route: "team",
    subjects: requestServers,
  },
  "latency-p95-review": {
    condition: "P95 latency > 500ms",
    severity: "medium",
    route: "team",
    subjects: requestServers,
  },
  "database-disk": {
    condition: "Disk > 80%",
    severity: "medium",
    route: "team",
    subjects: [aws.rds.Instance],
  },
  memory: {
    condition: "Memory > 90%",
    severity: "high",
    route: "team",
    subjects: [aws.ecs.Service],
  },
  "certificate-expiry": {
    condition: "Certificate expiring",
    severity: "medium",
    route: "team",
    subjects: [aws.acm.Certificate],
  },
  "backup-failed": {
    condition: "Backup failed",
    severity: "high",
    route: "team",
    subjects: [aws.backup.Plan],
  },
};

/**
 * What the rows with a threshold measure, as CloudWatch names it, and the value the row's
 * condition puts on it: TargetResponseTime is in seconds ("Application Load Balancer metrics"),
 * ECS MemoryUtilization in percent of the tasks' reservation, RDS FreeStorageSpace in bytes
 * ("Amazon CloudWatch metrics for Amazon RDS"), so "disk > 80% used" is free space below 20 %
 * of the instance's allocatedStorage (GiB). A row without an entry (service down, error rate:
 * composites or metric math) is judged on its routing and description only.
 */
export const rowMetrics: Record<
  string,
  {
    namespace: string;
    metricName: string;
    extendedStatistic?: string;
    above: boolean;
    limit: (subject: PolicyResource | undefined) => number | undefined;
    unit: string;
  }
> = {
  "latency-p95-high": {
    namespace: "AWS/ApplicationELB",
    metricName: "TargetResponseTime",
    extendedStatistic: "p95",
    above: true,
    limit: () => 1,
    unit: "s",
  },
  "latency-p95-review": {
    namespace: "AWS/ApplicationELB",
    metricName: "TargetResponseTime",
    extendedStatistic: "p95",
    above: true,
    limit: () => 0.5,
    unit: "s",
  },
  memory: {
    namespace: "AWS/ECS",
    metricName: "MemoryUtilization",
    above: true,
    limit: () => 90,
    unit: "%",
  },
  "database-disk": {
    namespace: "AWS/RDS",
    metricName: "FreeStorageSpace",
    above: false,
    limit: (instance) => {
      const gib = instance ? Number(prop(instance, "allocatedStorage")) : NaN;
      return Number.isFinite(gib) ? Math.floor(gib * 0.2 * 1024 ** 3) : undefined;
    },
    unit: "bytes",
  },
};

/**
 * What is wrong with the metric and threshold of `alarm`, the alarm of row `key`: another metric
 * than the row's, a statistic other than its percentile, a comparison the wrong way, a threshold
 * looser than the row's condition, or dimensions that name none of the stack's `subjects`.
 * Undefined when right, or when the row has no metric to compare (see rowMetrics).
 */
export function metricProblem(
  alarm: PolicyResource,
  key: string,
  subjects: PolicyResource[],
): string | undefined {
  const expected = rowMetrics[key];
  if (!expected || !alarm.isType(aws.cloudwatch.MetricAlarm)) return undefined;
  const namespace = prop<string>(alarm, "namespace");
  const metricName = prop<string>(alarm, "metricName");
  if (metricName === undefined) return undefined;
  if (namespace !== expected.namespace || metricName !== expected.metricName) {
    return `watches ${namespace}/${metricName}: the row's alarm watches ${expected.namespace}/${expected.metricName}`;
  }
  if (
    expected.extendedStatistic &&
    prop<string>(alarm, "extendedStatistic") !== expected.extendedStatistic
  ) {
    const got = prop<string>(alarm, "extendedStatistic") ?? prop<string>(alarm, "statistic");
    return `takes the ${got} of ${metricName}: the row is about its ${expected.extendedStatistic} (extendedStatistic: "${expected.extendedStatistic}")`;
  }
  const operator = prop<string>(alarm, "comparisonOperator") ?? "";
  if (expected.above !== /^GreaterThan/.test(operator)) {
    return `compares ${operator}: the row fires when ${metricName} is ${expected.above ? "above" : "below"} its threshold`;
  }
  const subject = subjects.find((s) => refersTo(alarm, "dimensions", s));
  if (subjects.length > 0 && !subject) {
    return `has dimensions that name none of the stack's ${subjects.map((s) => s.name).join(", ")}: it watches something else`;
  }
  const threshold = prop<number>(alarm, "threshold");
  const limit = expected.limit(subject);
  if (typeof threshold === "number" && limit !== undefined) {
    const loose = expected.above ? threshold > limit : threshold < limit;
    if (loose) {
      return `fires at ${threshold} ${expected.unit}, later than the row's ${limit} ${expected.unit}`;
    }
  }
  return undefined;
}

const severityPrefix = /^\[(Critical|High|Medium)\]/;
const runbookLink = /Runbook: (https?:\/\/\S*docs\/runbooks\/[\w.-]+\.md#[\w-]+)/;

/** What is wrong with an alarm's description (and severity tag), or undefined. */
export function descriptionProblem(
  description: string | undefined,
  severityTag: string | undefined,
): string | undefined {
  const prefix = severityPrefix.exec(description ?? "");
  if (!prefix) return 'does not start with its severity ("[Critical]", "[High]" or "[Medium]")';
  if (!runbookLink.test(description ?? "")) {
    return 'has no "Runbook: <URL of docs/runbooks/<file>.md#<section>>" link';
  }
  if (severityTag !== undefined && severityTag !== prefix[1].toLowerCase()) {
    return `says ${prefix[0]} but its severity tag is "${severityTag}"`;
  }
  return undefined;
}

/**
 * Whether an EventBridge rule with a target forwards `alarm`'s state changes: how an alarm on a
 * us-east-1-only metric (Route 53 health checks, CloudFront's certificate) reaches the stack's
 * region, where its mirror notifies or joins a composite. Such an alarm is judged by its mirror.
 */
export function isForwarded(alarm: PolicyResource, resources: PolicyResource[]): boolean {
  return ofType(resources, aws.cloudwatch.EventRule).some(
    (rule) => refersTo(rule, "eventPattern", alarm) && targetsOf(rule, resources).length > 0,
  );
}

/** The CloudWatch alarms of `resources` (metric and composite), and the composites among them. */
export function alarmsIn(resources: PolicyResource[]): {
  alarms: PolicyResource[];
  composites: PolicyResource[];
} {
  const composites = ofType(resources, aws.cloudwatch.CompositeAlarm);
  const alarms = resources.filter(
    (r) => r.isType(aws.cloudwatch.MetricAlarm) || composites.includes(r),
  );
  return { alarms, composites };
}

/** The EventBridge targets of `resources` whose `rule` is `rule`. */
export function targetsOf(rule: PolicyResource, resources: PolicyResource[]): PolicyResource[] {
  return ofType(resources, aws.cloudwatch.EventTarget).filter((r) => refersTo(r, "rule", rule));
}
