import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** The values CloudWatch accepts (@pulumi/aws 7.48.0, cloudwatch/metricAlarm.d.ts:671). */
const treatments = ["missing", "ignore", "breaching", "notBreaching"];

/**
 * Metrics that say a thing is alive and that stop with it: Route 53's health-check status, a
 * load balancer's healthy host count, Container Insights' running task count.
 */
const healthMetrics = [
  "AWS/Route53 HealthCheckStatus",
  "AWS/ApplicationELB HealthyHostCount",
  "AWS/NetworkELB HealthyHostCount",
  "ECS/ContainerInsights RunningTaskCount",
];
const fallsBelow = ["LessThanThreshold", "LessThanOrEqualToThreshold"];

/**
 * Safe condition: treatMissingData is one of CloudWatch's four values, so someone decided what a
 * gap means; and an alarm that fires when a health metric (`healthMetrics`) falls below its
 * threshold does not treat a gap as good or as no change: "notBreaching" ("Missing data points
 * are treated as 'good' and within the threshold") or "ignore" ("The current alarm state is
 * maintained", CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data")
 * would keep it OK when the metric stops with what it measures. "missing" set explicitly is accepted: it is a reviewed choice for a metric whose
 * silence other alarms already report (the database disk alarm), not a default left by accident.
 * A misspelt value ("notbreaching", "breach") is refused here rather than by AWS at deploy time.
 */
export const alarmMissingData: ResourceValidationPolicy = {
  name: "cloudwatch-alarm-missing-data",
  description:
    "Alerting 'alert fatigue avoided': metric alarms set treatMissingData explicitly (breaching for a metric that stops when the service dies, notBreaching for sparse ones); an alarm on a health metric falling below its threshold does not treat missing data as notBreaching or ignore.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.cloudwatch.MetricAlarm, (alarm, _args, report) => {
    if (alarm.treatMissingData && !treatments.includes(alarm.treatMissingData)) {
      report(
        `treatMissingData is "${alarm.treatMissingData}", which CloudWatch does not accept: ` +
          `use one of ${treatments.map((t) => `"${t}"`).join(", ")} (case matters).`,
      );
    } else if (
      (alarm.treatMissingData === "notBreaching" || alarm.treatMissingData === "ignore") &&
      healthMetrics.includes(`${alarm.namespace} ${alarm.metricName}`) &&
      fallsBelow.includes(alarm.comparisonOperator ?? "")
    ) {
      report(
        `treatMissingData is "${alarm.treatMissingData}" on ${alarm.namespace} ` +
          `${alarm.metricName}, a health metric that stops when what it measures is gone, so ` +
          'the alarm would stay OK through the outage: set it to "breaching".',
      );
    } else if (!alarm.treatMissingData) {
      report(
        'treatMissingData is not set (AWS then uses "missing"): choose "breaching" when no ' +
          'data means the service is down, "notBreaching" for sparse metrics such as errors.',
      );
    }
  }),
};
