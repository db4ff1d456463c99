import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { packDir, stackPolicyConfig } from "../../scripts/offline/policy-config";
import { asPreview, withFixtures } from "./fixtures";
import { diagnostics, find, gate, remove } from "./gate";

/** The directories of policies (each with a barrel index.ts); lib/ holds shared helpers. */
const areas = readdirSync(packDir).filter(
  (d) => d !== "lib" && existsSync(join(packDir, d, "index.ts")),
);

describe("policy pack", () => {
  it("declares exactly these policies, each mandatory but the one that asks to state a default", async () => {
    const policies = await gate().policies();
    const byLevel = (level: string) =>
      policies
        .filter((p) => p.level === level)
        .map((p) => p.name)
        .sort();
    assert.deepEqual(byLevel("mandatory"), [
      "acm-certificate-dns-validation",
      "backup-plan-retention",
      "backup-vault-customer-managed-key",
      "backup-vault-lock",
      "cloudfront-default-root-object",
      "cloudfront-hsts",
      "cloudfront-logging",
      "cloudfront-minimum-tls",
      "cloudfront-origin-https",
      "cloudfront-s3-origin-access-control",
      "cloudfront-viewer-https",
      "cloudfront-waf",
      "cloudwatch-alarm-actions",
      "cloudwatch-alarm-description",
      "cloudwatch-alarm-missing-data",
      "cloudwatch-log-group-retention",
      "ec2-security-group-public-ingress",
      "ec2-security-group-unrestricted-egress",
      "ec2-vpc-flow-logs",
      "ecr-repository-immutable-tags",
      "ecr-repository-lifecycle-policy",
      "ecr-repository-scan-on-push",
      "ecs-cluster-container-insights",
      "ecs-service-deployment-circuit-breaker",
      "ecs-service-fargate-platform-version",
      "ecs-service-minimum-healthy-percent",
      "ecs-service-no-public-ip",
      "ecs-task-definition-awslogs",
      "ecs-task-definition-awsvpc-network-mode",
      "ecs-task-definition-drop-all-capabilities",
      "ecs-task-definition-health-check",
      "ecs-task-definition-image-pinned",
      "ecs-task-definition-no-host-namespaces",
      "ecs-task-definition-no-secrets-in-environment",
      "ecs-task-definition-non-root-user",
      "ecs-task-definition-not-privileged",
      "ecs-task-definition-read-only-root-filesystem",
      "elb-access-logs",
      "elb-deletion-protection",
      "elb-desync-mitigation",
      "elb-drop-invalid-header-fields",
      "elb-http-listener-redirect",
      "elb-listener-tls-policy",
      "elb-target-group-health-check",
      "iam-policy-no-wildcard-actions",
      "iam-policy-write-actions-scoped",
      "iam-resource-policy-not-public",
      "iam-service-principal-source-conditions",
      "kms-key-rotation",
      "rds-instance-auto-minor-version-upgrade",
      "rds-instance-backup-retention",
      "rds-instance-copy-tags-to-snapshot",
      "rds-instance-custom-admin-username",
      "rds-instance-deletion-protection",
      "rds-instance-enhanced-monitoring",
      "rds-instance-force-ssl",
      "rds-instance-iam-authentication",
      "rds-instance-log-exports",
      "rds-instance-multi-az",
      "rds-instance-not-public",
      "rds-instance-storage-encrypted",
      "rds-proxy-iam-auth",
      "rds-proxy-require-tls",
      "s3-log-lifecycle",
      "s3-public-access-block",
      "s3-static-versioning",
      "s3-tls-only",
      "secretsmanager-secret-rotation",
      "sns-topic-encryption",
      "stack-alert-table",
      "stack-cdn",
      "stack-dashboard",
      "stack-database-backup",
      "stack-security-group-graph",
      "stack-task-log-groups",
      "tagging-required-tags",
      "wafv2-logging",
      "wafv2-managed-rule-groups",
      "wafv2-rate-limit",
    ]);
    // Only asks to state what AWS already does by default (S3 encrypts new objects since 2023).
    assert.deepEqual(byLevel("advisory"), ["s3-encryption"]);
    for (const p of policies) assert.ok(p.description.length > 20, `${p.name} explains itself`);
  });

  it("has one file per policy, named after it", async () => {
    const files = areas.flatMap((area) =>
      readdirSync(join(packDir, area))
        .filter((f) => f !== "index.ts")
        .map((f) => `${area}-${f.replace(/\.ts$/, "")}`),
    );
    assert.deepEqual(files.sort(), (await gate().policies()).map((p) => p.name).sort());
  });

  it("sets each environment's levels: prod all mandatory; staging and dev may keep load balancers and the database unprotected, run a single-AZ database and go without WAF; dev may leave its vault unlocked", () => {
    const advisory = (stack: string) =>
      Object.entries(stackPolicyConfig(stack))
        .filter(([, v]) => typeof v === "object" && v.enforcementLevel === "advisory")
        .map(([name]) => name)
        .sort();
    assert.deepEqual(advisory("prod"), []);
    const unprotected = [
      "cloudfront-waf",
      "elb-deletion-protection",
      "rds-instance-deletion-protection",
      "rds-instance-multi-az",
    ];
    assert.deepEqual(advisory("staging"), unprotected);
    // Dev may keep its backups in an unlocked vault (backupVaultLock: none).
    assert.deepEqual(advisory("dev"), ["backup-vault-lock", ...unprotected]);
  });

  it("lets the real prod program through with config/prod.json without a single diagnostic", async () => {
    assert.deepEqual(await diagnostics("prod"), []);
  });

  /** What config/<stack>.json turns down to advisory and the real program does not meet. */
  const advisories = {
    staging: [
      ["elb-deletion-protection", "staging-alb"],
      ["rds-instance-deletion-protection", "staging-db"],
      ["rds-instance-multi-az", "staging-db"],
    ],
    dev: [
      ["backup-vault-lock", "dev-vault"],
      ["cloudfront-waf", "dev-cdn"],
      ["elb-deletion-protection", "dev-alb"],
      ["rds-instance-deletion-protection", "dev-db"],
      ["rds-instance-multi-az", "dev-db"],
    ],
  };
  for (const stack of ["staging", "dev"] as const) {
    it(`lets the real ${stack} program through with config/${stack}.json, with exactly its advisories`, async () => {
      const found = await diagnostics(stack);
      assert.deepEqual(
        found.map((d) => d.level),
        found.map(() => "advisory"),
      );
      assert.deepEqual(
        found.map((d) => [d.policy, d.urn.split("::").pop()]).sort(),
        advisories[stack],
      );
    });
  }

  // dev: the fixtures' CDN and alerting have no certificate, as dev (the one stack without a domain).
  it("lets the dev program with the edge and alerting fixtures in place of its own through", async () => {
    const found = await diagnostics("dev", withFixtures());
    assert.deepEqual(
      found.filter((d) => d.level !== "advisory"),
      [],
    );
  });

  it("on a preview (ids, ARNs and names built from them unknown), passes the compliant stack and still finds a defect", async () => {
    const preview = await diagnostics("dev", withFixtures(asPreview));
    // Resource policies that read an unknown value are skipped by the SDK with an advisory note.
    assert.deepEqual(
      preview.filter((d) => d.level === "mandatory"),
      [],
    );
    const skipped = [...new Set(preview.map((d) => d.policy))].sort();
    assert.ok(!skipped.some((p) => p.startsWith("stack-")), skipped.join(", "));

    const defect = await diagnostics(
      "dev",
      withFixtures((resources) => {
        // A block turning a setting off (a missing one keeps S3's default: advisory only).
        const block = find(
          resources,
          "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
          "static",
        );
        block.inputs.blockPublicPolicy = false;
        block.outputs.blockPublicPolicy = false;
        remove(
          resources,
          find(resources, "aws:sns/topicSubscription:TopicSubscription", "alerts-team"),
        );
        asPreview(resources);
      }),
    );
    assert.deepEqual(
      [...new Set(defect.filter((d) => d.level === "mandatory").map((d) => d.policy))].sort(),
      // The team topic's alarms now reach no one: both the route and the actions say so.
      ["cloudwatch-alarm-actions", "s3-public-access-block", "stack-alert-table"],
    );
  });

  it("rejects a config file that names no policy of the pack", async () => {
    await assert.rejects(
      diagnostics("staging", undefined, { "cloudwatch-log-retention": { minimumDays: 7 } }),
      /"cloudwatch-log-retention" is not a policy of the pack \(the Pulumi CLI would silently ignore it\); did you mean "cloudwatch-log-group-retention"\?/,
    );
  });

  it("rejects a config value its policy's schema forbids", async () => {
    await assert.rejects(
      diagnostics("staging", undefined, {
        ...stackPolicyConfig("staging"),
        "cloudwatch-log-group-retention": { minimumDays: "thirty" },
      }),
      /cloudwatch-log-group-retention\.minimumDays must be integer, got "thirty"/,
    );
  });

  it("reports violations as advisory when the config turns a policy down", async () => {
    const found = await diagnostics(
      "staging",
      (resources) => {
        const group = resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!;
        delete group.inputs.retentionInDays;
      },
      { "cloudwatch-log-group-retention": { enforcementLevel: "advisory" } },
    );
    assert.deepEqual(
      found.filter((d) => d.policy === "cloudwatch-log-group-retention").map((d) => d.level),
      ["advisory"],
    );
  });
});
