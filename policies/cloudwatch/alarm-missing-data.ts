import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** The values CloudWatch accepts (@pulumi/aws 7.48.0, cloudwatch/metricAlarm.d.ts:671). */
const treatments = ["missing", "ignore", "breaching", "notBreaching"];

/**
 * Safe condition: treatMissingData is one of CloudWatch's four values, so someone decided what a
 * gap means. "missing" set explicitly is accepted: it is a reviewed choice for a metric whose
 * silence other alarms already report (the database disk alarm), not a default left by accident.
 * A misspelt value ("notbreaching", "breach") is refused here rather than by AWS at deploy time.
 */
export const alarmMissingData: ResourceValidationPolicy = {
  name: "cloudwatch-alarm-missing-data",
  description:
    "Alerting 'alert fatigue avoided': metric alarms set treatMissingData explicitly (breaching for a metric that stops when the service dies, notBreaching for sparse ones).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.cloudwatch.MetricAlarm, (alarm, _args, report) => {
    if (alarm.treatMissingData && !treatments.includes(alarm.treatMissingData)) {
      report(
        `treatMissingData is "${alarm.treatMissingData}", which CloudWatch does not accept: ` +
          `use one of ${treatments.map((t) => `"${t}"`).join(", ")} (case matters).`,
      );
    } else if (!alarm.treatMissingData) {
      report(
        'treatMissingData is not set (AWS then uses "missing"): choose "breaching" when no ' +
          'data means the service is down, "notBreaching" for sparse metrics such as errors.',
      );
    }
  }),
};
