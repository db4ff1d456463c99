import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

export interface LogGroupRetentionConfig {
  minimumDays: number;
}

/** What CloudWatch keeps a log group of the Delivery class for, whatever retentionInDays says. */
const deliveryClassDays = 2;

/**
 * Safe condition: every log group keeps its logs for a set time (retentionInDays above 0), at
 * least `minimumDays`; and a group of logGroupClass DELIVERY, whose retention CloudWatch fixes at
 * 2 days ("If logGroupClass is set to DELIVERY, this argument is ignored and retentionInDays is
 * forcibly set to 2", @pulumi/aws cloudwatch/logGroup.d.ts), only where the minimum is 2 days or
 * less.
 */
export const logGroupRetention: ResourceValidationPolicy = {
  name: "cloudwatch-log-group-retention",
  description:
    "CloudWatch log groups set a retention period of at least the configured minimum (never 'forever').",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minimumDays: { type: "integer", minimum: 1, default: 30 },
    },
  },
  validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, args, report) => {
    const { minimumDays } = args.getConfig<LogGroupRetentionConfig>();
    const days = group.retentionInDays;
    if (group.logGroupClass === "DELIVERY" && minimumDays > deliveryClassDays) {
      report(
        `logGroupClass is DELIVERY, which keeps logs ${deliveryClassDays} days whatever ` +
          `retentionInDays says (${days ?? "not set"}): this environment requires at least ` +
          `${minimumDays}; use logGroupClass STANDARD (or INFREQUENT_ACCESS).`,
      );
    } else if (days === undefined || days === 0) {
      report(
        `retentionInDays is not set, so logs are kept (and billed) forever: set at least ${minimumDays}.`,
      );
    } else if (days < minimumDays) {
      report(`retentionInDays is ${days}: this environment requires at least ${minimumDays}.`);
    }
  }),
};
