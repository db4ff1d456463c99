import * as aws from "@pulumi/aws";
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { forType, validateTypes } from "../lib/validate";
import { descriptionProblem } from "../lib/alerts";

function check(
  description: string | undefined,
  tags: Record<string, string> | undefined,
  report: (message: string) => void,
): void {
  const problem = descriptionProblem(description, tags?.severity);
  if (problem) {
    report(
      `the description ${problem}: write it as "[High] <what is wrong and what to do first>. ` +
        'Runbook: https://<repository>/docs/runbooks/<file>.md#<section>", with the ' +
        "severity tag to match.",
    );
  }
}

const isAlert = (args: ResourceValidationArgs) =>
  (args.props.tags as Record<string, string> | undefined)?.["alert-condition"] !== undefined;

/** Every alarm says how bad it is and links the runbook section that says what to do. */
export const alarmDescription: ResourceValidationPolicy = {
  name: "cloudwatch-alarm-description",
  description:
    "Alerting 'runbooks linked to alerts', 'every alert is actionable': alarm descriptions (and those of alerting EventBridge rules) start with [Critical]/[High]/[Medium] and carry 'Runbook: <URL to docs/runbooks/<file>.md#<section>>'.",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    forType(aws.cloudwatch.MetricAlarm, (alarm, _args, report) =>
      check(alarm.alarmDescription, alarm.tags, report),
    ),
    forType(aws.cloudwatch.CompositeAlarm, (alarm, _args, report) =>
      check(alarm.alarmDescription, alarm.tags, report),
    ),
    forType(aws.cloudwatch.EventRule, (rule, args, report) => {
      if (isAlert(args)) check(rule.description, rule.tags, report);
    }),
  ),
};
