import assert from "node:assert/strict";
import type { RegisteredResource } from "../../scripts/offline/harness";
import { withFixtures, withoutComponents } from "./fixtures";
import { addBeside, diagnostics, find, remove, set, violations } from "./gate";
import { stackPolicyConfig } from "../../scripts/offline/policy-config";

const metricAlarm = "aws:cloudwatch/metricAlarm:MetricAlarm";
const topic = "aws:sns/topic:Topic";

/** Sends the alarm's actions to the fixture topic of `route` only. */
function routeTo(resources: RegisteredResource[], alarm: string, ...routes: string[]): void {
  const target = find(resources, metricAlarm, alarm);
  const topics = routes.map((route) => find(resources, topic, `alerts-${route}`));
  for (const key of ["alarmActions", "okActions"]) {
    set(
      target,
      key,
      topics.map((t) => t.outputs.arn),
    );
    target.propertyDependencies[key] = topics.map((t) => t.urn);
  }
}

/** prod's policy config without its stack-cdn entry: the pack's defaults for a program's shape. */
function withoutCdnConfig() {
  const config = { ...stackPolicyConfig("prod") };
  delete config["stack-cdn"];
  return config;
}

describe("stack", () => {
  describe("stack-alert-table", () => {
    // Dev: the one stack without a custom domain, so no certificate until a case adds one.
    const policy = "stack-alert-table";

    describe("the alarm measures its row's condition on this stack's resource", () => {
      /** What the program's alarm for `row` reports after `change`, from prod's stack. */
      const afterChange = (row: string, change: (alarm: RegisteredResource) => void) =>
        violations(policy, "prod", (resources) => {
          const alarms = resources.filter(
            (r) =>
              r.type === metricAlarm &&
              (r.inputs.tags as Record<string, string>)?.["alert-condition"] === row,
          );
          assert.equal(alarms.length, 1, `one alarm tagged ${row}`);
          change(alarms[0]);
        });
      const only = async (found: Promise<string[]>, pattern: RegExp) => {
        const messages = await found;
        assert.equal(messages.length, 1, messages.join("\n"));
        assert.match(messages[0], pattern);
      };

      it("1: reports a p95 alarm whose threshold is looser than the row's 1 s", async () => {
        await only(
          afterChange("latency-p95-high", (a) => set(a, "threshold", 5)),
          /\(P95 latency > 1s\) fires at 5 s, later than the row's 1 s: measure the row's condition/,
        );
      });

      it("2: reports a p95 alarm that takes the average instead", async () => {
        await only(
          afterChange("latency-p95-review", (a) => {
            set(a, "extendedStatistic", undefined);
            set(a, "statistic", "Average");
          }),
          /takes the Average of TargetResponseTime: the row is about its p95/,
        );
      });

      it("3: reports a memory alarm on the CPU, or on a service that is not this stack's", async () => {
        await only(
          afterChange("memory", (a) => set(a, "metricName", "CPUUtilization")),
          /\(Memory > 90%\) watches AWS\/ECS\/CPUUtilization: the row's alarm watches AWS\/ECS\/MemoryUtilization/,
        );
        await only(
          afterChange("memory", (a) => {
            set(a, "dimensions", { ClusterName: "legacy", ServiceName: "legacy-web" });
            a.propertyDependencies.dimensions = [];
          }),
          /has dimensions that name none of the stack's \S+: it watches something else/,
        );
      });

      it("4: reports a disk alarm at 1 GiB free, below 20 % of the instance's storage", async () => {
        await only(
          afterChange("database-disk", (a) => set(a, "threshold", 1024 ** 3)),
          /\(Disk > 80%\) fires at 1073741824 bytes, later than the row's \d+ bytes/,
        );
      });

      it("5: reports a disk alarm that compares the wrong way", async () => {
        await only(
          afterChange("database-disk", (a) => set(a, "comparisonOperator", "GreaterThanThreshold")),
          /compares GreaterThanThreshold: the row fires when FreeStorageSpace is below its threshold/,
        );
      });
    });

    it("1: reports a row of the table without an alarm", async () => {
      const found = await violations(
        policy,
        "dev",
        withFixtures((resources) =>
          remove(resources, find(resources, metricAlarm, "latency-p95-review")),
        ),
      );
      assert.deepEqual(found, [
        'no alarm for "P95 latency > 500ms" (medium): add one tagged alert-condition=latency-p95-review, severity=medium, whose actions go to the team topic and whose description links its runbook.',
      ]);
    });

    it("2: reports service down routed to the team instead of paging", async () => {
      const found = await violations(
        policy,
        "dev",
        withFixtures((resources) => routeTo(resources, "service-down", "team")),
      );
      assert.deepEqual(found, [
        "service-down (Service down) reaches no subscribed page topic: send its actions to the topic tagged alert-route=page, which needs an aws.sns.TopicSubscription.",
      ]);
    });

    it("3: reports both paging alarms when the page topic has no subscription", async () => {
      const found = await violations(
        policy,
        "dev",
        withFixtures((resources) =>
          remove(
            resources,
            find(resources, "aws:sns/topicSubscription:TopicSubscription", "alerts-page"),
          ),
        ),
      );
      assert.equal(found.length, 2);
      assert.match(found[0], /^service-down \(Service down\) reaches no subscribed page topic/);
      assert.match(found[1], /^error-rate \(Error rate > 5%\) reaches no subscribed page topic/);
    });

    it("4: reports a team alert that also pages on-call", async () => {
      const found = await violations(
        policy,
        "dev",
        withFixtures((resources) => routeTo(resources, "memory", "team", "page")),
      );
      assert.deepEqual(found, [
        "memory (Memory > 90%) pages on-call, but the alert table says notify the team: send it to the team topic only (alert fatigue).",
      ]);
    });

    it("5: reports a severity other than the table's", async () => {
      const found = await violations(
        policy,
        "dev",
        withFixtures((resources) => {
          const alarm = find(resources, metricAlarm, "database-disk");
          set(alarm, "tags", { "alert-condition": "database-disk", severity: "high" });
        }),
      );
      assert.equal(found.length, 2);
      assert.match(
        found[0],
        /^database-disk \(Disk > 80%\) has severity "high": the alert table says medium/,
      );
      assert.match(found[1], /its description says \[Medium\] but its severity tag is "high"/);
    });

    it("6: reports the backup-failed rule without a target, and requires certificate expiry once the stack has certificates", async () => {
      const found = await violations(
        policy,
        "dev",
        withFixtures((resources) => {
          remove(resources, find(resources, "aws:cloudwatch/eventTarget:EventTarget"));
          addBeside(
            resources,
            find(resources, "aws:lb/loadBalancer:LoadBalancer"),
            "aws:acm/certificate:Certificate",
            "cert",
            { domainName: "example.com", validationMethod: "DNS" },
          );
        }),
      );
      assert.deepEqual(found, [
        'no alarm for "Certificate expiring" (medium): add one tagged alert-condition=certificate-expiry, severity=medium, whose actions go to the team topic and whose description links its runbook.',
        "dev-backup-failures (Backup failed) reaches no subscribed team topic: send its actions to the topic tagged alert-route=team, which needs an aws.sns.TopicSubscription.",
      ]);
    });

    it("7: requires an expiry alarm on each certificate's ARN", async () => {
      const found = await violations(
        policy,
        "dev",
        withFixtures((resources) => {
          const lb = find(resources, "aws:lb/loadBalancer:LoadBalancer");
          const [watched] = ["cdn-cert", "alb-cert"].map((name) =>
            addBeside(resources, lb, "aws:acm/certificate:Certificate", name, {
              domainName: "example.com",
              validationMethod: "DNS",
            }),
          );
          const memory = find(resources, metricAlarm, "memory");
          const alarm = addBeside(resources, memory, metricAlarm, "certificate-expiry", {
            ...memory.inputs,
            dimensions: { CertificateArn: watched.outputs.id },
            alarmDescription:
              "[Medium] A certificate expires within 30 days. Runbook: https://example.com/docs/runbooks/common-issues.md#certificate",
            tags: { "alert-condition": "certificate-expiry", severity: "medium" },
          });
          alarm.propertyDependencies = {
            ...memory.propertyDependencies,
            dimensions: [watched.urn],
          };
        }),
      );
      assert.deepEqual(found, [
        "certificate alb-cert has no expiry alarm: add an alarm on AWS/CertificateManager DaysToExpiry with dimensions { CertificateArn: <its ARN> }, tagged alert-condition=certificate-expiry.",
      ]);
    });

    it("demands no database disk alarm of a stack without an RDS instance (a row applies only to its subject)", async () => {
      const found = await violations(
        policy,
        "dev",
        withFixtures((resources) => {
          remove(resources, find(resources, metricAlarm, "database-disk"));
          for (const db of resources.filter((r) => r.type === "aws:rds/instance:Instance")) {
            remove(resources, db);
          }
        }),
      );
      assert.deepEqual(found, []);
    });

    it("demands the database disk alarm while the stack has its RDS instance", async () => {
      const found = await violations(
        policy,
        "dev",
        withFixtures((resources) =>
          remove(resources, find(resources, metricAlarm, "database-disk")),
        ),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^no alarm for "Disk > 80%"/);
    });

    it("passes the alerting contract: every row alarmed, routed and linked to its runbook", async () => {
      assert.deepEqual(await violations(policy, "dev", withFixtures()), []);
    });
  });

  describe("stack-database-backup", () => {
    const policy = "stack-database-backup";
    const plan = "aws:backup/plan:Plan";

    it("1: reports prod's database when the plan keeps backups in one region (requireOffsiteCopy)", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const p = find(resources, plan);
        set(
          p,
          "rules",
          (p.outputs.rules as Record<string, unknown>[]).map(({ copyActions: _, ...rule }) => rule),
        );
      });
      assert.deepEqual(found, [
        "database prod-db's backups stay in one region: add copyActions to a plan rule with destinationVaultArn of a vault in another region (config backupCopyRegion).",
      ]);
    });

    it("2: reports a database in no backup selection", async () => {
      const found = await violations(policy, "staging", (resources) =>
        remove(resources, find(resources, "aws:backup/selection:Selection")),
      );
      assert.deepEqual(found, [
        "database staging-db is in no AWS Backup plan: add an aws.backup.Selection of a plan of this stack whose resources include the database's ARN.",
      ]);
    });

    it("3: reports prod's copy aimed at a vault in the plan's own region", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const p = find(resources, plan);
        const homeVault = find(resources, "aws:backup/vault:Vault", "prod-vault");
        set(
          p,
          "rules",
          (p.outputs.rules as { copyActions?: Record<string, unknown>[] }[]).map((rule) => ({
            ...rule,
            copyActions: rule.copyActions?.map((c) => ({
              ...c,
              destinationVaultArn: homeVault.outputs.arn,
            })),
          })),
        );
      });
      assert.deepEqual(found, [
        "database prod-db's backups stay in one region: add copyActions to a plan rule with destinationVaultArn of a vault in another region (config backupCopyRegion).",
      ]);
    });

    it("passes prod's copy to its second region, and staging without one (requireOffsiteCopy false)", async () => {
      assert.deepEqual(await violations(policy, "prod"), []);
      assert.deepEqual(await violations(policy, "staging"), []);
    });
  });

  describe("stack-cdn", () => {
    const policy = "stack-cdn";
    const distribution = "aws:cloudfront/distribution:Distribution";

    it("1: reports the load balancer served without CloudFront", async () => {
      assert.deepEqual(await violations(policy, "prod", withoutComponents("cdn")), [
        "load balancer prod-alb is served without a CDN: add an aws.cloudfront.Distribution with it as an origin (and the static assets bucket as another).",
      ]);
    });

    it("2: reports a distribution without the static assets bucket", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) => {
          const d = find(resources, distribution);
          const bucket = find(resources, "aws:s3/bucket:Bucket", "static");
          set(
            d,
            "origins",
            (d.inputs.origins as { originId: string }[]).filter((o) => o.originId !== "static"),
          );
          d.propertyDependencies.origins = d.propertyDependencies.origins.filter(
            (urn) => urn !== bucket.urn,
          );
        }),
      );
      assert.deepEqual(found, [
        "the distribution in front of prod-alb serves no static assets from S3: add the assets bucket as an origin (with an Origin Access Control) and a cache behaviour for the hashed assets.",
      ]);
    });

    it("asks no CDN of an API-only program (servesBrowsers not set) without a distribution", async () => {
      const config = withoutCdnConfig();
      const found = (await diagnostics("prod", withoutComponents("cdn"), config)).filter(
        (d) => d.policy === policy,
      );
      assert.deepEqual(found, []);
    });

    it("holds a program that has a distribution to it even when servesBrowsers is not set", async () => {
      const config = withoutCdnConfig();
      const found = (
        await diagnostics(
          "prod",
          withFixtures((resources) => {
            const d = find(resources, distribution);
            d.inputs.origins = (d.inputs.origins as { originId: string }[]).filter(
              (o) => o.originId === "static",
            );
            d.outputs.origins = d.inputs.origins;
            d.propertyDependencies.origins = [];
          }),
          config,
        )
      ).filter((d) => d.policy === policy);
      assert.equal(found.length, 1);
      assert.match(found[0].message, /^load balancer prod-alb is served without a CDN/);
    });

    it("passes CloudFront in front of the load balancer and the static bucket", async () => {
      assert.deepEqual(await violations(policy, "staging", withFixtures()), []);
    });
  });

  describe("stack-dashboard", () => {
    const policy = "stack-dashboard";
    const dashboard = "aws:cloudwatch/dashboard:Dashboard";

    it("1: reports a stack without a dashboard", async () => {
      assert.deepEqual(await violations(policy, "prod", withoutComponents("monitoring")), [
        "the stack has no CloudWatch dashboard: add an aws.cloudwatch.Dashboard with the request, error, latency, container and database widgets.",
      ]);
    });

    it("2: reports a dashboard without widgets", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(find(resources, dashboard), "dashboardBody", JSON.stringify({ widgets: [] })),
        ),
      );
      assert.match(found[0], /^the stack's dashboards have no widgets/);
    });

    it("3: reports a dashboard of text widgets only (it shows nothing of the stack)", async () => {
      const found = await violations(
        policy,
        "prod",
        withFixtures((resources) =>
          set(
            find(resources, dashboard),
            "dashboardBody",
            JSON.stringify({ widgets: [{ type: "text", properties: { markdown: "# Service" } }] }),
          ),
        ),
      );
      assert.deepEqual(found, [
        "the stack's dashboards show no metric, alarm or log (only text widgets): add metric widgets for requests, errors, latency, containers and the database.",
      ]);
    });

    it("passes a dashboard with widgets", async () => {
      assert.deepEqual(await violations(policy, "staging", withFixtures()), []);
    });
  });

  describe("stack-task-log-groups", () => {
    const policy = "stack-task-log-groups";
    const taskDefinition = "aws:ecs/taskDefinition:TaskDefinition";
    const logGroup = "aws:cloudwatch/logGroup:LogGroup";

    /** Changes every container definition of the program's task definition. */
    const changeContainers =
      (change: (container: Record<string, unknown>) => void) =>
      (resources: RegisteredResource[]) => {
        const task = find(resources, taskDefinition, "-task");
        const containers = JSON.parse(task.outputs.containerDefinitions as string);
        containers.forEach(change);
        set(task, "containerDefinitions", JSON.stringify(containers));
      };

    it("1: reports containers logging to a group the stack does not create", async () => {
      const found = await violations(
        policy,
        "prod",
        changeContainers((c) => {
          (c.logConfiguration as { options: Record<string, string> }).options["awslogs-group"] =
            "/ecs/elsewhere";
        }),
      );
      assert.deepEqual(found, [
        'container migrate of task definition prod-task logs to "/ecs/elsewhere", which is not a log group of this stack: create it as an aws.cloudwatch.LogGroup with retentionInDays and use its name.',
        'container app of task definition prod-task logs to "/ecs/elsewhere", which is not a log group of this stack: create it as an aws.cloudwatch.LogGroup with retentionInDays and use its name.',
      ]);
    });

    it("2: reports the service's log group kept forever", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(
          resources.find((r) => r.type === logGroup && r.inputs.name === "/ecs/acme-staging")!,
          "retentionInDays",
          undefined,
        ),
      );
      assert.equal(found.length, 2);
      assert.match(found[0], /logs to staging-logs, which keeps logs forever: set retentionInDays/);
    });

    it("3: reports a container that ships no logs", async () => {
      const found = await violations(
        policy,
        "prod",
        changeContainers((c) => delete c.logConfiguration),
      );
      assert.equal(found.length, 2);
      assert.match(found[0], /^container migrate of task definition prod-task ships no logs/);
    });

    it("passes the program's containers, logging to its retained log group", async () => {
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });

  describe("stack-security-group-graph", () => {
    const policy = "stack-security-group-graph";
    const securityGroup = "aws:ec2/securityGroup:SecurityGroup";
    const ingressRule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

    it("1: reports the service's group admitting the internet", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const rule = find(resources, ingressRule, "service-from-alb");
        set(rule, "referencedSecurityGroupId", undefined);
        set(rule, "cidrIpv4", "0.0.0.0/0");
        rule.propertyDependencies.referencedSecurityGroupId = [];
      });
      assert.deepEqual(found, [
        "security group prod-service (the service's) admits 0.0.0.0/0 (prod-service-from-alb): admit only the load balancer's security group (referencedSecurityGroupId).",
      ]);
    });

    it("reports the load balancer's group open to the internet while CloudFront fronts it (the WAF is skipped)", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const rule = find(resources, ingressRule, "alb-from-cloudfront");
        set(rule, "prefixListId", undefined);
        set(rule, "cidrIpv4", "0.0.0.0/0");
        rule.propertyDependencies.prefixListId = [];
      });
      assert.deepEqual(found, [
        "security group prod-alb (the load balancer's) admits 0.0.0.0/0 (prod-alb-from-cloudfront), but CloudFront fronts the load balancer: clients reaching it directly skip the CDN and its web ACL. Admit only CloudFront's origin-facing prefix list (com.amazonaws.global.cloudfront.origin-facing, prefixListId).",
      ]);
      // Without a distribution in front, the load balancer is the entry point and may.
      const direct = await violations(policy, "prod", (resources) => {
        withoutComponents("cdn")(resources);
        const rule = find(resources, ingressRule, "alb-from-cloudfront");
        set(rule, "prefixListId", undefined);
        set(rule, "cidrIpv4", "0.0.0.0/0");
      });
      assert.deepEqual(direct, []);
    });

    it("2: reports the database's group admitting the service directly, past the proxy", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const rule = find(resources, ingressRule, "db-from-proxy");
        const service = find(resources, securityGroup, "-service");
        set(rule, "referencedSecurityGroupId", service.outputs.id);
        rule.propertyDependencies.referencedSecurityGroupId = [service.urn];
      });
      assert.deepEqual(found, [
        "security group staging-database (the database's) admits security group staging-service (staging-db-from-proxy): admit only the proxy's security group (referencedSecurityGroupId).",
      ]);
    });

    it("3: reports the database's group admitting a group that admits something itself", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const bootstrap = find(resources, securityGroup, "-db-bootstrap");
        const fromProxy = find(resources, ingressRule, "db-from-proxy");
        const rule = addBeside(resources, fromProxy, ingressRule, "prod-bootstrap-from-vpc", {
          securityGroupId: bootstrap.outputs.id,
          ipProtocol: "tcp",
          fromPort: 22,
          toPort: 22,
          cidrIpv4: "10.0.0.0/8",
        });
        rule.propertyDependencies.securityGroupId = [bootstrap.urn];
      });
      assert.deepEqual(found, [
        "security group prod-database (the database's) admits security group prod-db-bootstrap (prod-db-from-bootstrap): admit only the proxy's security group (referencedSecurityGroupId).",
      ]);
    });

    it("4: reports the proxy's group admitting the bootstrap's group, which may reach only the database", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const rule = find(resources, ingressRule, "proxy-from-service");
        const bootstrap = find(resources, securityGroup, "-db-bootstrap");
        set(rule, "referencedSecurityGroupId", bootstrap.outputs.id);
        rule.propertyDependencies.referencedSecurityGroupId = [bootstrap.urn];
      });
      assert.deepEqual(found, [
        "security group staging-proxy (the proxy's) admits security group staging-db-bootstrap (staging-proxy-from-service): admit only the service's security group (referencedSecurityGroupId).",
      ]);
    });

    it("5: reports a group of no role admitting CloudFront's prefix list", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const lbRule = find(resources, ingressRule, "alb-from-cloudfront");
        const other = addBeside(
          resources,
          find(resources, securityGroup, "-service"),
          securityGroup,
          "prod-extra",
          {
            description: "extra",
          },
        );
        const rule = addBeside(resources, lbRule, ingressRule, "prod-extra-from-cloudfront", {
          ...lbRule.inputs,
          securityGroupId: other.outputs.id,
        });
        rule.propertyDependencies.securityGroupId = [other.urn];
      });
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /^security group prod-extra admits pl-[0-9a-f]+ \(prod-extra-from-cloudfront\), but only the load balancer's group may admit/,
      );
    });

    it("passes the program's chain: CloudFront -> load balancer -> service -> proxy -> database, and the bootstrap's dead-end group -> database", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });
});
