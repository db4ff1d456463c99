import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceContract } from "../app/src/contract";
import type { AlertRoute } from "./alerting";
import { createAlarmMirror, mirroredMetric, usEast1 } from "./alarm-mirror";
import {
  alertDescription,
  alertTable,
  alertTags,
  defaultRunbookBaseUrl,
  runbookBaseUrlPattern,
  type AlertCondition,
} from "./alerts";
import { createDashboard } from "./dashboard";
import { routeFailureEvents } from "./event-routes";
import { createLogMetrics } from "./log-metrics";
import { createProbe } from "./probe";

/** What the monitoring needs to know about the running service. */
export interface MonitoredService {
  clusterName: string;
  serviceName: string;
  serviceArn: string;
  /** The containers' log group (JSON lines from pino). */
  logGroupName: string;
}

/** The dimensions of the app's business metrics, which the service gives the task. */
export interface MetricDimensions {
  /** `Service` dimension: the task's SERVICE_NAME. */
  service: string;
  /** `Environment` dimension: the task's DEPLOY_ENV. */
  environment: string;
}

/** The business metrics the service writes as EMF lines (app/src/metrics.ts). */
export interface BusinessMetrics extends MetricDimensions {
  /** Its contract's `metrics`: namespace, names, dimension names and dashboard widgets. */
  spec: ServiceContract["metrics"];
}

export interface MonitoringArgs {
  /**
   * Prefix of every alarm name, the dashboard, the log metrics' namespace and the mirror log
   * group; unique per account and region (`<project>-<stack>`). Changing it replaces them all.
   */
  namePrefix: string;
  /** The stack's region: the dashboard's widgets, and whether us-east-1 alarms are mirrored. */
  region: string;
  /**
   * A provider for us-east-1, where Route 53 publishes health-check metrics and where
   * CloudFront's certificates live; alarms on those metrics must be created there.
   */
  usEast1Provider: aws.Provider;
  /** ARNs of the alert topics (from `Alerting`). */
  topicArns: Record<AlertRoute, pulumi.Input<string>>;
  /**
   * Where the runbooks are published; each alarm's description links `<base>/<page>.md#<section>`.
   * Default: this template's repository (`defaultRunbookBaseUrl`); a fork points it at its own.
   */
  runbookBaseUrl?: string;
  /** The load balancer's and its target group's `arnSuffix`es (CloudWatch dimensions). */
  loadBalancer: { arnSuffix: pulumi.Input<string>; targetGroupArnSuffix: pulumi.Input<string> };
  /**
   * The service. An Input of the whole object, so the program can declare the monitoring before
   * the service (which takes the rollback alarms) and resolve this once the service exists.
   */
  service: pulumi.Input<MonitoredService>;
  /** The service's business metrics; their widgets are on the dashboard. */
  businessMetrics: BusinessMetrics;
  /** Patterns of the service's error lines and malformed requests (its contract's `logPatterns`). */
  serviceLogPatterns: ServiceContract["logPatterns"];
  database: {
    instanceIdentifier: pulumi.Input<string>;
    proxyName: pulumi.Input<string>;
    /** Declared storage (GiB): the disk alarm fires when less than 20% of it is free. */
    allocatedStorageGb: number;
    /** Storage autoscaling ceiling (GiB), shown on the dashboard next to free storage. */
    maxAllocatedStorageGb: number;
    /** The exported PostgreSQL log, whose `duration:` lines are the slow statements. */
    postgresLogGroupName: pulumi.Input<string>;
  };
  /** EventBridge rule matching failed backup and copy jobs (from `Backup`); the team topic hears it. */
  backupFailureRuleName: pulumi.Input<string>;
  /**
   * URL the external probe requests, normally `/readyz` through the CDN (`https://<domain or
   * distribution>/readyz`), so "service down" is seen the way users see it.
   */
  readinessUrl: pulumi.Input<string>;
  /** Seconds between the probe's requests from each checker: 10 or 30. Default 30. */
  probeIntervalSeconds?: 10 | 30;
  /**
   * ACM certificates in the stack's region (the load balancer's); one expiry alarm each.
   * Default none. Give their number up front: it decides how many alarms exist.
   */
  certificateArns?: pulumi.Input<string>[];
  /** ACM certificates in us-east-1 (CloudFront's); one expiry alarm each. Default none. */
  usEast1CertificateArns?: pulumi.Input<string>[];
  /**
   * The CDN: its distribution and, when it has one, its WAF web ACL (`name`, CLOUDFRONT scope).
   * Adds the edge widgets (requests, error rate, blocked requests; the cache hit rate only with
   * `additionalMetrics`, the only way CloudFront publishes it). Default unset: no edge widgets.
   */
  cdn?: {
    distributionId: pulumi.Input<string>;
    webAclName?: pulumi.Input<string>;
    additionalMetrics: boolean;
  };
  /** Minimum requests per minute before the error rate can alarm. Default 20. */
  errorRateMinRequests?: number;
  /** Days the mirrored alarm events are kept. Default 30. */
  logRetentionDays?: number;
}

type Defaulted = Required<
  Omit<MonitoringArgs, "cdn" | "certificateArns" | "usEast1CertificateArns">
> &
  Pick<MonitoringArgs, "cdn"> & {
    certificateArns: pulumi.Input<string>[];
    usEast1CertificateArns: pulumi.Input<string>[];
  };

/** How an alarm looks at its metric; every alarm states all of it. */
interface Evaluation {
  comparisonOperator: string;
  threshold: number;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: "missing" | "ignore" | "breaching" | "notBreaching";
}

type MetricSource = Pick<
  aws.cloudwatch.MetricAlarmArgs,
  "namespace" | "metricName" | "dimensions" | "statistic" | "extendedStatistic" | "metricQueries"
>;

/**
 * "Down": a 1/0 health metric below 1 in two of the last three minutes. Both of its sources
 * (Route 53's health-check status, the load balancer's healthy host count) report every minute,
 * so a missing point is a fault of the source, treated as down rather than as health.
 */
const belowOneForTwoOfThreeMinutes: Evaluation = {
  comparisonOperator: "LessThanThreshold",
  threshold: 1,
  period: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  treatMissingData: "breaching",
};

/**
 * The alarms of one stack, following the alert table
 * (infra/alerts.ts): every alarm says its severity, what to do first and its runbook section,
 * has alarm and OK actions, an explicit missing-data treatment and M-of-N datapoints so a blip
 * does not notify anyone.
 *
 * The page topic hears only two alarms, both composite so one outage pages once: "service
 * down" (no healthy targets OR the external probe failing) and "error rate" (5xx above 5% of
 * requests), whose notifications are suppressed while "service down" is in ALARM or turns so
 * within two minutes (a service with no healthy targets answers 503s, which are also errors).
 * Their inputs notify no one themselves. The 5xx and p95 > 1 s alarms also roll an ECS
 * deployment back (`deploymentAlarmNames`).
 *
 * The probe is a Route 53 health check on `readinessUrl` from checkers in several regions,
 * rather than a CloudWatch Synthetics canary: a canary running every minute costs about
 * $52/month per stack (43,200 runs at $0.0012) plus its Lambda and artifact bucket; a health
 * check costs $1-3/month. Route 53 publishes its status only in us-east-1 and an alarm can
 * notify only a topic in its own region and join only a composite of its own region, so the
 * probe's alarm (and the expiry alarm of a CloudFront certificate) lives in us-east-1 and is
 * *mirrored*: its state changes travel through EventBridge to the stack region's default bus,
 * land in a log group, become a 1/0 metric there, and an alarm on that metric (missing data:
 * keep the state) stands in for it. In a us-east-1 stack nothing is mirrored.
 *
 * The component also declares what the alarms and the on-call engineer read, each from its own
 * file: the probe (probe.ts), the log metrics (log-metrics.ts: the service's error lines and
 * malformed requests, the database's slow statements), the path of the mirrored alarms
 * (alarm-mirror.ts), the failure events routed to the team (event-routes.ts) and the dashboard
 * (dashboard.ts).
 *
 * Cost (list prices): $0.10 per standard alarm-month and per metric of a metric-math alarm,
 * $0.50 per composite alarm-month: $2.00 for a stack without certificates, $0.10 more per
 * certificate (x2 when mirrored); the dashboard $3/month (the first three per account are
 * free); the health check $0.50 plus $1 for HTTPS (and $1 more at a 10 s interval); the four
 * log-filter metrics $0.30/month each; EventBridge cross-region events $1 per million (a few a
 * month).
 */
export class Monitoring extends pulumi.ComponentResource {
  /** The alarms of the alert table, by name suffix (composites included). */
  readonly alarms: Record<string, aws.cloudwatch.MetricAlarm | aws.cloudwatch.CompositeAlarm> = {};
  readonly healthCheck: aws.route53.HealthCheck;
  readonly dashboard: aws.cloudwatch.Dashboard;
  /** Alarms that roll an ECS deployment back while it runs: the 5xx rate and p95 > 1 s. */
  readonly deploymentAlarmNames: pulumi.Output<string>[];
  /** Namespace of the metrics the log metric filters create. */
  readonly logMetricsNamespace: string;

  private readonly name: string;
  private readonly args: Defaulted;
  private readonly mirrored: aws.cloudwatch.MetricAlarm[] = [];
  /** The us-east-1 alarms to mirror, created after the mirror (see `createMirror`). */
  private readonly mirrorSources: {
    key: string;
    condition: AlertCondition;
    what: string;
    metric: MetricSource;
    evaluation: Evaluation;
  }[] = [];
  private readonly parent = { parent: this };

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("acme:monitoring:Monitoring", name, {}, opts);
    this.name = name;
    this.args = {
      runbookBaseUrl: defaultRunbookBaseUrl,
      probeIntervalSeconds: 30,
      certificateArns: [],
      usEast1CertificateArns: [],
      errorRateMinRequests: 20,
      logRetentionDays: 30,
      ...args,
    };
    if (![10, 30].includes(this.args.probeIntervalSeconds)) {
      throw new Error(
        `Monitoring ${name}: probeIntervalSeconds must be 10 or 30 (Route 53's intervals)`,
      );
    }
    if (!runbookBaseUrlPattern.test(this.args.runbookBaseUrl)) {
      throw new Error(
        `Monitoring ${name}: runbookBaseUrl must be an https URL without a trailing slash`,
      );
    }
    this.logMetricsNamespace = `${this.args.namePrefix}/logs`;

    createLogMetrics(this.name, this, {
      namePrefix: this.args.namePrefix,
      namespace: this.logMetricsNamespace,
      serviceLogGroupName: pulumi.output(this.args.service).logGroupName,
      servicePatterns: this.args.serviceLogPatterns,
      postgresLogGroupName: this.args.database.postgresLogGroupName,
    });
    this.healthCheck = createProbe(this.name, this, {
      namePrefix: this.args.namePrefix,
      url: this.args.readinessUrl,
      intervalSeconds: this.args.probeIntervalSeconds,
    });
    this.createProbeAlarm();
    this.createServiceDownAlarm();
    this.createErrorRateAlarm();
    this.createLatencyAlarms();
    this.createDatabaseDiskAlarm();
    this.createMemoryAlarm();
    this.createCertificateAlarms();
    this.createMirror();
    this.routeEvents();
    this.dashboard = this.createDashboard();
    this.deploymentAlarmNames = [
      (this.alarms["error-rate-5xx"] as aws.cloudwatch.MetricAlarm).name,
      (this.alarms["latency-p95-high"] as aws.cloudwatch.MetricAlarm).name,
    ];

    this.registerOutputs({
      dashboardName: this.dashboard.dashboardName,
      healthCheckId: this.healthCheck.id,
    });
  }

  private alarmName(key: string): string {
    return `${this.args.namePrefix}-${key}`;
  }

  private actionsOf(condition: AlertCondition): pulumi.Input<string>[] {
    return [this.args.topicArns[alertTable[condition].route]];
  }

  /**
   * One metric alarm. `notify: false` makes it the input of a composite (or the source of a
   * mirror): it carries the condition's tags and description but tells no one itself.
   */
  private metricAlarm(
    key: string,
    condition: AlertCondition,
    what: string,
    metric: MetricSource,
    evaluation: Evaluation,
    notify: boolean,
    provider?: aws.Provider,
    dependsOn?: pulumi.Resource[],
  ): aws.cloudwatch.MetricAlarm {
    const actions = notify ? this.actionsOf(condition) : [];
    // With metric queries each query carries the period: terraform-provider-aws declares the
    // alarm's own `period` (like namespace, metricName, statistic) ConflictsWith `metric_query`
    // (internal/service/cloudwatch/metric_alarm.go), and PutMetricAlarm refuses Period with
    // Metrics, so the preview of such an alarm fails.
    const { period, ...rest } = evaluation;
    const alarm = new aws.cloudwatch.MetricAlarm(
      `${this.name}-${key}`,
      {
        name: this.alarmName(key),
        alarmDescription: alertDescription(this.args.runbookBaseUrl, condition, what),
        ...metric,
        ...rest,
        ...(metric.metricQueries ? {} : { period }),
        actionsEnabled: true,
        alarmActions: actions,
        okActions: actions,
        tags: alertTags(condition),
      },
      { parent: this, provider, dependsOn },
    );
    this.alarms[key] = alarm;
    return alarm;
  }

  /**
   * An alarm on a metric that exists only in us-east-1. In a us-east-1 stack it is an ordinary
   * alarm; elsewhere it is created there without actions and mirrored into the stack's region
   * (see the class comment), and the mirror is what notifies or joins a composite.
   */
  private usEast1Alarm(
    key: string,
    condition: AlertCondition,
    what: string,
    metric: MetricSource,
    evaluation: Evaluation,
    notify: boolean,
  ): aws.cloudwatch.MetricAlarm {
    const provider = this.args.usEast1Provider;
    if (this.args.region === usEast1) {
      return this.metricAlarm(key, condition, what, metric, evaluation, notify, provider);
    }
    // Created by createMirror, once the path its state changes travel exists.
    const sourceKey = `${key}-${usEast1}`;
    this.mirrorSources.push({
      key: sourceKey,
      condition,
      what: `${what} (mirrored as ${this.alarmName(key)} in ${this.args.region})`,
      metric,
      evaluation,
    });
    return this.metricAlarm(
      key,
      condition,
      `${what} (mirror of ${usEast1} alarm ${this.alarmName(sourceKey)})`,
      {
        namespace: this.logMetricsNamespace,
        metricName: mirroredMetric,
        dimensions: { AlarmName: this.alarmName(sourceKey) },
        statistic: "Maximum",
      },
      {
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        period: 60,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        // The metric has a point only when the source changes state: between changes, hold.
        treatMissingData: "ignore",
      },
      notify,
    );
  }

  private compositeAlarm(
    key: string,
    condition: AlertCondition,
    what: string,
    alarmRule: pulumi.Input<string>,
    actionsSuppressor?: aws.types.input.cloudwatch.CompositeAlarmActionsSuppressor,
  ): aws.cloudwatch.CompositeAlarm {
    const actions = this.actionsOf(condition);
    const alarm = new aws.cloudwatch.CompositeAlarm(
      `${this.name}-${key}`,
      {
        alarmName: this.alarmName(key),
        alarmDescription: alertDescription(this.args.runbookBaseUrl, condition, what),
        alarmRule,
        actionsEnabled: true,
        alarmActions: actions,
        okActions: actions,
        actionsSuppressor,
        tags: alertTags(condition),
      },
      this.parent,
    );
    this.alarms[key] = alarm;
    return alarm;
  }

  private get albDimensions() {
    return {
      LoadBalancer: this.args.loadBalancer.arnSuffix,
      TargetGroup: this.args.loadBalancer.targetGroupArnSuffix,
    };
  }

  /** The probe's alarm, an input of "service down". */
  private createProbeAlarm(): void {
    this.usEast1Alarm(
      "probe",
      "service-down",
      "The readiness check from outside AWS is failing",
      {
        namespace: "AWS/Route53",
        metricName: "HealthCheckStatus",
        dimensions: { HealthCheckId: this.healthCheck.id },
        statistic: "Minimum",
      },
      belowOneForTwoOfThreeMinutes,
      false,
    );
  }

  private createServiceDownAlarm(): void {
    const noHealthy = this.metricAlarm(
      "no-healthy-targets",
      "service-down",
      "The load balancer has no healthy target",
      {
        namespace: "AWS/ApplicationELB",
        metricName: "HealthyHostCount",
        dimensions: this.albDimensions,
        statistic: "Minimum",
      },
      belowOneForTwoOfThreeMinutes,
      false,
    );
    const probe = this.alarms.probe as aws.cloudwatch.MetricAlarm;
    this.compositeAlarm(
      "service-down",
      "service-down",
      "The service is down: no healthy target, or the readiness check from outside failing",
      pulumi.interpolate`ALARM("${noHealthy.name}") OR ALARM("${probe.name}")`,
    );
  }

  private createErrorRateAlarm(): void {
    const evaluation: Evaluation = {
      comparisonOperator: "GreaterThanThreshold",
      threshold: 5,
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      // No requests, no errors.
      treatMissingData: "notBreaching",
    };
    const alb = (id: string, metricName: string) => ({
      id,
      metric: {
        namespace: "AWS/ApplicationELB",
        metricName,
        dimensions: { LoadBalancer: this.args.loadBalancer.arnSuffix },
        period: evaluation.period,
        stat: "Sum",
      },
    });
    const min = this.args.errorRateMinRequests;
    const rate = this.metricAlarm(
      "error-rate-5xx",
      "error-rate",
      `More than 5% of requests answered 5xx (with at least ${min} requests a minute)`,
      {
        metricQueries: [
          alb("requests", "RequestCount"),
          alb("target5xx", "HTTPCode_Target_5XX_Count"),
          // The load balancer's own 5xx (no target to send to) are not in RequestCount.
          alb("elb5xx", "HTTPCode_ELB_5XX_Count"),
          {
            id: "total",
            expression: "FILL(requests, 0) + FILL(elb5xx, 0)",
            label: "Requests",
          },
          {
            id: "errorRate",
            expression: `IF(total >= ${min}, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / total, 0)`,
            label: "5xx (% of requests)",
            returnData: true,
          },
        ],
      },
      evaluation,
      false,
    );
    const serviceDown = this.alarms["service-down"] as aws.cloudwatch.CompositeAlarm;
    this.compositeAlarm(
      "error-rate",
      "error-rate",
      "More than 5% of requests answered 5xx",
      pulumi.interpolate`ALARM("${rate.name}")`,
      // While the service is down its 503s page once, as "service down".
      { alarm: serviceDown.alarmName, waitPeriod: 120, extensionPeriod: 300 },
    );
  }

  private createLatencyAlarms(): void {
    const p95 = {
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      dimensions: this.albDimensions,
      extendedStatistic: "p95",
    };
    this.metricAlarm(
      "latency-p95-high",
      "latency-p95-high",
      "p95 response time above 1 s",
      p95,
      {
        comparisonOperator: "GreaterThanThreshold",
        threshold: 1,
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
      },
      true,
    );
    this.metricAlarm(
      "latency-p95-review",
      "latency-p95-review",
      "p95 response time above 500 ms for 15 minutes",
      p95,
      {
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0.5,
        period: 300,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
      },
      true,
    );
  }

  /**
   * RDS publishes free storage but not the allocated size, which storage autoscaling changes.
   * The threshold is 20% of the declared size: at that size, exactly "80% used". Autoscaling
   * grows the disk once less than 10% is free, so the alarm fires first and says so; its
   * runbook's first step is to compare with the ceiling and raise the declared size.
   */
  private createDatabaseDiskAlarm(): void {
    const { allocatedStorageGb } = this.args.database;
    this.metricAlarm(
      "database-disk",
      "database-disk",
      `Database disk more than 80% used (less than 20% of ${allocatedStorageGb} GiB free)`,
      {
        namespace: "AWS/RDS",
        metricName: "FreeStorageSpace",
        dimensions: { DBInstanceIdentifier: this.args.database.instanceIdentifier },
        statistic: "Minimum",
      },
      {
        comparisonOperator: "LessThanThreshold",
        threshold: Math.round(allocatedStorageGb * 0.2 * 1024 ** 3),
        period: 300,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        // A database that reports nothing is down; "service down" and errors say so.
        treatMissingData: "missing",
      },
      true,
    );
  }

  private createMemoryAlarm(): void {
    const service = pulumi.output(this.args.service);
    this.metricAlarm(
      "memory",
      "memory",
      "Service memory above 90% of the tasks' reservation",
      {
        namespace: "AWS/ECS",
        metricName: "MemoryUtilization",
        dimensions: { ClusterName: service.clusterName, ServiceName: service.serviceName },
        statistic: "Average",
      },
      {
        comparisonOperator: "GreaterThanThreshold",
        threshold: 90,
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
      },
      true,
    );
  }

  private createCertificateAlarms(): void {
    const expiry = (arn: pulumi.Input<string>) => ({
      metric: {
        namespace: "AWS/CertificateManager",
        metricName: "DaysToExpiry",
        dimensions: { CertificateArn: arn },
        statistic: "Minimum",
      },
      // ACM publishes once a day; one point under 30 days is not a blip.
      evaluation: {
        comparisonOperator: "LessThanThreshold",
        threshold: 30,
        period: 86400,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: "notBreaching",
      } satisfies Evaluation,
    });
    const what = "An ACM certificate expires in less than 30 days (automatic renewal failed)";
    this.args.certificateArns.forEach((arn, i) => {
      const { metric, evaluation } = expiry(arn);
      this.metricAlarm(
        `certificate-expiry-${i + 1}`,
        "certificate-expiry",
        what,
        metric,
        evaluation,
        true,
      );
    });
    this.args.usEast1CertificateArns.forEach((arn, i) => {
      const { metric, evaluation } = expiry(arn);
      this.usEast1Alarm(
        `certificate-expiry-${usEast1}-${i + 1}`,
        "certificate-expiry",
        what,
        metric,
        evaluation,
        true,
      );
    });
  }

  /**
   * The path the us-east-1 alarms' state changes travel (see `createAlarmMirror`), then the
   * alarms themselves, after it, so their first change out of INSUFFICIENT_DATA reaches it.
   */
  private createMirror(): void {
    if (this.mirrorSources.length === 0) return;
    const path = createAlarmMirror(this.name, this, {
      namePrefix: this.args.namePrefix,
      region: this.args.region,
      usEast1Provider: this.args.usEast1Provider,
      logRetentionDays: this.args.logRetentionDays,
      metricsNamespace: this.logMetricsNamespace,
      sourceAlarmNames: this.mirrorSources.map(({ key }) => this.alarmName(key)),
    });
    const provider = this.args.usEast1Provider;
    for (const { key, condition, what, metric, evaluation } of this.mirrorSources) {
      const source = this.metricAlarm(
        key,
        condition,
        what,
        metric,
        evaluation,
        false,
        provider,
        path,
      );
      this.mirrored.push(source);
    }
  }

  /** Failed backups and failed ECS deployments, as EventBridge events, to the team topic. */
  private routeEvents(): void {
    routeFailureEvents(this.name, this, {
      teamTopicArn: this.args.topicArns.team,
      runbookBaseUrl: this.args.runbookBaseUrl,
      backupFailureRuleName: this.args.backupFailureRuleName,
      serviceArn: pulumi.output(this.args.service).serviceArn,
    });
  }

  private createDashboard(): aws.cloudwatch.Dashboard {
    const a = this.args;
    const service = pulumi.output(a.service);
    // The alarm widget shows alarms of the dashboard's region only.
    const regional = Object.values(this.alarms).filter(
      (alarm) => !this.mirrored.includes(alarm as aws.cloudwatch.MetricAlarm),
    );
    return createDashboard(this.name, this, {
      dashboardName: a.namePrefix,
      region: a.region,
      service,
      loadBalancer: a.loadBalancer.arnSuffix,
      targetGroup: a.loadBalancer.targetGroupArnSuffix,
      database: a.database.instanceIdentifier,
      proxy: a.database.proxyName,
      healthCheckId: this.healthCheck.id,
      cdn:
        a.cdn &&
        pulumi.output(a.cdn).apply((cdn) => ({
          distributionId: cdn.distributionId,
          webAcl: cdn.webAclName,
          additionalMetrics: cdn.additionalMetrics,
        })),
      alarmArns: pulumi.all(regional.map((alarm) => alarm.arn)),
      logNamespace: this.logMetricsNamespace,
      business: a.businessMetrics,
      maxStorageGb: a.database.maxAllocatedStorageGb,
    });
  }
}
