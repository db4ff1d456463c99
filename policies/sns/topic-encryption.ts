import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/**
 * Safe condition: kmsMasterKeyId names a customer managed key (not an `alias/aws/...` AWS
 * managed key, whose policy cannot let CloudWatch or EventBridge publish, so alarms go nowhere).
 */
export const topicEncryption: ResourceValidationPolicy = {
  name: "sns-topic-encryption",
  description:
    "FSBP SNS.1: SNS topics are encrypted at rest with a customer managed KMS key (kmsMasterKeyId, not an alias/aws/ key, which alarms cannot publish through).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.sns.Topic, (topic, _args, report) => {
    const key = topic.kmsMasterKeyId;
    if (key && /(^|:)alias\/aws\//.test(key)) {
      report(
        `the topic is encrypted with the AWS managed key ${key}, whose key policy no one can ` +
          "change: CloudWatch alarms and EventBridge cannot publish to it. Set kmsMasterKeyId " +
          "to a customer managed KMS key that lets them use it.",
      );
    } else if (!key) {
      report(
        "the topic is not encrypted: set kmsMasterKeyId to a customer managed KMS key whose " +
          "policy lets cloudwatch.amazonaws.com and events.amazonaws.com use it (the AWS managed " +
          "alias/aws/sns key cannot grant them, so alarms could not publish).",
      );
    }
  }),
};
