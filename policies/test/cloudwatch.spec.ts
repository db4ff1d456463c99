import assert from "node:assert/strict";
import { withFixtures } from "./fixtures";
import { addBeside, diagnostics, find, remove, set, violations } from "./gate";
import { asPreview } from "./fixtures";

const metricAlarm = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("cloudwatch", () => {
  describe("cloudwatch-log-group-retention", () => {
    const policy = "cloudwatch-log-group-retention";
    const logGroup = "aws:cloudwatch/logGroup:LogGroup";

    it("1: reports a log group kept forever", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, logGroup, "flow-logs"), "retentionInDays", undefined),
      );
      assert.deepEqual(found, [
        "retentionInDays is not set, so logs are kept (and billed) forever: set at least 30.",
      ]);
    });

    it("2: reports retention below production's minimum from config/prod.json", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, logGroup, "flow-logs"), "retentionInDays", 30),
      );
      assert.deepEqual(found, ["retentionInDays is 30: this environment requires at least 90."]);
    });

    it("3: reports the wrong value: the Delivery class, which keeps logs 2 days whatever retentionInDays says", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, logGroup, "flow-logs"), "logGroupClass", "DELIVERY"),
      );
      assert.deepEqual(found, [
        "logGroupClass is DELIVERY, which keeps logs 2 days whatever retentionInDays says (365): this environment requires at least 90; use logGroupClass STANDARD (or INFREQUENT_ACCESS).",
      ]);
    });

    it("passes the program's log groups (flow logs 30 days in staging, 365 in prod; database logs 30 and 90)", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });

  describe("cloudwatch-alarm-actions", () => {
    const policy = "cloudwatch-alarm-actions";

    it("1: reports an alarm without OK actions", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) => set(find(resources, metricAlarm, "memory"), "okActions", [])),
      );
      assert.deepEqual(found, [
        "alarm memory notifies no one when it fires or clears: set alarmActions and okActions to the ARN of the alert topic for its severity (or include it in a composite alarm that has them).",
      ]);
    });

    it("2: reports an alarm whose actions are disabled", async () => {
      const found = await violations(
        policy,
        "staging",
        withFixtures((resources) =>
          set(find(resources, metricAlarm, "service-down"), "actionsEnabled", false),
        ),
      );
      // The fixtures replace the program's topics, which its NAT alarm still names: that one is
      // "not checked" (a topic outside the stack), not a violation.
      assert.deepEqual(
        found.filter((m) => !m.startsWith("not checked:")),
        [
          "alarm service-down has actionsEnabled false, so CloudWatch runs none of its actions when it fires or clears: set actionsEnabled to true (or remove it; true is the default).",
        ],
      );
    });

    it("3: reports the wrong value: actions to a topic nobody subscribes to (the program's own topics)", async () => {
      const found = await violations(policy, "prod", (resources) => {
        for (const s of resources.filter(
          (r) => r.type === "aws:sns/topicSubscription:TopicSubscription",
        )) {
          remove(resources, s);
        }
      });
      assert.ok(found.length > 3, found.join("\n"));
      assert.ok(
        found.every((m) =>
          /^alarm \S+ notifies no one: its (alarmActions|okActions) go to topic \S+, which has no subscription/.test(
            m,
          ),
        ),
        found.join("\n"),
      );
    });

    it("4: reports only the alarms routed to the unsubscribed topic", async () => {
      const found = await violations(
        policy,
        "staging",
        withFixtures((resources) =>
          remove(
            resources,
            find(resources, "aws:sns/topicSubscription:TopicSubscription", "alerts-page"),
          ),
        ),
      );
      // Service down and error rate page; the rest go to the subscribed team topic.
      const reported = found.filter((m) => !m.startsWith("not checked:"));
      assert.deepEqual([...new Set(reported.map((m) => m.split(" ")[1]))].sort(), [
        "error-rate",
        "service-down",
      ]);
    });

    it("5: does not take a topic whose ARN only begins like the stack's for it (page-retired is not page)", async () => {
      const found = (
        await diagnostics(
          "prod",
          withFixtures((resources) => {
            const alarm = find(resources, metricAlarm, "memory");
            const page = find(resources, "aws:sns/topic:Topic", "alerts-page");
            const retired = [`${page.outputs.arn as string}-retired`];
            set(alarm, "alarmActions", retired);
            set(alarm, "okActions", retired);
            alarm.propertyDependencies = {};
          }),
        )
      ).filter((d) => d.policy === policy);
      assert.deepEqual(
        found.map((d) => [d.level, d.message.replace(/ go to \S+,/, " go to <arn>,")]),
        ["alarmActions", "okActions"].map((key) => [
          "advisory",
          `not checked: memory's ${key} go to <arn>, a topic outside the stack: whether anyone subscribes to it cannot be seen here`,
        ]),
      );
    });

    it("not checked: actions to an SNS topic outside the stack are said aloud, as advisory", async () => {
      const found = (
        await diagnostics(
          "prod",
          withFixtures((resources) => {
            const alarm = find(resources, metricAlarm, "memory");
            const outside = ["arn:aws:sns:eu-west-1:999999999999:someone-elses-topic"];
            set(alarm, "alarmActions", outside);
            set(alarm, "okActions", outside);
            alarm.propertyDependencies = {};
          }),
        )
      ).filter((d) => d.policy === policy);
      assert.deepEqual(
        found.map((d) => d.level),
        ["advisory", "advisory"],
      );
      assert.match(
        found[0].message,
        /^not checked: memory's alarmActions go to arn:aws:sns:eu-west-1:999999999999:someone-elses-topic, a topic outside the stack/,
      );
    });

    it("passes a preview, following the topics through dependencies while their ARNs are unknown", async () => {
      const found = (await diagnostics("prod", withFixtures(asPreview))).filter(
        (d) => d.policy === policy,
      );
      assert.deepEqual(found, []);
    });

    it("passes alarms with actions, and one without that a composite alarm with actions includes", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
      const composite = await violations(
        policy,
        "prod",
        withFixtures((resources) => {
          const down = find(resources, metricAlarm, "service-down");
          const errors = find(resources, metricAlarm, "error-rate");
          const combined = addBeside(
            resources,
            down,
            "aws:cloudwatch/compositeAlarm:CompositeAlarm",
            "outage",
            {
              alarmName: "acme-outage",
              alarmRule: `ALARM("${down.outputs.name}") OR ALARM("${errors.outputs.name}")`,
              alarmActions: down.inputs.alarmActions,
              okActions: down.inputs.okActions,
            },
          );
          combined.propertyDependencies.alarmRule = [down.urn, errors.urn];
          for (const alarm of [down, errors]) {
            set(alarm, "alarmActions", undefined);
            set(alarm, "okActions", undefined);
          }
        }),
      );
      assert.deepEqual(composite, []);
    });
  });

  describe("cloudwatch-alarm-missing-data", () => {
    const policy = "cloudwatch-alarm-missing-data";

    it("1: reports an alarm that leaves missing data to AWS's default", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(find(resources, metricAlarm, "latency-p95-high"), "treatMissingData", undefined),
        ),
      );
      assert.deepEqual(found, [
        'treatMissingData is not set (AWS then uses "missing"): choose "breaching" when no data means the service is down, "notBreaching" for sparse metrics such as errors.',
      ]);
    });

    it("2: reports a value CloudWatch does not accept (a wrong case)", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(find(resources, metricAlarm, "latency-p95-high"), "treatMissingData", "notbreaching"),
        ),
      );
      assert.deepEqual(found, [
        'treatMissingData is "notbreaching", which CloudWatch does not accept: use one of ' +
          '"missing", "ignore", "breaching", "notBreaching" (case matters).',
      ]);
    });

    it("3: reports the wrong value: no healthy targets with missing data as notBreaching", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, metricAlarm, "no-healthy-targets"), "treatMissingData", "notBreaching"),
      );
      assert.deepEqual(found, [
        'treatMissingData is "notBreaching" on AWS/ApplicationELB HealthyHostCount, a health metric that stops when what it measures is gone, so the alarm would stay OK through the outage: set it to "breaching".',
      ]);
    });

    it("4: reports the probe's health-check alarm with missing data ignored", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, metricAlarm, "probe-us-east-1"), "treatMissingData", "ignore"),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^treatMissingData is "ignore" on AWS\/Route53 HealthCheckStatus/);
    });

    it("passes alarms that choose", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });

  describe("cloudwatch-alarm-description", () => {
    const policy = "cloudwatch-alarm-description";
    const describeAs = (name: string, description: string) =>
      violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(find(resources, metricAlarm, name), "alarmDescription", description),
        ),
      );

    it("1: reports a description without a runbook link", async () => {
      assert.deepEqual(await describeAs("memory", "[High] Memory above 90%"), [
        'the description has no "Runbook: <URL of docs/runbooks/<file>.md#<section>>" link: write it as "[High] <what is wrong and what to do first>. Runbook: https://<repository>/docs/runbooks/<file>.md#<section>", with the severity tag to match.',
      ]);
    });

    it("2: reports a description without its severity", async () => {
      const found = await describeAs(
        "memory",
        "Memory above 90%. Runbook: https://example.com/docs/runbooks/scaling.md#memory",
      );
      assert.match(found[0], /^the description does not start with its severity/);
    });

    it("3: reports a description whose severity contradicts the severity tag", async () => {
      const found = await describeAs(
        "memory",
        "[Medium] Memory above 90%. Runbook: https://example.com/docs/runbooks/scaling.md#memory",
      );
      assert.match(found[0], /^the description says \[Medium\] but its severity tag is "high"/);
    });

    it("4: reports an alerting EventBridge rule without a runbook link", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(
            find(resources, "aws:cloudwatch/eventRule:EventRule", "backup-failures"),
            "description",
            "[High] Backup failed",
          ),
        ),
      );
      assert.equal(found.length, 1);
    });

    it("passes the alerting contract's descriptions; EventBridge rules that alert no one are not checked", async () => {
      assert.deepEqual(await violations(policy, "prod", withFixtures()), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });
});
