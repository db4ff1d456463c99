/**
 * The offline provider's Check (tools/pulumi/offline-provider.ts answers with `checkFailures`):
 * it refuses what the field rules know, naming the property and the rule with its source, and
 * leaves a value a preview does not know yet to the deployment.
 */
import assert from "node:assert/strict";
import { checkFailures } from "../../scripts/offline/field-rules";

const alarm = "aws:cloudwatch/metricAlarm:MetricAlarm";
/** The engine's stand-in for an unknown value, as it arrives in a Check request. */
const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A valid alarm on a metric math expression, as infra/monitoring.ts declares them. */
const queryAlarm = () => ({
  comparisonOperator: "GreaterThanThreshold",
  evaluationPeriods: 3,
  threshold: 1,
  treatMissingData: "notBreaching",
  alarmActions: ["arn:aws:sns:eu-west-1:123456789012:alerts"],
  metricQueries: [
    { id: "errors", returnData: true, expression: "m1 / m2" },
    {
      id: "m1",
      metric: {
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_Target_5XX_Count",
        period: 60,
        stat: "Sum",
      },
    },
    {
      id: "m2",
      metric: {
        namespace: "AWS/ApplicationELB",
        metricName: "RequestCount",
        period: 60,
        stat: "Sum",
      },
    },
  ],
});

describe("the offline provider's Check", () => {
  it("passes a valid alarm", () => {
    assert.deepEqual(checkFailures(alarm, "errors", queryAlarm()), []);
  });

  it("refuses an alarm with both period and metricQueries, naming the rule and its source", () => {
    const failures = checkFailures(alarm, "errors", { ...queryAlarm(), period: 60 });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["period"],
    );
    assert.match(failures[0].reason, /^must be metricQueries conflicts with period, /);
    assert.match(
      failures[0].reason,
      /terraform-provider-aws\/blob\/main\/internal\/service\/cloudwatch\/metric_alarm\.go/,
    );
  });

  it("refuses a value outside an enumeration", () => {
    const failures = checkFailures(alarm, "errors", {
      ...queryAlarm(),
      comparisonOperator: "GreaterThan",
    });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["comparisonOperator"],
    );
    assert.match(failures[0].reason, /^must be one of GreaterThanOrEqualToThreshold, /);
    assert.match(failures[0].reason, /API_PutMetricAlarm\.html/);
  });

  it("does not judge a value unknown in the preview", () => {
    assert.deepEqual(
      checkFailures(alarm, "errors", { ...queryAlarm(), comparisonOperator: unknown }),
      [],
    );
    // metricName requires namespace and period: an unknown period may still be set.
    const single = {
      comparisonOperator: "GreaterThanThreshold",
      evaluationPeriods: 1,
      threshold: 1,
      metricName: "CPUUtilization",
      namespace: "AWS/ECS",
      statistic: "Average",
    };
    assert.deepEqual(checkFailures(alarm, "cpu", { ...single, period: unknown }), []);
    assert.deepEqual(
      checkFailures(alarm, "cpu", single).map((f) => f.property),
      ["metricName"],
    );
    // A rule over the whole resource waits for every input it may read.
    assert.deepEqual(
      checkFailures(alarm, "errors", {
        ...queryAlarm(),
        datapointsToAlarm: 5,
        alarmActions: [unknown],
      }),
      checkFailures(alarm, "errors", queryAlarm()),
    );
  });

  it("counts the provider's default tags towards the tag limits", () => {
    const logGroup = "aws:cloudwatch/logGroup:LogGroup";
    const inputs = { retentionInDays: 30, tags: { service: "web" } };
    const defaults = Object.fromEntries(Array.from({ length: 50 }, (_, n) => [`t${n}`, "x"]));
    assert.deepEqual(checkFailures(logGroup, "app", inputs), []);
    // Provider inputs that are not strings arrive JSON-encoded.
    const provider = { defaultTags: JSON.stringify({ tags: defaults }) };
    assert.deepEqual(
      checkFailures(logGroup, "app", inputs, provider).map((f) => f.reason),
      [
        "must be at most 50 tags, default tags included (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html)",
      ],
    );
  });

  it("passes a type the table does not know, as the real provider's schema would decide", () => {
    assert.deepEqual(checkFailures("aws:sqs/queue:Queue", "q", { delaySeconds: -1 }), []);
  });
});
