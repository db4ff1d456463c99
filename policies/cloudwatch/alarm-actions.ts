import * as aws from "@pulumi/aws";
import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { alarmsIn, isForwarded } from "../lib/alerts";
import { notChecked } from "../lib/report";
import { refersToValue } from "../lib/references";
import { dependsOn, ofType, prop, refersTo, unknown } from "../lib/stack";

const actionKeys = ["alarmActions", "okActions"] as const;

const hasActions = (alarm: PolicyResource) =>
  prop(alarm, "actionsEnabled") !== false &&
  actionKeys.every((key) => (prop<string[]>(alarm, key) ?? []).length > 0);

/** An SNS topic ARN: arn:<partition>:sns:<region>:<account>:<name>. */
const snsArn = /^arn:[\w-]+:sns:[\w-]+:\d{12}:[\w-]+$/;

/**
 * Whether someone hears an alarm's actions: each SNS action is a topic of the stack that has an
 * aws.sns.TopicSubscription (a topic nobody subscribes to drops every message). Other actions
 * (Auto Scaling, EC2, Systems Manager, Lambda) act by themselves. An SNS topic outside the
 * stack, or an action not known yet that no topic of the stack explains, cannot be followed:
 * "not checked".
 */
function unheard(
  alarm: PolicyResource,
  resources: PolicyResource[],
  report: ReportViolation,
): string[] {
  const topics = ofType(resources, aws.sns.Topic);
  const subscriptions = ofType(resources, aws.sns.TopicSubscription);
  // Exact matches only: a topic whose ARN is a prefix of the action's ("...:page" in
  // "...:page-retired") is another topic, and so is a subscription's.
  const subscribed = (topic: PolicyResource) =>
    subscriptions.some((s) => refersToValue(s, "topic", topic, "arn"));
  const problems: string[] = [];
  for (const key of actionKeys) {
    const actions = prop<string[]>(alarm, key) ?? [];
    // Topics the engine records this property as built from: how a preview, where ARNs are not
    // known yet, still tells which topic an action is.
    const built = topics.filter((t) => dependsOn(alarm, key, t));
    const named = new Set<PolicyResource>();
    for (const action of actions) {
      const topic = action === unknown ? undefined : topics.find((t) => prop(t, "arn") === action);
      if (topic) named.add(topic);
      else if (action === unknown && built.length > 0) built.forEach((t) => named.add(t));
      else if (action === unknown) {
        notChecked(report, `${alarm.name}'s ${key} are not known yet`, alarm.urn);
      } else if (snsArn.test(action)) {
        notChecked(
          report,
          `${alarm.name}'s ${key} go to ${action}, a topic outside the stack: whether anyone ` +
            "subscribes to it cannot be seen here",
          alarm.urn,
        );
      }
    }
    for (const topic of [...named].filter((t) => !subscribed(t))) {
      problems.push(`${key} go to topic ${topic.name}, which has no subscription`);
    }
  }
  return [...new Set(problems)];
}

/**
 * Safe condition: every alarm notifies when it fires and when it clears, to someone: its
 * alarmActions and okActions are set and enabled (actionsEnabled not false), and each SNS topic they name has a
 * subscription. An alarm without actions of its own is accepted when a composite alarm that
 * meets this includes it: that is how one outage that trips several alarms pages once. So is an
 * alarm whose state changes an EventBridge rule forwards to its mirror in the stack's region
 * (metrics that exist only in us-east-1).
 */
export const alarmActions: StackValidationPolicy = {
  name: "cloudwatch-alarm-actions",
  description:
    "Alerting 'every alert is actionable': every CloudWatch alarm has alarmActions and okActions whose SNS topics have a subscription (or is part of a composite alarm that does, or is forwarded by EventBridge to a mirror that does).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const { alarms, composites } = alarmsIn(args.resources);
    for (const alarm of alarms) {
      if (hasActions(alarm)) {
        for (const problem of unheard(alarm, args.resources, report)) {
          report(
            `alarm ${alarm.name} notifies no one: its ${problem}: add an ` +
              "aws.sns.TopicSubscription (on-call's pager, the team's e-mail) to the topic.",
            alarm.urn,
          );
        }
        continue;
      }
      if (composites.some((c) => hasActions(c) && refersTo(c, "alarmRule", alarm))) continue;
      if (isForwarded(alarm, args.resources)) continue;
      if (prop(alarm, "actionsEnabled") === false) {
        // The actions are there but CloudWatch does not run them: a silenced alarm, not a
        // missing one ("ActionsEnabled: Indicates whether actions should be executed during
        // any changes to the alarm state", CloudWatch API reference, PutMetricAlarm).
        report(
          `alarm ${alarm.name} has actionsEnabled false, so CloudWatch runs none of its ` +
            "actions when it fires or clears: set actionsEnabled to true (or remove it; true " +
            "is the default).",
          alarm.urn,
        );
        continue;
      }
      report(
        `alarm ${alarm.name} notifies no one when it fires or clears: set alarmActions and ` +
          "okActions to the ARN of the alert topic for its severity (or include it in a " +
          "composite alarm that has them).",
        alarm.urn,
      );
    }
  },
};
