import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { packDir, stackPolicyConfig } from "../../scripts/offline/policy-config";
import { diagnostics, gate } from "./gate";

describe("policy pack", () => {
  it("declares exactly these policies, each mandatory", async () => {
    const policies = await gate().policies();
    const byLevel = (level: string) =>
      policies
        .filter((p) => p.level === level)
        .map((p) => p.name)
        .sort();
    assert.deepEqual(byLevel("mandatory"), [
      "backup-plan-retention",
      "backup-vault-customer-managed-key",
      "cloudwatch-log-group-retention",
      "ec2-security-group-public-ingress",
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
      "ecs-task-definition-health-check",
      "ecs-task-definition-image-pinned",
      "ecs-task-definition-no-host-namespaces",
      "ecs-task-definition-no-secrets-in-environment",
      "ecs-task-definition-non-root-user",
      "ecs-task-definition-not-privileged",
      "ecs-task-definition-read-only-root-filesystem",
      "iam-policy-no-wildcard-actions",
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
      "secretsmanager-secret-rotation",
      "tagging-required-tags",
    ]);
    assert.deepEqual(byLevel("advisory"), []);
    for (const p of policies) assert.ok(p.description.length > 20, `${p.name} explains itself`);
  });

  it("has one file per policy, named after it", async () => {
    // lib/ holds what several policies share; it is no area.
    const areas = [
      "backup",
      "cloudwatch",
      "ec2",
      "ecr",
      "ecs",
      "iam",
      "kms",
      "rds",
      "secretsmanager",
      "tagging",
    ];
    const files = areas.flatMap((area) =>
      readdirSync(join(packDir, area))
        .filter((f) => f !== "index.ts")
        .map((f) => `${area}-${f.replace(/\.ts$/, "")}`),
    );
    assert.deepEqual(files.sort(), (await gate().policies()).map((p) => p.name).sort());
  });

  it("lets the real prod program through with config/prod.json, every policy mandatory", async () => {
    assert.deepEqual(await diagnostics("prod"), []);
    const levels = Object.values(stackPolicyConfig("prod")).map((p) =>
      typeof p === "string" ? p : p.enforcementLevel,
    );
    assert.ok(levels.every((level) => level === undefined || level === "mandatory"));
  });

  it("lets the real staging program through, flagging only what staging may lack (Multi-AZ, deletion protection)", async () => {
    const found = await diagnostics("staging");
    assert.deepEqual(
      found.map((d) => [d.policy, d.level]),
      [
        ["rds-instance-deletion-protection", "advisory"],
        ["rds-instance-multi-az", "advisory"],
      ],
    );
  });

  it("relaxes in staging and dev only Multi-AZ and deletion protection, nothing else", () => {
    for (const stack of ["staging", "dev"]) {
      const relaxed = Object.entries(stackPolicyConfig(stack))
        .filter(([, p]) => (typeof p === "string" ? p : p.enforcementLevel) !== undefined)
        .map(([name, p]) => [name, typeof p === "string" ? p : p.enforcementLevel]);
      assert.deepEqual(relaxed, [
        ["rds-instance-deletion-protection", "advisory"],
        ["rds-instance-multi-az", "advisory"],
      ]);
    }
  });

  it("rejects a config file that names no policy of the pack", async () => {
    await assert.rejects(
      diagnostics("staging", undefined, { "cloudwatch-log-retention": { minimumDays: 7 } }),
      /"cloudwatch-log-retention" is not a policy of the pack; did you mean "cloudwatch-log-group-retention"\?/,
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
      "prod",
      (resources) => {
        const group = resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!;
        delete group.inputs.retentionInDays;
      },
      { "cloudwatch-log-group-retention": { enforcementLevel: "advisory" } },
    );
    assert.deepEqual(
      found.map((d) => [d.policy, d.level]),
      [["cloudwatch-log-group-retention", "advisory"]],
    );
  });
});
