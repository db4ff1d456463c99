import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

export interface LogGroupRetentionConfig {
  minimumDays: number;
}

/** Every log group keeps its logs for a set time, at least `minimumDays`. */
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
    if (days === undefined || days === 0) {
      report(
        `retentionInDays is not set, so logs are kept (and billed) forever: set at least ${minimumDays}.`,
      );
    } else if (days < minimumDays) {
      report(`retentionInDays is ${days}: this environment requires at least ${minimumDays}.`);
    }
  }),
};
