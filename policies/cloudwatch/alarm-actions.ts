import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { alarmsIn, isForwarded } from "../lib/alerts";
import { prop, refersTo } from "../lib/stack";

const hasActions = (alarm: PolicyResource) =>
  prop(alarm, "actionsEnabled") !== false &&
  (prop<string[]>(alarm, "alarmActions") ?? []).length > 0 &&
  (prop<string[]>(alarm, "okActions") ?? []).length > 0;

/**
 * Every alarm notifies when it fires and when it clears. An alarm without actions of its own is
 * accepted when a composite alarm with actions includes it: that is how one outage that trips
 * several alarms pages once. So is an alarm whose state changes an EventBridge rule forwards to
 * its mirror in the stack's region (metrics that exist only in us-east-1).
 */
export const alarmActions: StackValidationPolicy = {
  name: "cloudwatch-alarm-actions",
  description:
    "Seed alerting 'every alert is actionable': every CloudWatch alarm has alarmActions and okActions (or is part of a composite alarm that has them, or is forwarded by EventBridge to a mirror that does).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const { alarms, composites } = alarmsIn(args.resources);
    for (const alarm of alarms) {
      if (hasActions(alarm)) continue;
      if (composites.some((c) => hasActions(c) && refersTo(c, "alarmRule", alarm))) continue;
      if (isForwarded(alarm, args.resources)) continue;
      report(
        `alarm ${alarm.name} notifies no one when it fires or clears: set alarmActions and ` +
          "okActions to the ARN of the alert topic for its severity (or include it in a " +
          "composite alarm that has them).",
        alarm.urn,
      );
    }
  },
};
