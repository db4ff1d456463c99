/**
 * The pack on programs that are not this one: exports of four common shapes, written in the
 * `pulumi stack export` format (test/fixtures/programs/), run with the pack's own defaults (no
 * config file: another team has not adopted ours). Each mandatory finding is pinned with the
 * reason a reviewer would act on it; a new one (a false positive, or a new policy's) fails here
 * until someone decides which it is.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readExport } from "../../scripts/offline/read-export";
import { gate } from "./gate";

const programs = join(__dirname, "..", "..", "test", "fixtures", "programs");

/** [policy, resource name ("" for the stack)] → why a reviewer acts on it. */
const expected: Record<string, Record<string, string>> = {
  // S3 private behind CloudFront with an Origin Access Control, default certificate.
  "static-site": {
    "cloudfront-hsts site-cdn": "no Strict-Transport-Security: a first visit can be downgraded",
    "cloudfront-logging site-cdn": "no access logs: no record of who fetched what",
    "cloudfront-waf site-cdn": "FSBP CloudFront.6: nothing filters or rate-limits the edge",
    "s3-static-versioning site-bucket": "an overwritten or deleted page cannot be restored",
    "s3-tls-only site-bucket": "the bucket answers plain HTTP requests (FSBP S3.5)",
  },
  // HTTP API in front of a Lambda function with a DynamoDB table.
  "api-lambda": {
    "stack-alert-table ": "x4: no alarm for the API being down, erroring or slow; nobody is told",
    "stack-dashboard ": "an API running in production with nothing to look at in an incident",
  },
  // SQS queue with a dead-letter queue, consumed by a Lambda function.
  "queue-worker": {
    "stack-alert-table ": "x2: the worker failing or erroring tells no one (jobs pile up)",
    "stack-dashboard ": "no view of the worker's invocations and errors",
  },
  // Fargate service behind an HTTPS ALB, PostgreSQL 16 on RDS, no proxy.
  "fargate-rds": {
    "ec2-security-group-unrestricted-egress alb-sg":
      "the load balancer may send anything anywhere, not only to its targets",
    "ec2-security-group-unrestricted-egress app-sg":
      "a compromised task can reach any address on any port (exfiltration, C2)",
    "ec2-vpc-flow-logs vpc": "no record of network traffic for an investigation (FSBP EC2.6)",
    "ecs-task-definition-drop-all-capabilities app":
      "the container keeps Docker's default capabilities (NET_RAW, CHOWN, ...)",
    "ecs-task-definition-health-check app": "ECS cannot replace a container that hangs",
    "ecs-task-definition-image-pinned app":
      "a tag can be re-pushed: the task may run another image",
    "ecs-task-definition-non-root-user app":
      "the container runs as the image's user, root by default",
    "ecs-task-definition-read-only-root-filesystem app": "an intruder can change the code it runs",
    "elb-access-logs alb": "no record of requests to the service (FSBP ELB.5)",
    "iam-service-principal-source-conditions task-execution":
      "any account's ECS could act through the role (no aws:SourceAccount)",
    "rds-instance-enhanced-monitoring db": "no OS metrics for the database (FSBP RDS.6)",
    "rds-instance-iam-authentication db": "password-only database access (FSBP RDS.10)",
    "rds-instance-log-exports db": "the database's logs stay on the instance (FSBP RDS.9)",
    "rds-instance-storage-encrypted db":
      "the AWS-managed aws/rds key: no snapshot copy can be shared with a backup account",
    "stack-alert-table ": "x7: no alarm for down, errors, latency, disk, memory, certificate",
    "stack-dashboard ": "nothing to look at in an incident",
    "stack-database-backup db": "only the instance's own snapshots: no backup plan",
  },
};

describe("the pack on other people's programs (test/fixtures/programs)", () => {
  for (const [program, findings] of Object.entries(expected)) {
    it(`${program}: reports exactly the mandatory findings a reviewer would act on`, async () => {
      const { resources } = readExport(join(programs, `${program}.json`));
      await gate().configure({});
      const found = (await gate().analyze(resources)).filter((d) => d.level === "mandatory");
      const keys = found.map((d) => {
        const name = resources.some((r) => r.urn === d.urn) ? d.urn.split("::").pop() : "";
        return `${d.policy} ${name}`;
      });
      assert.deepEqual([...new Set(keys)].sort(), Object.keys(findings).sort());
      // The counts stated as "xN" in the reasons are the exact number of findings.
      for (const [key, reason] of Object.entries(findings)) {
        const count = Number(/^x(\d+):/.exec(reason)?.[1] ?? 1);
        assert.equal(keys.filter((k) => k === key).length, count, `${program}: ${key}`);
      }
    });
  }
});
