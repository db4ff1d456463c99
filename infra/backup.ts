import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { servicePrincipalTrust } from "./database";

export interface BackupArgs {
  /** ARNs of the resources to back up (the database instance). */
  resourceArns: pulumi.Input<string>[];
  /** Days each daily recovery point is kept. Default 35. */
  dailyRetentionDays?: number;
  /** Days each weekly recovery point is kept; at least `dailyRetentionDays`. Default 365. */
  weeklyRetentionDays?: number;
  /**
   * Daily schedule (AWS Backup cron, UTC). Default 05:00, clear of the database's backup
   * (02:00) and maintenance (Sunday 03:00) windows, which would delay the job.
   */
  dailySchedule?: string;
  /** Weekly schedule (AWS Backup cron, UTC). Default Sunday 06:00. */
  weeklySchedule?: string;
  /**
   * Provider of a second region: every recovery point is copied to a vault there, so a regional
   * outage or a compromised primary vault does not take the backups with it. Unset: no copy.
   */
  copyProvider?: aws.Provider;
  /** Tags of `failureRule`: the alerting marks it as the "backup failed" alert. Default none. */
  failureRuleTags?: Record<string, string>;
  /**
   * Description of `failureRule` (at most 512 characters): the alerting puts the severity and the
   * runbook there. Default: what the rule matches.
   */
  failureRuleDescription?: string;
}

/** AWS Backup job states that mean a recovery point is missing. */
export const failedJobStates = ["FAILED", "ABORTED", "EXPIRED"];

/**
 * AWS Backup: a KMS-encrypted vault, a plan with a daily and a weekly rule, the resources selected
 * by ARN, optionally a copy of every recovery point to a vault in a second region, and an
 * EventBridge rule matching failed backup and copy jobs (`failureRule`, for the alerting to target).
 *
 * Cost (approximate list prices, not fetched): RDS snapshot storage ~$0.095/GB-month, incremental
 * after the first; in prod cross-region transfer ~$0.02/GB plus the copies' storage in the second
 * region; a KMS key per vault $1/month.
 */
export class Backup extends pulumi.ComponentResource {
  readonly vault: aws.backup.Vault;
  readonly copyVault?: aws.backup.Vault;
  readonly plan: aws.backup.Plan;
  /** Matches failed or aborted backup and copy jobs; the monitoring adds its target. */
  readonly failureRule: aws.cloudwatch.EventRule;

  private readonly name: string;
  private readonly args: Required<
    Omit<BackupArgs, "copyProvider" | "failureRuleTags" | "failureRuleDescription">
  > &
    BackupArgs;

  constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("acme:backup:Backup", name, {}, opts);
    this.name = name;
    this.args = {
      dailyRetentionDays: 35,
      weeklyRetentionDays: 365,
      dailySchedule: "cron(0 5 * * ? *)",
      weeklySchedule: "cron(0 6 ? * SUN *)",
      ...args,
    };
    if (this.args.weeklyRetentionDays < this.args.dailyRetentionDays) {
      throw new Error(`Backup ${name}: weeklyRetentionDays must be >= dailyRetentionDays`);
    }

    this.vault = this.createVault("vault");
    if (args.copyProvider) this.copyVault = this.createVault("copy-vault", args.copyProvider);
    this.plan = this.createPlan();
    this.selectResources();
    this.failureRule = this.createFailureRule();

    this.registerOutputs({
      vaultArn: this.vault.arn,
      copyVaultArn: this.copyVault?.arn,
      failureRuleArn: this.failureRule.arn,
    });
  }

  private createVault(role: string, provider?: aws.Provider): aws.backup.Vault {
    const key = new aws.kms.Key(
      `${this.name}-${role}`,
      { description: `Encrypts backup ${role} ${this.name}`, enableKeyRotation: true },
      { parent: this, provider },
    );
    return new aws.backup.Vault(
      `${this.name}-${role}`,
      { kmsKeyArn: key.arn },
      { parent: this, provider },
    );
  }

  private createPlan(): aws.backup.Plan {
    const { dailyRetentionDays, weeklyRetentionDays, dailySchedule, weeklySchedule } = this.args;
    const rule = (ruleName: string, schedule: string, deleteAfter: number) => ({
      ruleName,
      targetVaultName: this.vault.name,
      schedule,
      startWindow: 60,
      completionWindow: 180,
      lifecycle: { deleteAfter },
      copyActions: this.copyVault
        ? [{ destinationVaultArn: this.copyVault.arn, lifecycle: { deleteAfter } }]
        : undefined,
    });
    return new aws.backup.Plan(
      `${this.name}-plan`,
      {
        rules: [
          rule("daily", dailySchedule, dailyRetentionDays),
          rule("weekly", weeklySchedule, weeklyRetentionDays),
        ],
      },
      { parent: this },
    );
  }

  private selectResources(): void {
    const role = new aws.iam.Role(
      `${this.name}-backup`,
      {
        description: "Lets AWS Backup snapshot, copy and restore the selected resources",
        assumeRolePolicy: servicePrincipalTrust("backup.amazonaws.com"),
      },
      { parent: this },
    );
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    for (const policy of ["Backup", "Restores"]) {
      new aws.iam.RolePolicyAttachment(
        `${this.name}-backup-${policy.toLowerCase()}`,
        {
          role: role.name,
          policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyFor${policy}`,
        },
        { parent: this },
      );
    }
    new aws.backup.Selection(
      `${this.name}-selection`,
      { iamRoleArn: role.arn, planId: this.plan.id, resources: this.args.resourceArns },
      { parent: this },
    );
  }

  private createFailureRule(): aws.cloudwatch.EventRule {
    return new aws.cloudwatch.EventRule(
      `${this.name}-backup-failures`,
      {
        description:
          this.args.failureRuleDescription ??
          "AWS Backup backup or copy jobs that failed, aborted or expired",
        eventPattern: JSON.stringify({
          source: ["aws.backup"],
          "detail-type": ["Backup Job State Change", "Copy Job State Change"],
          detail: { state: failedJobStates },
        }),
        tags: this.args.failureRuleTags,
      },
      { parent: this },
    );
  }
}
