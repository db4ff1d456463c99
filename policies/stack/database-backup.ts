import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { prop, refersTo, regionOf, unknown } from "../lib/stack";

export interface DatabaseBackupConfig {
  requireOffsiteCopy: boolean;
}

interface PlanRule {
  copyActions?: { destinationVaultArn?: string }[];
}

/** The region in a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>). */
const regionInArn = (arn: string | undefined) =>
  arn && arn !== unknown ? arn.split(":")[3] : undefined;

/**
 * Every database is selected by an AWS Backup plan of the stack; with `requireOffsiteCopy`, a
 * rule of that plan copies recovery points to a vault in another region.
 */
export const databaseBackup: StackValidationPolicy = {
  name: "stack-database-backup",
  description:
    "Backup & recovery 'database backups automated', 'offsite backup location': every RDS database is in an AWS Backup plan's selection; with requireOffsiteCopy (prod), the plan copies to a vault in another region.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { requireOffsiteCopy: { type: "boolean", default: true } },
  },
  validateStack: (args, report) => {
    const { requireOffsiteCopy } = args.getConfig<DatabaseBackupConfig>();
    const { resources } = args;
    const plans = resources.filter((r) => r.isType(aws.backup.Plan));
    const vaults = resources.filter((r) => r.isType(aws.backup.Vault));
    const selections = resources.filter((r) => r.isType(aws.backup.Selection));
    const databases = resources.filter(
      (r) =>
        (r.isType(aws.rds.Instance) && !prop(r, "replicateSourceDb")) || r.isType(aws.rds.Cluster),
    );

    const copiesOffsite = (plan: PolicyResource) => {
      const home = regionOf(plan);
      const rules = prop<PlanRule[]>(plan, "rules") ?? [];
      const copies = rules.flatMap((r) => r.copyActions ?? []);
      if (copies.some((c) => regionInArn(c.destinationVaultArn) !== undefined)) {
        return copies.some((c) => {
          const region = regionInArn(c.destinationVaultArn);
          return region !== undefined && region !== home;
        });
      }
      // ARNs not known yet (a preview): the vaults the rules refer to, by their providers' region.
      return (
        copies.length > 0 && vaults.some((v) => refersTo(plan, "rules", v) && regionOf(v) !== home)
      );
    };

    for (const database of databases) {
      const selected = selections.filter((s) => refersTo(s, "resources", database));
      const planned = plans.filter((p) => selected.some((s) => refersTo(s, "planId", p)));
      if (planned.length === 0) {
        report(
          `database ${database.name} is in no AWS Backup plan: add an aws.backup.Selection of ` +
            "a plan of this stack whose resources include the database's ARN.",
          database.urn,
        );
        continue;
      }
      if (requireOffsiteCopy && !planned.some(copiesOffsite)) {
        report(
          `database ${database.name}'s backups stay in one region: add copyActions to a plan ` +
            "rule with destinationVaultArn of a vault in another region (config " +
            "backupCopyRegion).",
          database.urn,
        );
      }
    }
  },
};
