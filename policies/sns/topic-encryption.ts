import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** SNS topics encrypt messages at rest with a KMS key. */
export const topicEncryption: ResourceValidationPolicy = {
  name: "sns-topic-encryption",
  description: "FSBP SNS.1: SNS topics are encrypted at rest with AWS KMS (kmsMasterKeyId).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.sns.Topic, (topic, _args, report) => {
    if (!topic.kmsMasterKeyId) {
      report(
        "the topic is not encrypted: set kmsMasterKeyId to a customer managed KMS key whose " +
          "policy lets cloudwatch.amazonaws.com and events.amazonaws.com use it (the AWS managed " +
          "alias/aws/sns key cannot grant them, so alarms could not publish).",
      );
    }
  }),
};
