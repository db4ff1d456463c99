import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ofType, prop, refersTo, unknown } from "../lib/stack";
import { listOf, type Statement } from "../lib/policy-document";
import { parseJson } from "../lib/report";

/** What a service needs of a topic's key to publish to it. */
const needed = ["kms:Decrypt", "kms:GenerateDataKey"];

/** Whether `granted` (an IAM action, maybe with wildcards) covers `action`. */
const covers = (granted: string, action: string) =>
  new RegExp(`^${granted.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(
    action,
  );

/** The services a key policy lets use the key for publishing, or undefined when not known. */
function grantedServices(key: PolicyResource): string[] | undefined {
  const policy = prop<string>(key, "policy");
  // Without a policy of its own, a key has KMS's default policy: the account only.
  if (policy === undefined || policy === "") return [];
  if (policy === unknown || typeof policy !== "string") return undefined;
  const parsed = parseJson(policy);
  if ("error" in parsed) return undefined;
  const statements = [
    (parsed.value as { Statement?: Statement | Statement[] }).Statement ?? [],
  ].flat();
  return statements.flatMap((s) => {
    const actions = listOf(s.Action);
    if (s.Effect !== "Allow" || !needed.every((n) => actions.some((a) => covers(a, n)))) {
      return [];
    }
    return typeof s.Principal === "object" ? listOf(s.Principal.Service) : [];
  });
}

/**
 * Safe condition: kmsMasterKeyId names a customer managed key (not an `alias/aws/...` AWS
 * managed key, whose policy cannot let CloudWatch or EventBridge publish, so alarms go nowhere),
 * and when that key is the stack's (by id, ARN or one of its aliases), its key policy allows
 * kms:Decrypt and kms:GenerateDataKey* to each service that publishes to the topic:
 * cloudwatch.amazonaws.com for a topic an alarm's actions name, events.amazonaws.com for one an
 * EventBridge target names ("Configure AWS KMS permissions for AWS services", SNS Developer
 * Guide). Without the grant the topic accepts nothing from them, silently. A key from outside
 * the stack, or a policy not known yet, is not judged.
 */
export const topicEncryption: StackValidationPolicy = {
  name: "sns-topic-encryption",
  description:
    "FSBP SNS.1: SNS topics are encrypted at rest with a customer managed KMS key (kmsMasterKeyId, not an alias/aws/ key, which alarms cannot publish through) whose policy lets the services that publish to the topic (CloudWatch alarms, EventBridge) use it.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const keys = ofType(args.resources, aws.kms.Key);
    const aliases = ofType(args.resources, aws.kms.Alias);
    const alarms = ofType(
      args.resources,
      aws.cloudwatch.MetricAlarm,
      aws.cloudwatch.CompositeAlarm,
    );
    const targets = ofType(args.resources, aws.cloudwatch.EventTarget);
    for (const topic of ofType(args.resources, aws.sns.Topic)) {
      const key = prop<string>(topic, "kmsMasterKeyId");
      if (key && key !== unknown && /(^|:)alias\/aws\//.test(key)) {
        report(
          `the topic is encrypted with the AWS managed key ${key}, whose key policy no one can ` +
            "change: CloudWatch alarms and EventBridge cannot publish to it. Set kmsMasterKeyId " +
            "to a customer managed KMS key that lets them use it.",
          topic.urn,
        );
        continue;
      }
      if (!key) {
        report(
          "the topic is not encrypted: set kmsMasterKeyId to a customer managed KMS key whose " +
            "policy lets cloudwatch.amazonaws.com and events.amazonaws.com use it (the AWS " +
            "managed alias/aws/sns key cannot grant them, so alarms could not publish).",
          topic.urn,
        );
        continue;
      }
      const own =
        keys.find((k) => refersTo(topic, "kmsMasterKeyId", k)) ??
        keys.find((k) =>
          aliases.some(
            (a) => refersTo(topic, "kmsMasterKeyId", a) && refersTo(a, "targetKeyId", k),
          ),
        );
      if (!own) continue;
      const granted = grantedServices(own);
      if (!granted) continue;
      const publishers = [
        ...(alarms.some((a) =>
          ["alarmActions", "okActions", "insufficientDataActions"].some((k) =>
            refersTo(a, k, topic),
          ),
        )
          ? [["CloudWatch alarms", "cloudwatch.amazonaws.com"]]
          : []),
        ...(targets.some((t) => refersTo(t, "arn", topic))
          ? [["EventBridge rules", "events.amazonaws.com"]]
          : []),
      ];
      for (const [who, service] of publishers) {
        if (granted.includes(service)) continue;
        report(
          `${who} publish to topic ${topic.name}, but the policy of its key ${own.name} does ` +
            `not let ${service} use it, so their messages are refused: add a key policy ` +
            `statement { Effect: "Allow", Principal: { Service: "${service}" }, Action: ` +
            '["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" }.',
          topic.urn,
        );
      }
    }
  },
};
