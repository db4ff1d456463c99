import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceStatement } from "./trust";

/** Where an alert goes: `page` wakes the on-call, `team` waits for working hours. */
export type AlertRoute = "page" | "team";
export const alertRoutes: readonly AlertRoute[] = ["page", "team"];

export interface AlertingArgs {
  /**
   * Starts the names that must be unique in the account (the key's alias), `<project>-<stack>`,
   * so two projects with a stack of the same name can share an account.
   */
  namePrefix: string;
  /** E-mail addresses subscribed to the team topic (each must confirm once). At least one. */
  teamEmails: string[];
  /**
   * HTTPS endpoint of the paging service (PagerDuty, Opsgenie, ...) subscribed to the page
   * topic; a secret, since whoever knows it can raise pages. Unset: the page topic goes to
   * `teamEmails` too, so a page is never sent to nobody.
   */
  pagingEndpoint?: pulumi.Input<string>;
  /** Days KMS waits before deleting the topics' key once it is scheduled for deletion. Default 30. */
  keyDeletionWindowDays?: number;
}

/**
 * The two alert topics of a stack, `page` and `team`, and who hears them.
 *
 * Both are encrypted with a customer-managed KMS key. The AWS-managed `alias/aws/sns` key would
 * not do: its key policy cannot be changed, so CloudWatch alarms and EventBridge, which publish
 * as their service principals, could not use it and every notification would be dropped
 * without an error ("compatibility between event sources from AWS services and encrypted
 * topics", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html). This key's
 * policy lets `cloudwatch.amazonaws.com` and `events.amazonaws.com` generate data keys, and
 * the topic policies let exactly those two principals publish, on behalf of this account only.
 * (EventBridge sends no `aws:SourceAccount` to KMS, so that condition is on its topic
 * permission and not on its key permission.)
 *
 * Cost: the KMS key $1/month plus $0.03 per 10,000 requests (SNS reuses a data key for up to
 * five minutes); SNS e-mail and HTTPS deliveries are free for the first 1,000 e-mails and
 * 100,000 HTTP calls a month, far above what two alert topics send.
 */
export class Alerting extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly topics: Record<AlertRoute, aws.sns.Topic>;

  private readonly name: string;
  private readonly args: Required<Omit<AlertingArgs, "pagingEndpoint">> &
    Pick<AlertingArgs, "pagingEndpoint">;

  constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("acme:alerting:Alerting", name, {}, opts);
    this.name = name;
    this.args = { keyDeletionWindowDays: 30, ...args };
    if (args.teamEmails.length === 0) {
      throw new Error(`Alerting ${name}: teamEmails must name at least one address`);
    }

    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const region = aws.getRegionOutput({}, { parent: this }).region;
    this.key = this.createKey(account, partition);
    this.topics = {
      page: this.createTopic("page", account, partition, region),
      team: this.createTopic("team", account, partition, region),
    };
    this.subscribe();

    this.registerOutputs({
      pageTopicArn: this.topics.page.arn,
      teamTopicArn: this.topics.team.arn,
    });
  }

  private createKey(account: pulumi.Output<string>, partition: pulumi.Output<string>): aws.kms.Key {
    const key = new aws.kms.Key(
      `${this.name}-alerts`,
      {
        description: `Encrypts the alert topics of ${this.name}`,
        enableKeyRotation: true,
        deletionWindowInDays: this.args.keyDeletionWindowDays,
        policy: pulumi.all([account, partition]).apply(([accountId, awsPartition]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                // Without it no one in the account could manage the key.
                Sid: "AccountAdministers",
                Effect: "Allow",
                Principal: { AWS: `arn:${awsPartition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
              },
              {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
              },
              {
                // Unconditioned: EventBridge sends no aws:SourceAccount to KMS (see the class
                // comment). The key encrypts only the two topics, whose policies admit only
                // this account's rules, so the grant is bounded there.
                Sid: "EventBridgePublishes",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
              },
            ],
          }),
        ),
      },
      { parent: this },
    );
    new aws.kms.Alias(
      `${this.name}-alerts`,
      { name: `alias/${this.args.namePrefix}-alerts`, targetKeyId: key.keyId },
      { parent: this },
    );
    return key;
  }

  private createTopic(
    route: AlertRoute,
    account: pulumi.Output<string>,
    partition: pulumi.Output<string>,
    region: pulumi.Output<string>,
  ): aws.sns.Topic {
    const topic = new aws.sns.Topic(
      `${this.name}-${route}`,
      {
        displayName: `${this.name} ${route === "page" ? "PAGE" : "team"} alerts`,
        kmsMasterKeyId: this.key.arn,
        tags: { "alert-route": route },
      },
      { parent: this },
    );
    // Alarms send their ARN, rules theirs (CloudWatch: "Amazon SNS topic policy" of alarm
    // actions, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html;
    // EventBridge: "Amazon SNS permissions",
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html):
    // only this account's alarms and rules in this region may publish.
    const source = (service: string, resource: string) =>
      serviceStatement(
        service,
        { actions: "sns:Publish", resource: topic.arn },
        {
          sourceAccount: account,
          sourceArn: pulumi.interpolate`arn:${partition}:${service.split(".")[0]}:${region}:${account}:${resource}`,
        },
      );
    new aws.sns.TopicPolicy(
      `${this.name}-${route}`,
      {
        arn: topic.arn,
        policy: pulumi
          .all([
            source("cloudwatch.amazonaws.com", "alarm:*"),
            source("events.amazonaws.com", "rule/*"),
            topic.arn,
          ])
          .apply(([alarms, rules, arn]) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                { Sid: "CloudWatchAlarms", ...alarms },
                { Sid: "EventBridgeRules", ...rules },
                {
                  Sid: "TlsOnly",
                  Effect: "Deny",
                  Principal: "*",
                  Action: "sns:Publish",
                  Resource: arn,
                  Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
              ],
            }),
          ),
      },
      { parent: this },
    );
    return topic;
  }

  private subscribe(): void {
    const { teamEmails, pagingEndpoint } = this.args;
    teamEmails.forEach((email, i) => {
      new aws.sns.TopicSubscription(
        `${this.name}-team-email-${i + 1}`,
        { topic: this.topics.team.arn, protocol: "email", endpoint: email },
        { parent: this },
      );
    });
    if (pagingEndpoint) {
      new aws.sns.TopicSubscription(
        `${this.name}-page-https`,
        {
          topic: this.topics.page.arn,
          protocol: "https",
          endpoint: pulumi.secret(pagingEndpoint),
          // Paging services confirm SNS subscriptions themselves.
          endpointAutoConfirms: true,
          // The paging service reads SNS's JSON envelope (alarm name, state, description).
          rawMessageDelivery: false,
        },
        { parent: this },
      );
      return;
    }
    teamEmails.forEach((email, i) => {
      new aws.sns.TopicSubscription(
        `${this.name}-page-email-${i + 1}`,
        { topic: this.topics.page.arn, protocol: "email", endpoint: email },
        { parent: this },
      );
    });
  }
}
