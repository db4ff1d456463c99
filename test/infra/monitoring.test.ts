import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { contract } from "../../app/src/contract";
import { Alerting } from "../../infra/alerting";
import { alertTable, type AlertCondition } from "../../infra/alerts";
import { Monitoring, type MonitoringArgs } from "../../infra/monitoring";
import {
  ofType,
  repoRoot,
  runProgram,
  type ProgramRun,
  type RegisteredResource,
  type RunOptions,
} from "../../scripts/offline/harness";
import { anchors } from "./anchors";
import { withFiles } from "./temp-files";
import { declarationError, declaredAlone, type Declared } from "./declare-alone";
import { configKey, one, project, regionOf, setting, stackRun, serviceCluster } from "./stacks";

const metricAlarms = (run: ProgramRun) => ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
const compositeAlarms = (run: ProgramRun) =>
  ofType(run, "aws:cloudwatch/compositeAlarm:CompositeAlarm");
const allAlarms = (run: ProgramRun) => [...metricAlarms(run), ...compositeAlarms(run)];
const alarmNamed = (run: ProgramRun, name: string) =>
  allAlarms(run).find((a) => (a.inputs.name ?? a.inputs.alarmName) === name)!;
const tagsOf = (r: RegisteredResource) => r.inputs.tags as Record<string, string>;
const topicArn = (run: ProgramRun, route: string): string => {
  const topic = ofType(run, "aws:sns/topic:Topic").find((t) => tagsOf(t)["alert-route"] === route);
  return topic!.outputs.arn as string;
};

/** `docs/runbooks/<file>#<anchor>` of a description's "Runbook: <url>", checked to exist. */
function runbookTarget(description: string): string {
  const match = /Runbook: (\S+)\/docs\/runbooks\/([\w-]+\.md)#([\w-]+)$/.exec(description);
  assert.ok(match, `a runbook link ending the description: ${description}`);
  const [, , file, anchor] = match;
  const path = join(repoRoot, "docs", "runbooks", file);
  assert.ok(existsSync(path), `${file} exists`);
  assert.ok(anchors(path).has(anchor), `${file} has a section #${anchor}`);
  return `${file}#${anchor}`;
}

/** What the table says of each notifying alarm: metric, evaluation, route. */
interface Expected {
  name: string;
  condition: AlertCondition;
  metric?: {
    namespace: string;
    metricName: string;
    statistic?: string;
    extendedStatistic?: string;
  };
  comparisonOperator?: string;
  threshold?: number;
  period?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  treatMissingData?: string;
}

const table = (stack: string, diskBytes: number): Expected[] => [
  { name: `${project}-${stack}-service-down`, condition: "service-down" },
  { name: `${project}-${stack}-error-rate`, condition: "error-rate" },
  {
    name: `${project}-${stack}-latency-p95-high`,
    condition: "latency-p95-high",
    metric: {
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      extendedStatistic: "p95",
    },
    comparisonOperator: "GreaterThanThreshold",
    threshold: 1,
    period: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
  },
  {
    name: `${project}-${stack}-latency-p95-review`,
    condition: "latency-p95-review",
    metric: {
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      extendedStatistic: "p95",
    },
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0.5,
    period: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
  },
  {
    name: `${project}-${stack}-database-disk`,
    condition: "database-disk",
    metric: { namespace: "AWS/RDS", metricName: "FreeStorageSpace", statistic: "Minimum" },
    comparisonOperator: "LessThanThreshold",
    threshold: diskBytes,
    period: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "missing",
  },
  {
    name: `${project}-${stack}-memory`,
    condition: "memory",
    metric: { namespace: "AWS/ECS", metricName: "MemoryUtilization", statistic: "Average" },
    comparisonOperator: "GreaterThanThreshold",
    threshold: 90,
    period: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
  },
];

describe("monitoring and alerting", () => {
  const stacks = { staging: { allocatedGb: 20 }, prod: { allocatedGb: 50 } };

  for (const [stack, { allocatedGb }] of Object.entries(stacks)) {
    describe(stack, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack as "staging" | "prod");
      });

      for (const want of table(stack, Math.round(allocatedGb * 0.2 * 1024 ** 3))) {
        const spec = alertTable[want.condition];
        it(`${want.condition}: ${spec.severity}, to the ${spec.route} topic, with alarm and OK actions`, () => {
          const alarm = alarmNamed(run, want.name);
          assert.ok(alarm, want.name);
          assert.deepEqual(tagsOf(alarm), {
            "alert-condition": want.condition,
            severity: spec.severity,
          });
          const topic = topicArn(run, spec.route);
          assert.deepEqual(alarm.inputs.alarmActions, [topic]);
          assert.deepEqual(alarm.inputs.okActions, [topic]);
          assert.equal(alarm.inputs.actionsEnabled, true);
          const description = alarm.inputs.alarmDescription as string;
          const label = { critical: "[Critical]", high: "[High]", medium: "[Medium]" };
          assert.ok(description.startsWith(`${label[spec.severity]} `), description);
          assert.match(description, /What to do first: \S/);
          assert.equal(runbookTarget(description), `${spec.runbook.file}#${spec.runbook.anchor}`);
          if (want.metric) {
            for (const [key, value] of Object.entries(want.metric)) {
              assert.equal(alarm.inputs[key], value, key);
            }
            for (const key of [
              "comparisonOperator",
              "threshold",
              "period",
              "evaluationPeriods",
              "datapointsToAlarm",
              "treatMissingData",
            ] as const) {
              assert.equal(alarm.inputs[key], want[key], key);
            }
          }
        });
      }

      it("service down: a composite of no healthy targets OR the outside probe, paging once", () => {
        const composite = alarmNamed(run, `${project}-${stack}-service-down`);
        assert.equal(
          composite.inputs.alarmRule,
          `ALARM("${project}-${stack}-no-healthy-targets") OR ALARM("${project}-${stack}-probe")`,
        );
        const noHealthy = alarmNamed(run, `${project}-${stack}-no-healthy-targets`);
        const alb = one(run, "aws:lb/loadBalancer:LoadBalancer");
        const tg = one(run, "aws:lb/targetGroup:TargetGroup");
        assert.deepEqual(
          [noHealthy.inputs.namespace, noHealthy.inputs.metricName, noHealthy.inputs.statistic],
          ["AWS/ApplicationELB", "HealthyHostCount", "Minimum"],
        );
        assert.deepEqual(noHealthy.inputs.dimensions, {
          LoadBalancer: alb.outputs.arnSuffix,
          TargetGroup: tg.outputs.arnSuffix,
        });
        assert.deepEqual(
          [
            noHealthy.inputs.comparisonOperator,
            noHealthy.inputs.threshold,
            noHealthy.inputs.datapointsToAlarm,
            noHealthy.inputs.evaluationPeriods,
            noHealthy.inputs.treatMissingData,
          ],
          ["LessThanThreshold", 1, 2, 3, "breaching"],
        );
        // The composite's inputs tell no one themselves.
        for (const input of [noHealthy, alarmNamed(run, `${project}-${stack}-probe`)]) {
          assert.deepEqual(input.inputs.alarmActions, []);
          assert.deepEqual(tagsOf(input), {
            "alert-condition": "service-down",
            severity: "critical",
          });
        }
      });

      it("error rate: 5xx over requests above 5% with a minimum of requests, silenced while the service is down", () => {
        const composite = alarmNamed(run, `${project}-${stack}-error-rate`);
        assert.equal(composite.inputs.alarmRule, `ALARM("${project}-${stack}-error-rate-5xx")`);
        assert.deepEqual(composite.inputs.actionsSuppressor, {
          alarm: `${project}-${stack}-service-down`,
          waitPeriod: 120,
          extensionPeriod: 300,
        });
        const rate = alarmNamed(run, `${project}-${stack}-error-rate-5xx`);
        const queries = rate.inputs.metricQueries as {
          id: string;
          expression?: string;
          returnData?: boolean;
          metric?: { metricName: string; stat: string };
        }[];
        assert.deepEqual(
          queries.filter((q) => q.metric).map((q) => [q.metric!.metricName, q.metric!.stat]),
          [
            ["RequestCount", "Sum"],
            ["HTTPCode_Target_5XX_Count", "Sum"],
            ["HTTPCode_ELB_5XX_Count", "Sum"],
          ],
        );
        const result = queries.filter((q) => q.returnData);
        assert.equal(result.length, 1);
        assert.match(
          result[0].expression!,
          /^IF\(total >= 20, 100 \* \(FILL\(target5xx, 0\) \+ FILL\(elb5xx, 0\)\) \/ total, 0\)$/,
        );
        assert.deepEqual(
          [
            rate.inputs.comparisonOperator,
            rate.inputs.threshold,
            rate.inputs.datapointsToAlarm,
            rate.inputs.evaluationPeriods,
            rate.inputs.treatMissingData,
          ],
          ["GreaterThanThreshold", 5, 3, 5, "notBreaching"],
        );
      });

      it("the page topic hears only service down and error rate", () => {
        const page = topicArn(run, "page");
        const paging = allAlarms(run)
          .filter((a) => (a.inputs.alarmActions as string[]).includes(page))
          .map((a) => a.inputs.name ?? a.inputs.alarmName)
          .sort();
        assert.deepEqual(paging, [
          `${project}-${stack}-error-rate`,
          `${project}-${stack}-service-down`,
        ]);
        const rules = ofType(run, "aws:cloudwatch/eventTarget:EventTarget").filter(
          (t) => t.inputs.arn === page,
        );
        assert.deepEqual(rules, []);
      });

      it("every alarm carries the table's tags, an explicit missing-data treatment and M-of-N datapoints", () => {
        // The NAT instance's reboot alarm (dev, staging) belongs to the network, not the table.
        const monitoring = allAlarms(run).filter((a) => a.parent?.includes("acme:monitoring:"));
        assert.ok(monitoring.length >= 9, `${monitoring.length} alarms`);
        for (const alarm of monitoring) {
          const condition = tagsOf(alarm)["alert-condition"] as AlertCondition;
          assert.ok(condition in alertTable, `${alarm.name}: alert-condition`);
          assert.equal(tagsOf(alarm).severity, alertTable[condition].severity);
          runbookTarget(alarm.inputs.alarmDescription as string);
        }
        for (const alarm of metricAlarms(run)) {
          assert.ok(alarm.inputs.treatMissingData, `${alarm.name}: treatMissingData`);
          const m = alarm.inputs.datapointsToAlarm as number;
          assert.ok(m >= 1 && m <= (alarm.inputs.evaluationPeriods as number), alarm.name);
        }
      });

      it("an ECS deployment rolls back when the 5xx or p95 > 1 s alarm fires during it", () => {
        assert.deepEqual(one(run, "aws:ecs/service:Service").inputs.alarms, {
          alarmNames: [
            `${project}-${stack}-error-rate-5xx`,
            `${project}-${stack}-latency-p95-high`,
          ],
          enable: true,
          rollback: true,
        });
      });

      it("memory alarm watches this service; disk alarm this database", () => {
        const memory = alarmNamed(run, `${project}-${stack}-memory`);
        const cluster = serviceCluster(run);
        const service = one(run, "aws:ecs/service:Service");
        assert.deepEqual(memory.inputs.dimensions, {
          ClusterName: cluster.outputs.name,
          ServiceName: service.outputs.name,
        });
        const disk = alarmNamed(run, `${project}-${stack}-database-disk`);
        assert.deepEqual(disk.inputs.dimensions, {
          DBInstanceIdentifier: one(run, "aws:rds/instance:Instance").inputs.identifier,
        });
      });

      it("external probe: a Route 53 health check on /readyz, its alarm in us-east-1, mirrored here", () => {
        const check = one(run, "aws:route53/healthCheck:HealthCheck");
        // Through the CDN, as users reach the service: its custom domain.
        const cdnHost = setting(stack, "domainName");
        assert.deepEqual(
          [
            check.inputs.type,
            check.inputs.fqdn,
            check.inputs.port,
            check.inputs.resourcePath,
            check.inputs.requestInterval,
            check.inputs.failureThreshold,
          ],
          ["HTTPS", cdnHost, 443, "/readyz", 30, 3],
        );
        const source = alarmNamed(run, `${project}-${stack}-probe-us-east-1`);
        assert.equal(regionOf(run, source), "us-east-1");
        assert.deepEqual(
          [source.inputs.namespace, source.inputs.metricName, source.inputs.dimensions],
          ["AWS/Route53", "HealthCheckStatus", { HealthCheckId: check.id }],
        );
        assert.deepEqual(
          [source.inputs.comparisonOperator, source.inputs.threshold, source.inputs.statistic],
          ["LessThanThreshold", 1, "Minimum"],
        );
        const mirror = alarmNamed(run, `${project}-${stack}-probe`);
        assert.equal(regionOf(run, mirror), run.config["aws:region"]);
        assert.deepEqual(
          [mirror.inputs.namespace, mirror.inputs.metricName, mirror.inputs.dimensions],
          [
            `${project}-${stack}/logs`,
            "AlarmState",
            { AlarmName: `${project}-${stack}-probe-us-east-1` },
          ],
        );
        assert.equal(mirror.inputs.treatMissingData, "ignore");

        // us-east-1 forwards the source's state changes to this region's default bus ...
        const rules = ofType(run, "aws:cloudwatch/eventRule:EventRule");
        const forward = rules.find((r) => r.name.endsWith("alarm-mirror-forward"))!;
        assert.equal(regionOf(run, forward), "us-east-1");
        assert.deepEqual(JSON.parse(forward.inputs.eventPattern as string), {
          source: ["aws.cloudwatch"],
          "detail-type": ["CloudWatch Alarm State Change"],
          // The CloudFront certificate (us-east-1) has its expiry alarm mirrored too.
          resources: [
            source.outputs.arn,
            alarmNamed(run, `${project}-${stack}-certificate-expiry-us-east-1-1-us-east-1`).outputs
              .arn,
          ],
        });
        const targets = ofType(run, "aws:cloudwatch/eventTarget:EventTarget");
        const toBus = targets.find((t) => t.inputs.rule === forward.outputs.name)!;
        assert.equal(
          toBus.inputs.arn,
          `arn:aws:events:${run.config["aws:region"]}:${accountOf(run)}:event-bus/default`,
        );
        assert.ok(toBus.inputs.roleArn);
        // ... where a rule writes them to a log group whose filters make the 1/0 metric.
        const receive = rules.find((r) => r.name.endsWith("alarm-mirror-receive"))!;
        assert.equal(regionOf(run, receive), run.config["aws:region"]);
        const toLogs = targets.find((t) => t.inputs.rule === receive.outputs.name)!;
        const group = ofType(run, "aws:cloudwatch/logGroup:LogGroup").find(
          (g) => g.outputs.arn === toLogs.inputs.arn,
        )!;
        const filters = ofType(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter").filter(
          (f) => f.inputs.logGroupName === group.outputs.name,
        );
        assert.deepEqual(
          filters.map((f) => [
            f.inputs.pattern,
            (f.inputs.metricTransformation as { value: string }).value,
          ]),
          [
            ['{ $.detail.state.value = "ALARM" }', "1"],
            ['{ $.detail.state.value = "OK" }', "0"],
          ],
        );
        const policy = ofType(run, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy").find((p) =>
          p.name.includes("alarm-mirror"),
        )!;
        assert.equal(
          JSON.parse(policy.inputs.policyDocument as string).Statement[0].Resource,
          `${group.outputs.arn}:*`,
        );

        // Converges from the first evaluation: the source alarm (whose first change, out of
        // INSUFFICIENT_DATA, is the one that sets the mirror) is created after the whole path.
        const path = [forward, toBus, receive, toLogs, group, policy, ...filters];
        path.push(
          ofType(run, "aws:iam/role:Role").find((r) => r.outputs.arn === toBus.inputs.roleArn)!,
        );
        for (const step of path) {
          assert.ok(
            source.options.dependsOn.includes(step.urn),
            `the source waits for ${step.name}`,
          );
        }
      });

      it("topics: page and team, encrypted with a customer-managed key CloudWatch and EventBridge may use", () => {
        const topics = ofType(run, "aws:sns/topic:Topic");
        assert.deepEqual(topics.map((t) => tagsOf(t)["alert-route"]).sort(), ["page", "team"]);
        for (const topic of topics) {
          const key = ofType(run, "aws:kms/key:Key").find(
            (k) => k.outputs.arn === topic.inputs.kmsMasterKeyId,
          );
          assert.ok(key, "a key of the stack, not alias/aws/sns");
          assert.equal(key.inputs.enableKeyRotation, true);
          const statements = JSON.parse(key.inputs.policy as string).Statement as {
            Principal: { Service?: string };
            Action: string[];
          }[];
          for (const service of ["cloudwatch.amazonaws.com", "events.amazonaws.com"]) {
            const grant = statements.find((s) => s.Principal.Service === service);
            assert.deepEqual(grant?.Action, ["kms:Decrypt", "kms:GenerateDataKey*"], service);
          }
          const policy = ofType(run, "aws:sns/topicPolicy:TopicPolicy").find(
            (p) => p.inputs.arn === topic.outputs.arn,
          )!;
          const allows = JSON.parse(policy.inputs.policy as string).Statement.filter(
            (s: { Effect: string }) => s.Effect === "Allow",
          );
          assert.deepEqual(
            allows.map(
              (s: {
                Principal: { Service: string };
                Action: string;
                Resource: string;
                Condition: unknown;
              }) => [s.Principal.Service, s.Action, s.Resource, s.Condition],
            ),
            [
              ["cloudwatch.amazonaws.com", "cloudwatch", "alarm:*"],
              ["events.amazonaws.com", "events", "rule/*"],
            ].map(([service, prefix, resources]) => [
              service,
              "sns:Publish",
              topic.outputs.arn,
              {
                StringEquals: { "aws:SourceAccount": accountOf(run) },
                // Only this account's alarms and rules in the stack's region.
                ArnLike: {
                  "aws:SourceArn": `arn:aws:${prefix}:${run.config["aws:region"]}:${accountOf(run)}:${resources}`,
                },
              },
            ]),
          );
        }
      });

      it("subscriptions: the team's address on both topics while no paging endpoint is set", () => {
        const subscriptions = ofType(run, "aws:sns/topicSubscription:TopicSubscription");
        assert.deepEqual(
          subscriptions.map((s) => [s.inputs.topic, s.inputs.protocol, s.inputs.endpoint]).sort(),
          ["page", "team"]
            .flatMap((route) =>
              setting(stack, "alertEmail")
                .split(",")
                .map((address) => [topicArn(run, route), "email", address.trim()]),
            )
            .sort(),
        );
      });

      it("failed backups and failed ECS deployments reach the team topic", () => {
        const rules = ofType(run, "aws:cloudwatch/eventRule:EventRule");
        const targets = ofType(run, "aws:cloudwatch/eventTarget:EventTarget");
        const backup = rules.find((r) => r.name.endsWith("-backup-failures"))!;
        assert.deepEqual(tagsOf(backup), { "alert-condition": "backup-failed", severity: "high" });
        const backupTarget = targets.find((t) => t.inputs.rule === backup.outputs.name)!;
        assert.equal(backupTarget.inputs.arn, topicArn(run, "team"));
        const message = JSON.parse(
          (backupTarget.inputs.inputTransformer as { inputTemplate: string }).inputTemplate,
        ) as string;
        assert.ok(message.startsWith("[High] AWS Backup: <type> <state>"), message);
        assert.equal(runbookTarget(message), "database-recovery.md#a-backup-job-failed");

        const deployments = rules.find((r) => r.name.endsWith("-deployment-failed"))!;
        assert.deepEqual(JSON.parse(deployments.inputs.eventPattern as string), {
          source: ["aws.ecs"],
          "detail-type": ["ECS Deployment State Change"],
          resources: [one(run, "aws:ecs/service:Service").outputs.arn],
          detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
        });
        const deploymentTarget = targets.find((t) => t.inputs.rule === deployments.outputs.name)!;
        assert.equal(deploymentTarget.inputs.arn, topicArn(run, "team"));
        const text = JSON.parse(
          (deploymentTarget.inputs.inputTransformer as { inputTemplate: string }).inputTemplate,
        ) as string;
        assert.equal(runbookTarget(text), "rollback.md#automatic");
      });

      it("log metrics: error-level lines and malformed requests of the service, slow statements of the database", () => {
        const filters = ofType(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter");
        const of = (name: string) =>
          filters.find((f) => f.inputs.name === `${project}-${stack}-${name}`)!;
        const serviceLogs = `/ecs/${project}-${stack}`;
        assert.deepEqual(
          [of("error-lines").inputs.logGroupName, of("error-lines").inputs.pattern],
          [serviceLogs, '{ $.level = "error" || $.level = "fatal" }'],
        );
        assert.deepEqual(
          [of("malformed-requests").inputs.logGroupName, of("malformed-requests").inputs.pattern],
          [
            serviceLogs,
            '{ $.msg = "request" && ($.status = 400 || $.status = 413 || $.status = 415) }',
          ],
        );
        assert.deepEqual(
          [of("slow-queries").inputs.logGroupName, of("slow-queries").inputs.pattern],
          [`/aws/rds/instance/${project}-${stack}/postgresql`, '"duration:"'],
        );
      });

      it("every log group keeps its events for a limited time", () => {
        for (const group of ofType(run, "aws:cloudwatch/logGroup:LogGroup")) {
          assert.ok(Number(group.inputs.retentionInDays) > 0, String(group.inputs.name));
        }
      });

      it("dashboard: application, infrastructure, database and edge widgets", () => {
        const dashboard = one(run, "aws:cloudwatch/dashboard:Dashboard");
        assert.equal(dashboard.inputs.dashboardName, `${project}-${stack}`);
        const { widgets } = JSON.parse(dashboard.inputs.dashboardBody as string) as {
          widgets: {
            type: string;
            properties: { title?: string; markdown?: string; metrics?: unknown[][] };
          }[];
        };
        assert.deepEqual(
          widgets.filter((w) => w.type === "text").map((w) => w.properties.markdown),
          ["## Application", "## Infrastructure", "## Database", "## Edge"],
        );
        const metricsOf = (title: string) => {
          const widget = widgets.find((w) => w.properties.title?.startsWith(title));
          assert.ok(widget, title);
          return widget.properties.metrics!.map((m) =>
            m.filter((x) => typeof x === "string").slice(0, 2),
          );
        };
        assert.deepEqual(metricsOf("Requests per minute"), [
          ["AWS/ApplicationELB", "RequestCount"],
        ]);
        assert.deepEqual(metricsOf("Notes created"), [
          ["Notes", "NotesCreated"],
          ["Notes", "NotesDeleted"],
        ]);
        const business = widgets.find((w) => w.properties.title?.startsWith("Notes created"))!;
        assert.deepEqual(business.properties.metrics![0].slice(2), [
          "Service",
          project,
          "Environment",
          stack,
        ]);
        assert.deepEqual(metricsOf("Distinct clients"), [["Notes", "ActiveClients"]]);
        assert.deepEqual(metricsOf("Response time").map(() => 1).length, 3);
        assert.deepEqual(metricsOf("Tasks running"), [
          ["ECS/ContainerInsights", "RunningTaskCount"],
          ["ECS/ContainerInsights", "DesiredTaskCount"],
          ["ECS/ContainerInsights", "PendingTaskCount"],
        ]);
        assert.deepEqual(metricsOf("ECS CPU and memory"), [
          ["AWS/ECS", "CPUUtilization"],
          ["AWS/ECS", "MemoryUtilization"],
        ]);
        assert.deepEqual(metricsOf("Network I/O"), [
          ["ECS/ContainerInsights", "NetworkRxBytes"],
          ["ECS/ContainerInsights", "NetworkTxBytes"],
        ]);
        assert.deepEqual(metricsOf("Connections"), [
          ["AWS/RDS", "DatabaseConnections"],
          ["AWS/RDS", "ClientConnections"],
          ["AWS/RDS", "DatabaseConnections"],
        ]);
        assert.deepEqual(metricsOf("Free storage"), [["AWS/RDS", "FreeStorageSpace"]]);
        assert.deepEqual(metricsOf("Read / write latency"), [
          ["AWS/RDS", "ReadLatency"],
          ["AWS/RDS", "WriteLatency"],
        ]);
        assert.deepEqual(metricsOf("Slow statements"), [
          [`${project}-${stack}/logs`, "SlowQueries"],
        ]);
        const distributionId = one(run, "aws:cloudfront/distribution:Distribution").id;
        assert.deepEqual(
          widgets
            .find((w) => w.properties.title === "CDN requests")!
            .properties.metrics![0].slice(0, 4),
          ["AWS/CloudFront", "Requests", "DistributionId", distributionId],
        );
        assert.deepEqual(metricsOf("WAF blocked requests"), [["AWS/WAFV2", "BlockedRequests"]]);
      });
    });
  }

  it("docs/architecture.md's alert table lists every condition with its severity, route and runbook section", () => {
    const readme = readFileSync(join(repoRoot, "docs", "architecture.md"), "utf8");
    const section = readme.split("\n## Monitoring and alerting\n")[1].split("\n## ")[0];
    const rows = new Map<string, string[]>();
    for (const line of section.split("\n")) {
      const cells = line.split("|").map((c) => c.trim());
      const condition = /^`([a-z0-9-]+)`$/.exec(cells[1] ?? "")?.[1];
      if (condition && condition in alertTable && cells.length === 9) rows.set(condition, cells);
    }
    assert.deepEqual([...rows.keys()].sort(), Object.keys(alertTable).sort());
    const capitalised = (s: string) => s[0].toUpperCase() + s.slice(1);
    for (const [condition, spec] of Object.entries(alertTable)) {
      const [, , , , , severity, route, runbook] = rows.get(condition)!;
      assert.equal(severity, capitalised(spec.severity), condition);
      assert.equal(route, spec.route, condition);
      const target = `${spec.runbook.file}#${spec.runbook.anchor}`;
      assert.equal(runbook, `[${target}](runbooks/${target})`, condition);
    }
  });

  describe("with a paging endpoint", () => {
    const refused = (options: RunOptions) =>
      runProgram("staging", options).then(
        () => assert.fail("the program ran"),
        (e: Error) => e,
      );

    it("subscribes it over HTTPS to the page topic, as a secret, instead of the team's address", async () => {
      const run = await runProgram("staging", {
        secrets: { pagingEndpoint: "https://events.example-pager.com/integration/abc123/enqueue" },
      });
      const page = topicArn(run, "page");
      const onPage = ofType(run, "aws:sns/topicSubscription:TopicSubscription").filter(
        (s) => s.inputs.topic === page,
      );
      assert.deepEqual(
        onPage.map((s) => [s.inputs.protocol, s.inputs.endpoint, s.inputs.endpointAutoConfirms]),
        [
          [
            "https",
            // Pulumi's wire form of a secret: encrypted in the state, masked in every output.
            {
              [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
              value: "https://events.example-pager.com/integration/abc123/enqueue",
            },
            true,
          ],
        ],
      );
    });

    it("refuses an endpoint that is not https, without repeating it", async () => {
      const endpoint = "http://pager.example.com/integration/k3y-in-the-url";
      const err = await refused({ secrets: { pagingEndpoint: endpoint } });
      assert.equal(
        err.message,
        `Pulumi.staging.yaml: ${project}:pagingEndpoint must be an https:// URL (the value is not ` +
          "shown: it is a secret)",
      );
      assert.ok(!err.message.includes("k3y"), err.message);
    });

    it("refuses an endpoint held in plain text, without repeating it", async () => {
      const endpoint = "https://events.example-pager.com/integration/k3y/enqueue";
      const err = await refused({ config: { pagingEndpoint: endpoint } });
      assert.equal(
        err.message,
        `Pulumi.staging.yaml: ${project}:pagingEndpoint is a secret but the stack file holds it in ` +
          "plain text: pulumi config set --secret pagingEndpoint <value>",
      );
    });

    it("offline, an encrypted endpoint runs as the program's stand-in, marked secret, and says so", async () => {
      // Staging's file as the CLI leaves it after `pulumi config set --secret pagingEndpoint`.
      const staging = readFileSync(join(repoRoot, "Pulumi.staging.yaml"), "utf8");
      const encrypted = `${staging.trimEnd()}\n  environment: staging\n  pagingEndpoint:\n    secure: v1:AAAA\n`;
      const run = await withFiles({ "Pulumi.paging.yaml": encrypted }, () => runProgram("paging"));
      assert.deepEqual(run.standIns, [configKey("pagingEndpoint")]);
      const page = topicArn(run, "page");
      const https = ofType(run, "aws:sns/topicSubscription:TopicSubscription").filter(
        (s) => s.inputs.topic === page && s.inputs.protocol === "https",
      );
      assert.deepEqual(
        https.map((s) => s.inputs.endpoint),
        [
          {
            [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
            value: "https://paging.invalid/offline-stand-in",
          },
        ],
      );
    });
  });

  describe("Alerting declared alone", () => {
    it("refuses topics nobody would hear", async () => {
      const message = await declarationError(
        () => new Alerting("unit", { namePrefix: "unit", teamEmails: [] }),
      );
      assert.equal(message, "Alerting unit: teamEmails must name at least one address");
    });
  });

  describe("Monitoring declared alone", () => {
    const args = (over: Partial<MonitoringArgs> = {}): MonitoringArgs => ({
      namePrefix: "acme-unit",
      region: "eu-west-1",
      usEast1Provider: new aws.Provider("us-east-1", { region: "us-east-1" }),
      topicArns: {
        page: "arn:aws:sns:eu-west-1:123456789012:page",
        team: "arn:aws:sns:eu-west-1:123456789012:team",
      },
      loadBalancer: { arnSuffix: "app/unit/0123", targetGroupArnSuffix: "targetgroup/unit/0456" },
      service: {
        clusterName: "unit",
        serviceName: "unit",
        serviceArn: "arn:aws:ecs:eu-west-1:123456789012:service/unit/unit",
        logGroupName: "/ecs/unit",
      },
      businessMetrics: { service: "acme", environment: "dev", spec: contract.metrics },
      serviceLogPatterns: contract.logPatterns,
      database: {
        instanceIdentifier: "unit",
        proxyName: "unit",
        allocatedStorageGb: 20,
        maxAllocatedStorageGb: 50,
        postgresLogGroupName: "/aws/rds/instance/unit/postgresql",
      },
      backupFailureRuleName: "unit-backup-failures",
      readinessUrl: "https://d111111abcdef8.cloudfront.net/readyz",
      ...over,
    });
    const named = (declared: Declared[], name: string) =>
      declared.find((d) => d.inputs.name === name || d.inputs.alarmName === name);

    it("with a CDN: an HTTPS probe and edge widgets (requests, error rate, cache hit rate, WAF blocks)", async () => {
      let body = "";
      const declared = await declaredAlone(() => {
        const monitoring = new Monitoring(
          "unit",
          args({
            cdn: { distributionId: "E2EXAMPLE", webAclName: "unit-waf", additionalMetrics: true },
          }),
        );
        monitoring.dashboard.dashboardBody.apply((b) => (body = b));
      });
      const check = declared.find((d) => d.type === "aws:route53/healthCheck:HealthCheck")!;
      assert.deepEqual(
        [check.inputs.type, check.inputs.fqdn, check.inputs.port, check.inputs.enableSni],
        ["HTTPS", "d111111abcdef8.cloudfront.net", 443, true],
      );
      const { widgets } = JSON.parse(body) as {
        widgets: {
          type: string;
          properties: { title?: string; region?: string; metrics?: unknown[][] };
        }[];
      };
      const edge = widgets.filter((w) => /^(CDN|WAF)/.test(w.properties.title ?? ""));
      assert.deepEqual(
        edge.map((w) => [w.properties.region, w.properties.metrics!.map((m) => m[1])]),
        [
          ["us-east-1", ["Requests"]],
          ["us-east-1", ["4xxErrorRate", "5xxErrorRate"]],
          ["us-east-1", ["CacheHitRate"]],
          ["us-east-1", ["BlockedRequests"]],
        ],
      );
      assert.deepEqual(edge[0].properties.metrics![0].slice(2, 4), ["DistributionId", "E2EXAMPLE"]);
      assert.deepEqual(edge[3].properties.metrics![0].slice(2, 4), ["WebACL", "unit-waf"]);
    });

    it("an expiry alarm per certificate; CloudFront's (us-east-1) mirrored into the stack's region", async () => {
      const declared = await declaredAlone(() => {
        new Monitoring(
          "unit",
          args({
            certificateArns: ["arn:aws:acm:eu-west-1:123456789012:certificate/alb"],
            usEast1CertificateArns: ["arn:aws:acm:us-east-1:123456789012:certificate/cdn"],
          }),
        );
      });
      const regional = named(declared, "acme-unit-certificate-expiry-1")!;
      assert.deepEqual(
        [
          regional.inputs.namespace,
          regional.inputs.metricName,
          regional.inputs.dimensions,
          regional.inputs.comparisonOperator,
          regional.inputs.threshold,
          regional.inputs.alarmActions,
          regional.inputs.okActions,
        ],
        [
          "AWS/CertificateManager",
          "DaysToExpiry",
          { CertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/alb" },
          "LessThanThreshold",
          30,
          ["arn:aws:sns:eu-west-1:123456789012:team"],
          ["arn:aws:sns:eu-west-1:123456789012:team"],
        ],
      );
      const source = named(declared, "acme-unit-certificate-expiry-us-east-1-1-us-east-1")!;
      assert.deepEqual(source.inputs.dimensions, {
        CertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/cdn",
      });
      assert.deepEqual(source.inputs.alarmActions, []);
      assert.match(source.provider!, /::us-east-1::/);
      const mirror = named(declared, "acme-unit-certificate-expiry-us-east-1-1")!;
      assert.deepEqual(mirror.inputs.alarmActions, ["arn:aws:sns:eu-west-1:123456789012:team"]);
      assert.deepEqual(mirror.inputs.tags, {
        "alert-condition": "certificate-expiry",
        severity: "medium",
      });
    });

    it("in a us-east-1 stack nothing is mirrored: the probe alarm joins the composite directly", async () => {
      const declared = await declaredAlone(
        () => void new Monitoring("unit", args({ region: "us-east-1" })),
        "us-east-1",
      );
      assert.equal(named(declared, "acme-unit-probe")!.inputs.namespace, "AWS/Route53");
      assert.equal(named(declared, "acme-unit-probe-us-east-1"), undefined);
      assert.equal(
        declared.some((d) => d.type === "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"),
        false,
      );
    });

    it("rejects a probe interval Route 53 does not offer", async () => {
      const message = await declarationError(
        () => new Monitoring("unit", args({ probeIntervalSeconds: 60 as 30 })),
      );
      assert.equal(
        message,
        "Monitoring unit: probeIntervalSeconds must be 10 or 30 (Route 53's intervals)",
      );
    });
  });
});

function accountOf(run: ProgramRun): string {
  return run.config[configKey("accountId")];
}
