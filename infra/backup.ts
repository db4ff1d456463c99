import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy } from "./trust";

/**
 * How the vault refuses early deletion (AWS Backup Vault Lock):
 * - `compliance`: nobody, the root user and AWS included, can delete a recovery point before its
 *   retention ends or remove the lock, once the cooling-off period (`changeableForDays`) is over;
 * - `governance`: the same rules, but a principal allowed `backup:DeleteBackupVaultLockConfiguration`
 *   can remove the lock;
 * - `none`: no lock and no vault access policy (a throwaway environment that must tear down).
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
 */
export const vaultLockModes = ["none", "governance", "compliance"] as const;
export type VaultLockMode = (typeof vaultLockModes)[number];

/**
 * Denied to every principal by the vault access policy: what would let someone who can deploy
 * delete or shorten the backups, or lift this very denial. A resource policy's Deny binds the
 * account's root user and administrators too.
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/create-a-vault-access-policy.html
 */
export const vaultDeniedActions = [
  "backup:DeleteRecoveryPoint",
  "backup:UpdateRecoveryPointLifecycle",
  "backup:PutBackupVaultAccessPolicy",
  "backup:DeleteBackupVaultAccessPolicy",
  "backup:DeleteBackupVault",
  "backup:DeleteBackupVaultLockConfiguration",
  "backup:PutBackupVaultLockConfiguration",
];

/**
 * The settings a stack file tunes (infra/config/backup.ts reads them, one key each); the rest of the
 * args are wiring from other components.
 */
export interface BackupSettings {
  /** Days each daily recovery point is kept. Default 35. */
  dailyRetentionDays?: number;
  /** Days each weekly recovery point is kept; at least `dailyRetentionDays`. Default 365. */
  weeklyRetentionDays?: number;
  /**
   * ARN of a vault in a separate backup account every recovery point is also copied to, so that
   * credentials of this account, however broad, cannot reach those copies. The backup account
   * owns that vault, its key and its policy (which must allow `backup:CopyIntoBackupVault` from
   * this account). Unset: no cross-account copy.
   */
  crossAccountCopyVaultArn?: string;
  /** Vault Lock mode of the vaults. Default `compliance`. */
  vaultLock?: VaultLockMode;
  /**
   * Compliance mode's cooling-off period: days during which the lock can still be removed
   * (at least 3); after it, the lock is immutable. Default 7.
   */
  vaultLockChangeableDays?: number;
}

export interface BackupArgs extends BackupSettings {
  /** ARNs of the resources to back up (the database instance). */
  resourceArns: pulumi.Input<string>[];
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
    Omit<
      BackupArgs,
      "copyProvider" | "failureRuleTags" | "failureRuleDescription" | "crossAccountCopyVaultArn"
    >
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
      vaultLock: "compliance",
      vaultLockChangeableDays: 7,
      ...args,
    };
    if (this.args.weeklyRetentionDays < this.args.dailyRetentionDays) {
      throw new Error(`Backup ${name}: weeklyRetentionDays must be >= dailyRetentionDays`);
    }
    // PutBackupVaultLockConfiguration: ChangeableForDays "must be at least 3".
    // https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html
    if (this.args.vaultLockChangeableDays < 3) {
      throw new Error(`Backup ${name}: vaultLockChangeableDays must be at least 3`);
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
    const vault = new aws.backup.Vault(
      `${this.name}-${role}`,
      { kmsKeyArn: key.arn },
      { parent: this, provider },
    );
    this.lock(vault, role, provider);
    return vault;
  }

  /** The vault's lock and its access policy, per `vaultLock`. */
  private lock(vault: aws.backup.Vault, role: string, provider?: aws.Provider): void {
    const { vaultLock, vaultLockChangeableDays, dailyRetentionDays, weeklyRetentionDays } =
      this.args;
    if (vaultLock === "none") return;
    new aws.backup.VaultLockConfiguration(
      `${this.name}-${role}`,
      {
        backupVaultName: vault.name,
        // A recovery point kept shorter or longer than these is refused, so they frame the
        // plan's own retentions: a shorter daily or a longer weekly rule would fail its jobs.
        minRetentionDays: dailyRetentionDays,
        maxRetentionDays: weeklyRetentionDays,
        // Set: compliance mode, immutable once the cooling-off period ends. Unset: governance.
        changeableForDays: vaultLock === "compliance" ? vaultLockChangeableDays : undefined,
      },
      { parent: this, provider },
    );
    new aws.backup.VaultPolicy(
      `${this.name}-${role}`,
      {
        backupVaultName: vault.name,
        policy: vault.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "NobodyDeletesOrShortensRecoveryPoints",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: vaultDeniedActions,
                Resource: arn,
              },
            ],
          }),
        ),
      },
      { parent: this, provider },
    );
  }

  private createPlan(): aws.backup.Plan {
    const { dailyRetentionDays, weeklyRetentionDays, dailySchedule, weeklySchedule } = this.args;
    const copyTargets: pulumi.Input<string>[] = [
      ...(this.copyVault ? [this.copyVault.arn] : []),
      ...(this.args.crossAccountCopyVaultArn ? [this.args.crossAccountCopyVaultArn] : []),
    ];
    const rule = (ruleName: string, schedule: string, deleteAfter: number) => ({
      ruleName,
      targetVaultName: this.vault.name,
      schedule,
      startWindow: 60,
      completionWindow: 180,
      lifecycle: { deleteAfter },
      copyActions: copyTargets.length
        ? copyTargets.map((destinationVaultArn) => ({
            destinationVaultArn,
            lifecycle: { deleteAfter },
          }))
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
        // AWS Backup's own role ("Creating a service role") trusts the service without source
        // keys, and AWS documents none for its AssumeRole: a condition could fail every job.
        assumeRolePolicy: serviceTrustPolicy("backup.amazonaws.com", {
          unconditionedBecause:
            "https://docs.aws.amazon.com/aws-backup/latest/devguide/iam-service-roles.html",
        }),
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
