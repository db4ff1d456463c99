import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceStatement, serviceTrustPolicy } from "./trust";

export const usEast1 = "us-east-1";
/** Metric the mirror writes: 1 while a us-east-1 alarm is in ALARM, 0 once it is OK. */
export const mirroredMetric = "AlarmState";

export interface AlarmMirrorArgs {
  /** `<project>-<stack>`: the rules', role's, log group's and filters' names start with it. */
  namePrefix: string;
  /** The stack's region, where the mirrored alarms live. */
  region: string;
  usEast1Provider: aws.Provider;
  /** Days the state-change events are kept in the mirror's log group. */
  logRetentionDays: number;
  /** Namespace of the 1/0 metric, with an `AlarmName` dimension. */
  metricsNamespace: string;
  /** The us-east-1 alarms to mirror, by name: they may not exist yet. */
  sourceAlarmNames: string[];
}

/**
 * The path the state changes of us-east-1 alarms travel to the stack's region: an EventBridge
 * rule in us-east-1 forwards them to the region's default bus, a rule there writes them to a log
 * group, and two metric filters turn them into a 1/0 metric per alarm, on which a regional alarm
 * stands in for each source. Returns every resource of the path, which the sources must be
 * created after:
 *
 * The first state change of a new alarm (INSUFFICIENT_DATA to OK or ALARM, at its first
 * evaluation) is the one that sets its mirror: an alarm that changed before the path existed
 * would leave the mirror INSUFFICIENT_DATA until its next change, which for a healthy probe
 * may never come. Created after the whole path, each source's first change travels it.
 */
export function createAlarmMirror(
  name: string,
  scope: pulumi.Resource,
  args: AlarmMirrorArgs,
): pulumi.Resource[] {
  const parent = { parent: scope };
  const prefix = args.namePrefix;
  const account = aws.getCallerIdentityOutput({}, parent).accountId;
  const partition = aws.getPartitionOutput({}, parent).partition;
  // The sources' ARNs from their names, so the path can exist before the alarms do.
  const pattern = pulumi.all([partition, account]).apply(([p, accountId]) =>
    JSON.stringify({
      source: ["aws.cloudwatch"],
      "detail-type": ["CloudWatch Alarm State Change"],
      resources: args.sourceAlarmNames.map(
        (name) => `arn:${p}:cloudwatch:${usEast1}:${accountId}:alarm:${name}`,
      ),
    }),
  );
  const path: pulumi.Resource[] = [];
  const bus = pulumi.interpolate`arn:${partition}:events:${args.region}:${account}:event-bus/default`;

  const usEast1Options = { parent: scope, provider: args.usEast1Provider };
  const forward = new aws.cloudwatch.EventRule(
    `${name}-alarm-mirror-forward`,
    {
      description: `${prefix}: state changes of alarms on us-east-1 metrics, to ${args.region}`,
      eventPattern: pattern,
    },
    usEast1Options,
  );
  const role = new aws.iam.Role(
    `${name}-alarm-mirror`,
    {
      description: `Lets EventBridge in ${usEast1} forward ${prefix}'s alarm changes to ${args.region}`,
      // "For EventBridge event bus rule targets, the value of aws:SourceArn must be the rule
      // ARN" (https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html):
      // only the forwarding rule may use the role.
      assumeRolePolicy: serviceTrustPolicy("events.amazonaws.com", {
        sourceAccount: account,
        sourceArn: forward.arn,
      }),
    },
    parent,
  );
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-alarm-mirror`,
    {
      role: role.id,
      policy: bus.apply((arn) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "events:PutEvents", Resource: arn }],
        }),
      ),
    },
    parent,
  );
  const forwardTarget = new aws.cloudwatch.EventTarget(
    `${name}-alarm-mirror-forward`,
    { rule: forward.name, arn: bus, roleArn: role.arn },
    usEast1Options,
  );

  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-alarm-mirror`,
    {
      name: `/aws/events/${prefix}-alarm-mirror`,
      retentionInDays: args.logRetentionDays,
    },
    parent,
  );
  const receive = new aws.cloudwatch.EventRule(
    `${name}-alarm-mirror-receive`,
    {
      description: `${prefix}: state changes of its us-east-1 alarms, to the mirror log group`,
      eventPattern: pattern,
    },
    parent,
  );
  // EventBridge's own example for a log group target grants both principals, conditioned on the
  // rule's ARN ("CloudWatch Logs permissions",
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html).
  const logPolicy = new aws.cloudwatch.LogResourcePolicy(
    `${name}-alarm-mirror`,
    {
      policyName: `${prefix}-alarm-mirror`,
      policyDocument: serviceStatement(
        ["events.amazonaws.com", "delivery.logs.amazonaws.com"],
        {
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resource: pulumi.interpolate`${logGroup.arn}:*`,
        },
        { sourceAccount: account, sourceArn: receive.arn },
      ).apply((statement) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] })),
    },
    parent,
  );
  const receiveTarget = new aws.cloudwatch.EventTarget(
    `${name}-alarm-mirror-receive`,
    { rule: receive.name, arn: logGroup.arn },
    parent,
  );
  for (const [state, value] of [
    ["ALARM", "1"],
    ["OK", "0"],
  ]) {
    const filter = new aws.cloudwatch.LogMetricFilter(
      `${name}-alarm-mirror-${state.toLowerCase()}`,
      {
        name: `${prefix}-alarm-mirror-${state.toLowerCase()}`,
        logGroupName: logGroup.name,
        pattern: `{ $.detail.state.value = "${state}" }`,
        metricTransformation: {
          name: mirroredMetric,
          namespace: args.metricsNamespace,
          value,
          dimensions: { AlarmName: "$.detail.alarmName" },
        },
      },
      parent,
    );
    path.push(filter);
  }
  path.push(role, rolePolicy, forward, forwardTarget, logGroup, logPolicy, receive, receiveTarget);

  return path;
}
