import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
  alarmsIn,
  alertConditions,
  descriptionProblem,
  isForwarded,
  metricProblem,
  targetsOf,
  type Route,
} from "../lib/alerts";
import { isAny, prop, refersTo, tagsOf } from "../lib/stack";

/**
 * Safe condition: the alert table, each row whose subject the stack has (lib/alerts.ts) an alarm (or, for failed backups, an EventBridge rule) that
 * reaches a subscribed topic of the row's route: the page topic for service down and error
 * rate, the team topic for the rest, and nothing else on the page topic. No row is demanded of a
 * stack without its subject (no database disk alarm without a database, no certificate expiry
 * without a certificate). The tags and description format are the
 * contract of ../lib/alerts.ts. An alarm of a row with a threshold measures that row's metric
 * (and percentile) on a resource of this stack, compares the right way and fires no later than
 * the row's condition says (lib/alerts.ts, rowMetrics).
 */
export const alertTable: StackValidationPolicy = {
  name: "stack-alert-table",
  description:
    "Alerting table, 'runbooks linked to alerts' and pre-production 'alerts configured': each condition whose subject the stack has (service down, error rate, p95 > 1 s, p95 > 500 ms: something serving requests; disk: an RDS instance; memory: an ECS service; certificate expiry: a certificate; backup failed: a backup plan) has an alarm of its severity with actions to a subscribed topic of its route and a runbook link; where the row has a threshold, on its metric of this stack's resource, no looser than the row.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const { resources } = args;
    const topics = resources.filter((r) => r.isType(aws.sns.Topic));
    const subscriptions = resources.filter((r) => r.isType(aws.sns.TopicSubscription));
    const { alarms, composites } = alarmsIn(resources);
    const alerts = [...alarms, ...resources.filter((r) => r.isType(aws.cloudwatch.EventRule))];

    /** Topics an alert notifies: its actions, its composites' actions, its EventBridge targets. */
    const topicsOf = (alert: PolicyResource): PolicyResource[] => {
      if (alert.isType(aws.cloudwatch.EventRule)) {
        const ruleTargets = targetsOf(alert, resources);
        return topics.filter((topic) => ruleTargets.some((t) => refersTo(t, "arn", topic)));
      }
      const notifying = [alert, ...composites.filter((c) => refersTo(c, "alarmRule", alert))];
      return topics.filter((topic) => notifying.some((a) => refersTo(a, "alarmActions", topic)));
    };
    const routeOf = (topic: PolicyResource) => tagsOf(topic)["alert-route"] as Route | undefined;
    const subscribed = (topic: PolicyResource) =>
      subscriptions.some((s) => refersTo(s, "topic", topic));

    const certificates = resources.filter((r) => r.isType(aws.acm.Certificate));
    const validations = resources.filter((r) => r.isType(aws.acm.CertificateValidation));
    for (const [key, row] of Object.entries(alertConditions)) {
      // A row applies only when the stack has its subject (lib/alerts.ts).
      if (!resources.some((r) => isAny(r, row.subjects))) continue;
      const matching = alerts.filter((a) => tagsOf(a)["alert-condition"] === key);
      if (key === "certificate-expiry" && matching.length > 0) {
        // ACM's DaysToExpiry is per certificate: each needs an alarm on its own ARN.
        for (const certificate of certificates) {
          // The ARN usually comes through the certificate's validation (which waits for it to
          // be issued); a preview knows only that dependency, not the ARN.
          const handles = [
            certificate,
            ...validations.filter((v) => refersTo(v, "certificateArn", certificate)),
          ];
          const watched = matching.some((a) =>
            handles.some((h) => refersTo(a, "dimensions", h) || refersTo(a, "metricQueries", h)),
          );
          if (!watched) {
            report(
              `certificate ${certificate.name} has no expiry alarm: add an alarm on ` +
                "AWS/CertificateManager DaysToExpiry with dimensions { CertificateArn: <its " +
                "ARN> }, tagged alert-condition=certificate-expiry.",
              certificate.urn,
            );
          }
        }
      }
      if (matching.length === 0) {
        report(
          `no alarm for "${row.condition}" (${row.severity}): add one tagged ` +
            `alert-condition=${key}, severity=${row.severity}, whose actions go to the ` +
            `${row.route} topic and whose description links its runbook.`,
        );
        continue;
      }
      for (const alert of matching) {
        const tags = tagsOf(alert);
        if (tags.severity !== row.severity) {
          report(
            `${alert.name} (${row.condition}) has severity "${tags.severity}": the alert ` +
              `table says ${row.severity}; set tag severity=${row.severity} and the matching ` +
              "description prefix.",
            alert.urn,
          );
        }
        const description = prop<string>(
          alert,
          alert.isType(aws.cloudwatch.EventRule) ? "description" : "alarmDescription",
        );
        const problem = descriptionProblem(description, tags.severity);
        if (problem) {
          report(`${alert.name} (${row.condition}): its description ${problem}.`, alert.urn);
        }
        const metric = metricProblem(
          alert,
          key,
          resources.filter((r) => isAny(r, row.subjects)),
        );
        if (metric) {
          report(
            `${alert.name} (${row.condition}) ${metric}: measure the row's condition, on this ` +
              "stack's resource.",
            alert.urn,
          );
        }
        // A us-east-1 alarm forwarded to its mirror: the mirror carries the route.
        if (isForwarded(alert, resources)) continue;
        const reached = topicsOf(alert);
        if (!reached.some((t) => routeOf(t) === row.route && subscribed(t))) {
          report(
            `${alert.name} (${row.condition}) reaches no subscribed ${row.route} topic: send ` +
              `its actions to the topic tagged alert-route=${row.route}, which needs an ` +
              "aws.sns.TopicSubscription.",
            alert.urn,
          );
        }
        if (row.route === "team" && reached.some((t) => routeOf(t) === "page")) {
          report(
            `${alert.name} (${row.condition}) pages on-call, but the alert table says notify ` +
              "the team: send it to the team topic only (alert fatigue).",
            alert.urn,
          );
        }
      }
    }
  },
};
