/**
 * The alert table of docs/quality-gate.md as data: each condition's severity, where it is routed, what to do
 * first and its runbook section. The alarms (infra/monitoring.ts), their tags, docs/architecture.md's
 * alert table and the runbook-link test all read it, so they cannot drift apart.
 */
import type { AlertRoute } from "./alerting";

export type AlertCondition =
  | "service-down"
  | "error-rate"
  | "latency-p95-high"
  | "latency-p95-review"
  | "database-disk"
  | "memory"
  | "certificate-expiry"
  | "backup-failed";

export type Severity = "critical" | "high" | "medium";

export interface AlertSpec {
  severity: Severity;
  route: AlertRoute;
  /** The one thing the person reading the alert does first. */
  firstStep: string;
  /** Page under docs/runbooks/ and the heading's anchor. */
  runbook: { file: string; anchor: string };
}

export const alertTable: Record<AlertCondition, AlertSpec> = {
  "service-down": {
    severity: "critical",
    route: "page",
    firstStep:
      "open the dashboard; if healthy hosts is 0, read the service's last log lines and roll back if a deploy just ran",
    runbook: { file: "common-issues.md", anchor: "service-down" },
  },
  "error-rate": {
    severity: "high",
    route: "page",
    firstStep:
      "split target 5xx from load balancer 5xx on the dashboard and read the service's error lines",
    runbook: { file: "common-issues.md", anchor: "5xx-from-the-load-balancer" },
  },
  "latency-p95-high": {
    severity: "high",
    route: "team",
    firstStep: "compare database latency and proxy connections with the request rate",
    runbook: { file: "common-issues.md", anchor: "slow-responses" },
  },
  "latency-p95-review": {
    severity: "medium",
    route: "team",
    firstStep: "review the slow-query count and the latest deploy during working hours",
    runbook: { file: "common-issues.md", anchor: "slow-responses" },
  },
  "database-disk": {
    severity: "medium",
    route: "team",
    firstStep: "check free storage against the storage autoscaling ceiling",
    runbook: { file: "common-issues.md", anchor: "database-disk-filling-up" },
  },
  memory: {
    severity: "high",
    route: "team",
    firstStep: "check whether memory climbs steadily (a leak) or with traffic (too small a task)",
    runbook: { file: "common-issues.md", anchor: "task-memory-high" },
  },
  "certificate-expiry": {
    severity: "medium",
    route: "team",
    firstStep: "check the certificate's renewal status and its DNS validation record in ACM",
    runbook: { file: "common-issues.md", anchor: "certificate-expiring" },
  },
  "backup-failed": {
    severity: "high",
    route: "team",
    firstStep: "read the failed job's status message in AWS Backup and start an on-demand backup",
    runbook: { file: "database-recovery.md", anchor: "a-backup-job-failed" },
  },
};

/**
 * Where the runbooks are published when `runbookBaseUrl` is not set: this template's own
 * repository. A fork sets `runbookBaseUrl` to its copy.
 */
export const defaultRunbookBaseUrl =
  "https://github.com/acme/acme-platform/blob/main/docs/runbooks";

/** What a `runbookBaseUrl` must look like: an https URL without a trailing slash. */
export const runbookBaseUrlPattern = /^https:\/\/\S+[^/]$/;

/** `https://.../docs/runbooks/<file>.md#<anchor>` */
export function runbookSectionUrl(baseUrl: string, { file, anchor }: AlertSpec["runbook"]): string {
  return `${baseUrl.replace(/\/+$/, "")}/${file}#${anchor}`;
}

/** The runbook section of a condition in the alert table. */
export function runbookUrl(baseUrl: string, condition: AlertCondition): string {
  return runbookSectionUrl(baseUrl, alertTable[condition].runbook);
}

const severityLabel: Record<Severity, string> = {
  critical: "[Critical]",
  high: "[High]",
  medium: "[Medium]",
};

/** The parts of an alert's text; `severity` is left out where the channel carries none. */
export interface AlertText {
  severity?: Severity;
  /** What happened, without the final full stop. */
  what: string;
  firstStep: string;
  runbookUrl: string;
}

/** PutMetricAlarm's and PutCompositeAlarm's AlarmDescription: at most 1024 characters. */
export const alarmDescriptionLimit = 1024;
/** EventBridge PutRule's Description: at most 512 characters. */
export const eventRuleDescriptionLimit = 512;
/**
 * The longest `runbookBaseUrl` the config accepts: with it, the longest alert text the stacks
 * write (an EventBridge rule's description) still fits its 512 characters; a test runs every
 * stack with a URL of this length.
 */
export const runbookBaseUrlMaxLength = 200;

/**
 * An alert's text: `[Severity] what happened. What to do first: ... Runbook: <url>`. `limit` is
 * the length the field it lands in allows; `subject` names the text in the error when it is
 * longer.
 */
export function formatAlertText(
  subject: string,
  text: AlertText,
  limit = alarmDescriptionLimit,
): string {
  const label = text.severity === undefined ? "" : `${severityLabel[text.severity]} `;
  const formatted = `${label}${text.what}. What to do first: ${text.firstStep}. Runbook: ${text.runbookUrl}`;
  if (formatted.length > limit) {
    throw new Error(`${subject} has ${formatted.length} characters, over its ${limit}`);
  }
  return formatted;
}

/** An alarm's description for a condition of the alert table, in `formatAlertText`'s form. */
export function alertDescription(
  baseUrl: string,
  condition: AlertCondition,
  what: string,
  limit = alarmDescriptionLimit,
): string {
  const spec = alertTable[condition];
  return formatAlertText(
    `description of ${condition}`,
    {
      severity: spec.severity,
      what,
      firstStep: spec.firstStep,
      runbookUrl: runbookUrl(baseUrl, condition),
    },
    limit,
  );
}

/** The tags every alert resource carries, which the policy pack checks. */
export function alertTags(condition: AlertCondition): Record<string, string> {
  return { "alert-condition": condition, severity: alertTable[condition].severity };
}
