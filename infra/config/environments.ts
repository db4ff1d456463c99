/**
 * The environments and the least each may run with. What an environment runs with is its stack
 * file (`Pulumi.<env>.yaml` sets every key whose value differs between environments); this file
 * only holds what a stack file may not go below. The policy pack asks the same minimums of the
 * resources (`policies/config/<env>.json`); test/infra/floors.test.ts keeps the two in step.
 */
import type { Floor } from "./setting";

export const environments = ["dev", "staging", "prod"] as const;
export type Environment = (typeof environments)[number];

/** Picks the environment; read before the others, whose floors depend on it. */
export const environmentKey = "environment";

export function isEnvironment(name: string): name is Environment {
  return (environments as readonly string[]).includes(name);
}

/**
 * The least a stack of the environment may set, by stack-file key: a number is a minimum, `true`
 * a switch that must stay on, a string the weakest allowed of the key's ordered choices
 * (`natGateways`: instance < single < perAz; `backupVaultLock`: none < governance < compliance;
 * `capacityProvider`: FARGATE_SPOT < FARGATE).
 */
export const environmentFloors: Record<Environment, Readonly<Record<string, Floor>>> = {
  dev: {
    azCount: 2,
    desiredCount: 1,
    natGateways: "instance",
    dbBackupRetentionDays: 1,
    backupDailyRetentionDays: 1,
    backupVaultLock: "none",
  },
  staging: {
    azCount: 2,
    desiredCount: 1,
    natGateways: "instance",
    dbBackupRetentionDays: 7,
    backupDailyRetentionDays: 7,
    backupVaultLock: "governance",
  },
  prod: {
    azCount: 3,
    // One task's failure never takes production down.
    desiredCount: 2,
    // A NAT instance is one machine the team patches and AWS does not fail over: production's
    // egress runs on AWS-managed NAT gateways.
    natGateways: "single",
    // Spot tasks can be reclaimed with two minutes' notice.
    capacityProvider: "FARGATE",
    deletionProtection: true,
    waf: true,
    dbMultiAz: true,
    dbDeletionProtection: true,
    dbFinalSnapshot: true,
    dbBackupRetentionDays: 35,
    backupDailyRetentionDays: 35,
    // Whoever can deploy must not be able to delete production's backups.
    backupVaultLock: "compliance",
  },
};

/**
 * Optional keys an environment requires, each with what its error adds after the expected value.
 * Only dev may run without a domain: CloudFront's default certificate accepts viewers down to
 * TLS 1.0 and, with no certificate on the load balancer, CloudFront reaches it over plain HTTP.
 */
const domainRequired =
  " in a public Route 53 zone (without one, viewers may use TLS 1.0 and CloudFront reaches the load balancer over HTTP)";
export const environmentRequires: Record<Environment, Readonly<Record<string, string>>> = {
  dev: {},
  staging: { domainName: domainRequired },
  // Production's backups are copied off-site.
  prod: { domainName: domainRequired, backupCopyRegion: "" },
};
