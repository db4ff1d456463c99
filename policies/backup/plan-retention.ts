import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

export interface PlanRetentionConfig {
  minimumDays: number;
}

/** Every rule (and every copy) of a backup plan keeps recovery points a set time, at least `minimumDays`. */
export const planRetention: ResourceValidationPolicy = {
  name: "backup-plan-retention",
  description:
    "'backup retention defined': every rule and copy action of a backup plan deletes its " +
    "recovery points after a set number of days, at least the environment's minimum.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minimumDays: { type: "integer", minimum: 1, default: 7 },
    },
  },
  validateResource: validateResourceOfType(aws.backup.Plan, (plan, args, report) => {
    const { minimumDays } = args.getConfig<PlanRetentionConfig>();
    const check = (what: string, deleteAfter: number | undefined) => {
      if (deleteAfter === undefined || deleteAfter === 0) {
        report(
          `${what} keeps recovery points forever (and bills them): set lifecycle.deleteAfter ` +
            `to at least ${minimumDays} days.`,
        );
      } else if (deleteAfter < minimumDays) {
        report(
          `${what} keeps recovery points ${deleteAfter} day(s): this environment requires at ` +
            `least ${minimumDays}.`,
        );
      }
    };
    for (const rule of plan.rules ?? []) {
      check(`rule ${rule.ruleName}`, rule.lifecycle?.deleteAfter);
      for (const copy of rule.copyActions ?? []) {
        check(`rule ${rule.ruleName}'s copy`, copy.lifecycle?.deleteAfter);
      }
    }
  }),
};
