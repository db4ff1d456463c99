import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

export interface PlanRetentionConfig {
  minimumDays: number;
}

/** The least time a recovery point stays in cold storage before it may be deleted. */
const coldStorageDays = 90;

/**
 * Safe condition: every rule (and every copy) of a backup plan keeps recovery points a set time
 * (lifecycle.deleteAfter above 0), at least `minimumDays`; and one that moves them to cold
 * storage (coldStorageAfter) deletes them at least 90 days after the move: "Backups transitioned
 * to cold storage must be stored in cold storage for a minimum of 90 days. Therefore, the
 * 'retention' setting must be 90 days greater than the 'transition to cold after days' setting"
 * (AWS Backup API reference, Lifecycle); AWS Backup refuses the plan otherwise.
 */
export const planRetention: ResourceValidationPolicy = {
  name: "backup-plan-retention",
  description:
    "'backup retention defined': every rule and copy action of a backup plan deletes its " +
    "recovery points after a set number of days, at least the environment's minimum (and at " +
    "least 90 days after any move to cold storage).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minimumDays: { type: "integer", minimum: 1, default: 7 },
    },
  },
  validateResource: validateResourceOfType(aws.backup.Plan, (plan, args, report) => {
    const { minimumDays } = args.getConfig<PlanRetentionConfig>();
    const check = (
      what: string,
      lifecycle: { deleteAfter?: number; coldStorageAfter?: number } | undefined,
    ) => {
      const { deleteAfter, coldStorageAfter } = lifecycle ?? {};
      if (coldStorageAfter && deleteAfter && deleteAfter < coldStorageAfter + coldStorageDays) {
        report(
          `${what} moves recovery points to cold storage after ${coldStorageAfter} days but ` +
            `deletes them after ${deleteAfter}: cold storage keeps them at least ` +
            `${coldStorageDays} days, so set lifecycle.deleteAfter to at least ` +
            `${coldStorageAfter + coldStorageDays} (or move them later).`,
        );
      }
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
      check(`rule ${rule.ruleName}`, rule.lifecycle);
      for (const copy of rule.copyActions ?? []) {
        check(`rule ${rule.ruleName}'s copy`, copy.lifecycle);
      }
    }
  }),
};
