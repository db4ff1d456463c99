import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { loadBalancers } from "./elb";
import { ofType, refersTo, type ResourceClass } from "./stack";

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
