/**
 * The one place the program reads configuration. Every key is declared in `keys` below with its
 * type, its range and its default per environment; `loadConfig()` reads the stack's values, checks
 * them all, and either returns a typed `StackConfig` or throws one `ConfigError` listing every
 * problem — before any resource is declared, so a bad value never half-applies.
 */
import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { z } from "zod";
import { closest } from "./closest";
import { defaultRunbookBaseUrl, runbookBaseUrlMaxLength, runbookBaseUrlPattern } from "./alerts";
import {
  awsRegions,
  enhancedMonitoringIntervals,
  fargateMemoryByCpu,
  isNetworkAddress,
  lacksPerformanceInsights,
  logRetentionDays,
  minimumStorageCeiling,
  performanceInsightsUnsupported,
  postgresMajorVersions,
  windowMinutes,
  windowsOverlap,
} from "./aws-limits";
import { vaultLockModes, type VaultLockMode } from "./backup";
import { natStrategies, type NatStrategy } from "./network";
import { imagePlatforms, type ImagePlatform } from "./registry";
import { logLevels, type CapacityProvider, type LogLevel } from "./service";

export const environments = ["dev", "staging", "prod"] as const;
export type Environment = (typeof environments)[number];

/** The shape of `aws:region`'s value, for the backup copy region. */
const regionFormat = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
/** arn:<partition>:backup:<region>:<account>:backup-vault:<name> */
const backupVaultArnFormat =
  /^arn:aws[a-z-]*:backup:[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d:\d{12}:backup-vault:[A-Za-z0-9_-]{2,50}$/;
const backupWindowFormat = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const maintenanceWindowFormat =
  /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

/** The environment differences, side by side. A key a stack file leaves out takes this value. */
export const environmentDefaults = {
  dev: {
    vpcCidr: "10.30.0.0/16",
    azCount: 2,
    natGateways: "instance",
    flowLogRetentionDays: 7,
    logRetentionDays: 7,
    cpu: 256,
    memory: 512,
    desiredCount: 1,
    maxCount: 1,
    imagePlatform: "linux/arm64",
    imagesKept: 10,
    capacityProvider: "FARGATE_SPOT",
    logLevel: "debug",
    deletionProtection: false,
    albLogRetentionDays: 7,
    priceClass: "PriceClass_100",
    waf: false,
    wafRateLimit: 2000,
    wafLogRetentionDays: 7,
    cdnLogRetentionDays: 7,
    cdnAdditionalMetrics: false,
    dbInstanceClass: "db.t4g.micro",
    dbAllocatedStorageGb: 20,
    dbMultiAz: false,
    dbBackupRetentionDays: 1,
    dbEngineVersion: "17",
    dbMaxAllocatedStorageGb: 50,
    dbBackupWindow: "02:00-02:30",
    dbMaintenanceWindow: "sun:03:00-sun:03:30",
    dbDeletionProtection: false,
    dbFinalSnapshot: false,
    dbPerformanceInsights: false,
    dbMonitoringIntervalSeconds: 60,
    dbSlowQueryMs: 100,
    dbProxyMaxConnectionsPercent: 80,
    dbProxyMaxIdleConnectionsPercent: 25,
    backupDailyRetentionDays: 7,
    backupWeeklyRetentionDays: 14,
    backupVaultLock: "none",
    backupVaultLockChangeableDays: 7,
  },
  staging: {
    vpcCidr: "10.10.0.0/16",
    azCount: 2,
    natGateways: "instance",
    flowLogRetentionDays: 30,
    logRetentionDays: 30,
    cpu: 256,
    memory: 512,
    desiredCount: 1,
    maxCount: 2,
    imagePlatform: "linux/arm64",
    imagesKept: 20,
    capacityProvider: "FARGATE_SPOT",
    logLevel: "info",
    deletionProtection: false,
    albLogRetentionDays: 30,
    priceClass: "PriceClass_100",
    waf: true,
    wafRateLimit: 2000,
    wafLogRetentionDays: 30,
    cdnLogRetentionDays: 30,
    cdnAdditionalMetrics: false,
    dbInstanceClass: "db.t4g.micro",
    dbAllocatedStorageGb: 20,
    dbMultiAz: false,
    dbBackupRetentionDays: 7,
    dbEngineVersion: "17",
    dbMaxAllocatedStorageGb: 50,
    dbBackupWindow: "02:00-02:30",
    dbMaintenanceWindow: "sun:03:00-sun:03:30",
    dbDeletionProtection: false,
    dbFinalSnapshot: false,
    dbPerformanceInsights: false,
    dbMonitoringIntervalSeconds: 60,
    dbSlowQueryMs: 250,
    dbProxyMaxConnectionsPercent: 80,
    dbProxyMaxIdleConnectionsPercent: 25,
    backupDailyRetentionDays: 14,
    backupWeeklyRetentionDays: 35,
    backupVaultLock: "governance",
    backupVaultLockChangeableDays: 7,
  },
  prod: {
    vpcCidr: "10.20.0.0/16",
    azCount: 3,
    natGateways: "perAz",
    flowLogRetentionDays: 365,
    logRetentionDays: 90,
    cpu: 512,
    memory: 1024,
    desiredCount: 2,
    maxCount: 6,
    imagePlatform: "linux/arm64",
    imagesKept: 50,
    capacityProvider: "FARGATE",
    logLevel: "info",
    deletionProtection: true,
    albLogRetentionDays: 90,
    priceClass: "PriceClass_All",
    waf: true,
    wafRateLimit: 2000,
    wafLogRetentionDays: 365,
    cdnLogRetentionDays: 90,
    cdnAdditionalMetrics: true,
    dbInstanceClass: "db.t4g.medium",
    dbAllocatedStorageGb: 50,
    dbMultiAz: true,
    dbBackupRetentionDays: 35,
    dbEngineVersion: "17",
    dbMaxAllocatedStorageGb: 200,
    dbBackupWindow: "02:00-02:30",
    dbMaintenanceWindow: "sun:03:00-sun:03:30",
    dbDeletionProtection: true,
    dbFinalSnapshot: true,
    dbPerformanceInsights: true,
    dbMonitoringIntervalSeconds: 15,
    dbSlowQueryMs: 500,
    dbProxyMaxConnectionsPercent: 90,
    dbProxyMaxIdleConnectionsPercent: 50,
    backupDailyRetentionDays: 35,
    backupWeeklyRetentionDays: 365,
    backupVaultLock: "compliance",
    backupVaultLockChangeableDays: 7,
  },
} as const satisfies Record<Environment, Record<string, string | number | boolean>>;

/**
 * How the private subnets reach the internet, from least to most available: one NAT instance
 * (an EC2 machine, a few dollars a month), one shared NAT gateway, a NAT gateway per AZ.
 */

/** The least an environment may run with, whatever its stack file says. */
export const environmentFloors = {
  dev: {
    azCount: 2,
    desiredCount: 1,
    dbBackupRetentionDays: 1,
    backupDailyRetentionDays: 1,
    natGateways: "instance",
    backupVaultLock: "none",
  },
  staging: {
    azCount: 2,
    desiredCount: 1,
    dbBackupRetentionDays: 7,
    backupDailyRetentionDays: 7,
    natGateways: "instance",
    backupVaultLock: "governance",
  },
  // A NAT instance is one machine the team patches and AWS does not fail over: production's
  // egress runs on AWS-managed NAT gateways.
  prod: {
    azCount: 3,
    desiredCount: 2,
    dbBackupRetentionDays: 35,
    backupDailyRetentionDays: 35,
    natGateways: "single",
    // Whoever can deploy must not be able to delete production's backups.
    backupVaultLock: "compliance",
  },
} as const satisfies Record<Environment, Record<string, number | NatStrategy | VaultLockMode>>;

/** The vault lock modes at or above the environment's floor. */
const vaultLockModesFor = (env: Environment) =>
  vaultLockModes.slice(vaultLockModes.indexOf(environmentFloors[env].backupVaultLock));

/** The NAT strategies at or above the environment's floor. */
const natStrategiesFor = (env: Environment) =>
  natStrategies.slice(natStrategies.indexOf(environmentFloors[env].natGateways));

/** CloudFront price classes: the edge locations a distribution uses, cheapest regions first. */
export const priceClasses = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof priceClasses)[number];

export interface StackConfig {
  environment: Environment;
  project: string;
  stack: string;
  region: string;
  /** The one AWS account this stack may change; the provider refuses credentials of another. */
  accountId: string;
  /** Applied to every taggable resource through the AWS provider's default tags. */
  tags: Record<string, string>;
  alerting: {
    /** Subscribed to the team topic, and to the page topic when there is no paging endpoint. */
    emails: string[];
    /** The paging service's HTTPS endpoint (a secret). */
    pagingEndpoint?: pulumi.Output<string>;
    runbookBaseUrl: string;
  };
  /**
   * Unset: the service is reached on the CDN's AWS domain name (`*.cloudfront.net`). Required in
   * prod: `loadConfig` reports a prod stack without it as a problem of `domainName`.
   */
  domainName?: string;
  network: {
    cidrBlock: string;
    azCount: number;
    natGateways: NatStrategy;
    flowLogRetentionDays: number;
  };
  service: {
    containerPort: number;
    cpu: number;
    memory: number;
    desiredCount: number;
    maxCount: number;
    logRetentionDays: number;
    /** Where the build runs the image and so the task's CPU architecture. */
    imagePlatform: ImagePlatform;
    /** The git commit the image is tagged with (see `resolveImageTag`). */
    imageTag: string;
    /**
     * The digest of an image already in this stack's repository under `imageTag` (promoted from
     * staging, which built and tested it): run it instead of building one. Unset: build.
     */
    imageDigest?: string;
    imagesKept: number;
    capacityProvider: CapacityProvider;
    logLevel: LogLevel;
    /** Feature flag name (camelCase) -> on/off; each becomes a `FEATURE_*` variable. */
    features: Record<string, boolean>;
  };
  /** Load balancer deletion protection; the image repository and log bucket kept unless empty. */
  deletionProtection: boolean;
  loadBalancer: {
    accessLogRetentionDays: number;
    /** With `domainName`: the public Route 53 zone that validates its certificate. */
    hostedZoneName?: string;
  };
  cdn: {
    priceClass: PriceClass;
    /** A WAF web ACL on the distribution; always on in prod. */
    waf: boolean;
    /** Requests one client IP may make in any 5 minutes before the WAF blocks it. */
    wafRateLimit: number;
    wafLogRetentionDays: number;
    accessLogRetentionDays: number;
    /** CloudFront's additional metrics (a monitoring subscription), for the cache hit rate. */
    additionalMetrics: boolean;
  };
  database: {
    instanceClass: string;
    allocatedStorageGb: number;
    multiAz: boolean;
    backupRetentionDays: number;
    engineVersion: string;
    maxAllocatedStorageGb: number;
    backupWindow: string;
    maintenanceWindow: string;
    deletionProtection: boolean;
    finalSnapshot: boolean;
    performanceInsights: boolean;
    monitoringIntervalSeconds: number;
    slowQueryMs: number;
    proxyMaxConnectionsPercent: number;
    proxyMaxIdleConnectionsPercent: number;
  };
  backup: {
    dailyRetentionDays: number;
    weeklyRetentionDays: number;
    /** Unset outside prod: no off-site copy. */
    copyRegion?: string;
    /** A vault in a separate backup account every recovery point is copied to. */
    copyVaultArn?: string;
    vaultLock: VaultLockMode;
    vaultLockChangeableDays: number;
  };
}

/** One bad or missing value: the full key (`acme:azCount`), if one is to blame, and what is wrong. */
export interface ConfigProblem {
  key?: string;
  /** Follows the key: `must be 3, got "5"`. */
  message: string;
}

/**
 * One line per problem, each starting with where the value came from: `where(key)` names the
 * file (or, offline, the command line) that set it.
 */
export function formatProblems(
  problems: ConfigProblem[],
  where: (key: string | undefined) => string,
): string {
  return problems
    .map(({ key, message }) => `${where(key)}: ${key ? `${key} ` : ""}${message}`)
    .join("\n");
}

/**
 * Thrown for any bad or missing value; the CLI prints its message without a stack trace. The
 * message blames the stack file, where `pulumi config set` and `pulumi up -c` store every value.
 */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(formatProblems(problems, () => file));
    this.name = "ConfigError";
  }
}

interface KeySpec {
  description: string;
  /** What a valid value looks like, as the error message says it. */
  expected: (env: Environment) => string;
  schema: (env: Environment) => z.ZodType<unknown, string>;
  /** Undefined: the key is required (or, with `optional`, may be left out). */
  default?: (env: Environment) => string | number | boolean;
  optional?: boolean;
}

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\s*-?\d+\s*$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const oneOfNumbers = (allowed: readonly number[]) =>
  z
    .string()
    .regex(/^\s*\d+\s*$/)
    .transform(Number)
    .refine((n) => allowed.includes(n));

const boolean = z.enum(["true", "false"]).transform((v) => v === "true");

/** A safety switch production must keep on; other environments may turn it off. */
const onInProd = (env: Environment) =>
  env === "prod" ? z.literal("true").transform(() => true) : boolean;

const fromDefaults =
  <K extends keyof (typeof environmentDefaults)["prod"]>(key: K) =>
  (env: Environment) =>
    environmentDefaults[env][key];

/** Every key of the project's namespace. docs/configuration.md's config table lists the same keys. */
export const keys = {
  accountId: {
    description: "AWS account the stack deploys to; credentials of any other account are refused",
    expected: () => 'a 12-digit AWS account id, quoted in YAML ("012345678901")',
    schema: () => z.string().regex(/^\d{12}$/),
  },
  owner: {
    description: "Team accountable for the stack (tag `owner`)",
    expected: () => "a non-empty string",
    schema: () => z.string().trim().min(1).max(256),
  },
  costCenter: {
    description: "Cost allocation code (tag `cost-center`)",
    expected: () => "a non-empty string",
    schema: () => z.string().trim().min(1).max(256),
  },
  alertEmail: {
    description:
      "Team addresses subscribed to the team alert topic (and the page topic without `pagingEndpoint`)",
    expected: () => "one or more email addresses, comma-separated",
    schema: () =>
      z
        .string()
        .transform((text) => text.split(",").map((address) => address.trim()))
        .pipe(z.array(z.email()).min(1)),
  },
  pagingEndpoint: {
    description:
      "HTTPS endpoint of the paging service on the page topic; a secret (`pulumi config set --secret`); unset: the page topic e-mails `alertEmail`",
    expected: () => "an https:// URL",
    schema: () =>
      z
        .string()
        .trim()
        .pipe(z.url({ protocol: /^https$/ })),
    optional: true,
  },
  runbookBaseUrl: {
    description:
      "Where alarms link the runbooks, as `<url>/<page>.md#<section>`; a fork sets its own",
    expected: () =>
      `an https:// URL of at most ${runbookBaseUrlMaxLength} characters without a trailing slash`,
    // Alert texts carry it into fields of at most 512 characters (alerts.ts).
    schema: () => z.string().max(runbookBaseUrlMaxLength).regex(runbookBaseUrlPattern),
    default: () => defaultRunbookBaseUrl,
  },
  domainName: {
    description:
      "Public host name of the service (CDN and certificates); unset uses CloudFront's name; required in prod",
    expected: () => "a lower-case DNS name such as app.example.com",
    schema: () =>
      z.string().regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/),
    optional: true,
  },
  vpcCidr: {
    description: "VPC IPv4 range; subnets are carved from it",
    expected: () => "an IPv4 CIDR block from /16 to /20, such as 10.10.0.0/16",
    schema: () =>
      z
        .string()
        .pipe(z.cidrv4())
        .refine((cidr) => {
          const prefix = Number(cidr.split("/")[1]);
          return prefix >= 16 && prefix <= 20 && isNetworkAddress(cidr);
        }),
    default: fromDefaults("vpcCidr"),
  },
  azCount: {
    description: "Availability zones the VPC spans",
    expected: (env) =>
      environmentFloors[env].azCount === 3
        ? "3"
        : `an integer from ${environmentFloors[env].azCount} to 3`,
    schema: (env) => integer(environmentFloors[env].azCount, 3),
    default: fromDefaults("azCount"),
  },
  natGateways: {
    description:
      "`instance`: one NAT instance (t4g.nano, non-prod); `single` shared NAT gateway; `perAz` (one per AZ, survives an AZ outage)",
    expected: (env) =>
      `one of ${natStrategiesFor(env)
        .map((s) => `"${s}"`)
        .join(", ")}` +
      (natStrategiesFor(env).includes("instance") ? "" : ` (no NAT instance in ${env})`),
    schema: (env) => z.enum(natStrategiesFor(env)),
    default: fromDefaults("natGateways"),
  },
  flowLogRetentionDays: {
    description: "Days VPC flow logs are kept",
    expected: () => `one of CloudWatch's retention periods (${logRetentionDays.join(", ")})`,
    schema: () => oneOfNumbers(logRetentionDays),
    default: fromDefaults("flowLogRetentionDays"),
  },
  logRetentionDays: {
    description: "Days application and database logs are kept",
    expected: () => `one of CloudWatch's retention periods (${logRetentionDays.join(", ")})`,
    schema: () => oneOfNumbers(logRetentionDays),
    default: fromDefaults("logRetentionDays"),
  },
  containerPort: {
    description: "Port the container listens on (unprivileged, the image runs as non-root)",
    expected: () => "an integer from 1024 to 65535",
    schema: () => integer(1024, 65535),
    default: () => 8080,
  },
  cpu: {
    description: "Fargate task CPU units",
    expected: () => `one of ${Object.keys(fargateMemoryByCpu).join(", ")}`,
    schema: () => oneOfNumbers(Object.keys(fargateMemoryByCpu).map(Number)),
    default: fromDefaults("cpu"),
  },
  memory: {
    description: "Fargate task memory (MiB); must suit `cpu`",
    expected: () => "an integer number of MiB that Fargate allows for the chosen cpu",
    schema: () => integer(512, 30720),
    default: fromDefaults("memory"),
  },
  desiredCount: {
    description: "Tasks running normally (and the autoscaling minimum)",
    expected: (env) => `an integer >= ${environmentFloors[env].desiredCount}`,
    schema: (env) => integer(environmentFloors[env].desiredCount, 100),
    default: fromDefaults("desiredCount"),
  },
  maxCount: {
    description: "Autoscaling maximum; at least `desiredCount`",
    expected: () => "an integer from 1 to 100",
    schema: () => integer(1, 100),
    default: fromDefaults("maxCount"),
  },
  imagePlatform: {
    description: "Platform the image is built for; the tasks run on its CPU architecture",
    expected: () => `one of ${imagePlatforms.map((p) => `"${p}"`).join(", ")}`,
    schema: () => z.enum(imagePlatforms),
    default: fromDefaults("imagePlatform"),
  },
  imageTag: {
    description: "Image tag; unset: GITHUB_SHA, else the checkout's git commit",
    expected: () => 'an ECR tag (letters, digits, "_", ".", "-"; at most 128) other than "latest"',
    schema: () =>
      z
        .string()
        .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/)
        .refine((tag) => tag !== "latest"),
    optional: true,
  },
  imageDigest: {
    description:
      "Digest of the image in the stack's repository to run instead of building one (deploy.yml promotes staging's)",
    expected: () => 'an image digest, "sha256:" and 64 lower-case hex digits',
    schema: () => z.string().regex(/^sha256:[0-9a-f]{64}$/),
    optional: true,
  },
  imagesKept: {
    description: "Images the ECR repository keeps (newest first); older ones expire",
    expected: () => "an integer from 1 to 1000",
    schema: () => integer(1, 1000),
    default: fromDefaults("imagesKept"),
  },
  capacityProvider: {
    description: "`FARGATE_SPOT` (about 70% cheaper, may be interrupted) or `FARGATE`",
    // Spot tasks can be reclaimed with two minutes' notice: production runs on regular Fargate.
    expected: (env) => (env === "prod" ? '"FARGATE"' : 'one of "FARGATE", "FARGATE_SPOT"'),
    schema: (env) => (env === "prod" ? z.literal("FARGATE") : z.enum(["FARGATE", "FARGATE_SPOT"])),
    default: fromDefaults("capacityProvider"),
  },
  logLevel: {
    description: "The service's `LOG_LEVEL`",
    expected: () => `one of ${logLevels.join(", ")}`,
    schema: () => z.enum(logLevels),
    default: fromDefaults("logLevel"),
  },
  features: {
    description: "Feature flags, `{name: true|false}`; each becomes `FEATURE_<NAME>`",
    expected: () => "a map of camelCase flag names to true or false, such as {newEditor: true}",
    schema: () =>
      z
        .string()
        .transform((text, ctx) => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            ctx.addIssue({ code: "custom", message: "not JSON" });
            return z.NEVER;
          }
        })
        .pipe(z.record(z.string().regex(/^[a-z][A-Za-z0-9]{0,62}$/), z.boolean())),
    optional: true,
  },
  hostedZoneName: {
    description:
      "Public Route 53 zone holding `domainName` (validates its certificate); unset: its parent",
    expected: () => "a lower-case DNS name that `domainName` ends with, such as example.com",
    schema: () =>
      z.string().regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/),
    optional: true,
  },
  deletionProtection: {
    description:
      "Refuse to delete the load balancer, and the image repository and log bucket while not empty",
    expected: (env) => (env === "prod" ? "true" : "true or false"),
    schema: onInProd,
    default: fromDefaults("deletionProtection"),
  },
  albLogRetentionDays: {
    description: "Days load balancer access logs are kept in S3",
    expected: () => "an integer from 1 to 3650",
    schema: () => integer(1, 3650),
    default: fromDefaults("albLogRetentionDays"),
  },
  priceClass: {
    description:
      "CloudFront price class: edge locations in North America and Europe (`_100`), plus Asia, Middle East and Africa (`_200`), or all",
    expected: () => `one of ${priceClasses.join(", ")}`,
    schema: () => z.enum(priceClasses),
    default: fromDefaults("priceClass"),
  },
  waf: {
    description:
      "AWS WAF on the CDN: AWS managed common and known-bad-input rules and a per-IP rate limit",
    expected: (env) =>
      env === "prod" ? "true (production is always behind the WAF)" : "true or false",
    schema: onInProd,
    default: fromDefaults("waf"),
  },
  wafRateLimit: {
    description: "Requests one client IP may make in any 5 minutes before the WAF blocks it",
    expected: () => "an integer from 100 to 2000000000",
    schema: () => integer(100, 2_000_000_000),
    default: fromDefaults("wafRateLimit"),
  },
  wafLogRetentionDays: {
    description: "Days WAF logs (in CloudWatch Logs, us-east-1) are kept",
    expected: () => `one of CloudWatch's retention periods (${logRetentionDays.join(", ")})`,
    schema: () => oneOfNumbers(logRetentionDays),
    default: fromDefaults("wafLogRetentionDays"),
  },
  cdnLogRetentionDays: {
    description: "Days CloudFront access logs are kept in S3",
    expected: () => "an integer from 1 to 3650",
    schema: () => integer(1, 3650),
    default: fromDefaults("cdnLogRetentionDays"),
  },
  cdnAdditionalMetrics: {
    description:
      "CloudFront's additional metrics (cache hit rate, origin latency, errors by status): about $2.40 a month per distribution",
    expected: () => "true or false",
    schema: () => boolean,
    default: fromDefaults("cdnAdditionalMetrics"),
  },
  dbInstanceClass: {
    description: "RDS PostgreSQL instance class",
    expected: () => "an RDS instance class such as db.t4g.micro",
    schema: () => z.string().regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/),
    default: fromDefaults("dbInstanceClass"),
  },
  dbAllocatedStorageGb: {
    description: "Initial database storage (GiB); autoscaling may grow it",
    expected: () => "an integer from 20 to 65536",
    schema: () => integer(20, 65536),
    default: fromDefaults("dbAllocatedStorageGb"),
  },
  dbMultiAz: {
    description: "Standby database in a second AZ",
    expected: () => "true or false",
    schema: () => boolean,
    default: fromDefaults("dbMultiAz"),
  },
  dbBackupRetentionDays: {
    description: "Days of automated backups (point-in-time recovery window)",
    expected: (env) => `an integer from ${environmentFloors[env].dbBackupRetentionDays} to 35`,
    schema: (env) => integer(environmentFloors[env].dbBackupRetentionDays, 35),
    default: fromDefaults("dbBackupRetentionDays"),
  },
  dbEngineVersion: {
    description: "PostgreSQL major version; minor versions upgrade automatically",
    expected: () => `one of ${postgresMajorVersions.map((v) => `"${v}"`).join(", ")}`,
    schema: () => z.enum(postgresMajorVersions),
    default: fromDefaults("dbEngineVersion"),
  },
  dbMaxAllocatedStorageGb: {
    description: "Storage autoscaling ceiling (GiB)",
    expected: () => "an integer from 22 to 65536, at least 10% above dbAllocatedStorageGb",
    schema: () => integer(22, 65536),
    default: fromDefaults("dbMaxAllocatedStorageGb"),
  },
  dbBackupWindow: {
    description: "Daily automated-backup window (UTC), at least 30 minutes",
    expected: () => 'a UTC window "hh:mm-hh:mm" of at least 30 minutes, such as "02:00-02:30"',
    schema: () =>
      z
        .string()
        .regex(backupWindowFormat)
        .refine((w) => windowMinutes(w) >= 30),
    default: fromDefaults("dbBackupWindow"),
  },
  dbMaintenanceWindow: {
    description: "Weekly maintenance window (UTC); must not overlap the backup window",
    expected: () =>
      'a UTC window "ddd:hh:mm-ddd:hh:mm" of at least 30 minutes, such as "sun:03:00-sun:03:30"',
    schema: () =>
      z
        .string()
        .regex(maintenanceWindowFormat)
        .refine((w) => windowMinutes(w) >= 30),
    default: fromDefaults("dbMaintenanceWindow"),
  },
  dbDeletionProtection: {
    description: "RDS deletion protection and Pulumi `protect` on the database",
    expected: (env) => (env === "prod" ? "true (production data is protected)" : "true or false"),
    schema: onInProd,
    default: fromDefaults("dbDeletionProtection"),
  },
  dbFinalSnapshot: {
    description: "Snapshot the database when it is deleted",
    expected: (env) => (env === "prod" ? "true (production data is kept)" : "true or false"),
    schema: onInProd,
    default: fromDefaults("dbFinalSnapshot"),
  },
  dbPerformanceInsights: {
    description: "Performance Insights (7 days, free tier); not on micro/small classes",
    expected: () => "true or false",
    schema: () => boolean,
    default: fromDefaults("dbPerformanceInsights"),
  },
  dbMonitoringIntervalSeconds: {
    description: "Enhanced Monitoring interval; 0 turns it off",
    expected: () => `one of ${enhancedMonitoringIntervals.join(", ")}`,
    schema: () => oneOfNumbers(enhancedMonitoringIntervals),
    default: fromDefaults("dbMonitoringIntervalSeconds"),
  },
  dbSlowQueryMs: {
    description: "Statements slower than this are logged (`log_min_duration_statement`, ms)",
    expected: () => "an integer from 0 to 600000",
    schema: () => integer(0, 600000),
    default: fromDefaults("dbSlowQueryMs"),
  },
  dbProxyMaxConnectionsPercent: {
    description: "Share of the database's `max_connections` RDS Proxy may open",
    expected: () => "an integer from 1 to 100",
    schema: () => integer(1, 100),
    default: fromDefaults("dbProxyMaxConnectionsPercent"),
  },
  dbProxyMaxIdleConnectionsPercent: {
    description: "Share of `max_connections` the proxy keeps open while idle",
    expected: () => "an integer from 0 to 100, at most dbProxyMaxConnectionsPercent",
    schema: () => integer(0, 100),
    default: fromDefaults("dbProxyMaxIdleConnectionsPercent"),
  },
  backupDailyRetentionDays: {
    description: "Days AWS Backup keeps each daily recovery point",
    expected: (env) =>
      `an integer from ${environmentFloors[env].backupDailyRetentionDays} to 36500`,
    schema: (env) => integer(environmentFloors[env].backupDailyRetentionDays, 36500),
    default: fromDefaults("backupDailyRetentionDays"),
  },
  backupWeeklyRetentionDays: {
    description: "Days AWS Backup keeps each weekly recovery point",
    expected: () => "an integer from 7 to 36500, at least backupDailyRetentionDays",
    schema: () => integer(7, 36500),
    default: fromDefaults("backupWeeklyRetentionDays"),
  },
  backupCopyRegion: {
    description: "Second region AWS Backup copies recovery points to; required in prod",
    expected: () => "an AWS region other than aws:region, such as eu-central-1",
    schema: () => z.string().regex(regionFormat),
    optional: true,
  },
  backupCopyVaultArn: {
    description:
      "Vault in a separate backup account every recovery point is also copied to (its policy must admit this account)",
    expected: () =>
      "a backup vault ARN in another account, such as arn:aws:backup:eu-west-1:444444444444:backup-vault:acme-prod",
    schema: () => z.string().regex(backupVaultArnFormat),
    optional: true,
  },
  backupVaultLock: {
    description:
      "AWS Backup Vault Lock: `compliance` (immutable after the cooling-off period), `governance` (removable with IAM permission), or `none`",
    expected: (env) =>
      `one of ${vaultLockModesFor(env)
        .map((m) => `"${m}"`)
        .join(", ")}`,
    schema: (env) => z.enum(vaultLockModesFor(env)),
    default: fromDefaults("backupVaultLock"),
  },
  backupVaultLockChangeableDays: {
    description:
      "Compliance lock's cooling-off period: days the lock can still be removed, after which nobody can",
    expected: () => "an integer from 3 to 36500",
    schema: () => integer(3, 36500),
    default: fromDefaults("backupVaultLockChangeableDays"),
  },
} satisfies Record<string, KeySpec>;

type Key = keyof typeof keys;

/** Picks the environment; read before the others, whose defaults depend on it. */
export const environmentKey = "environment";

/** The parsed value of every key. */
interface Values {
  accountId: string;
  owner: string;
  costCenter: string;
  alertEmail: string[];
  pagingEndpoint?: string;
  runbookBaseUrl: string;
  domainName?: string;
  vpcCidr: string;
  azCount: number;
  natGateways: NatStrategy;
  flowLogRetentionDays: number;
  logRetentionDays: number;
  containerPort: number;
  cpu: number;
  memory: number;
  desiredCount: number;
  maxCount: number;
  imagePlatform: ImagePlatform;
  imageTag?: string;
  imageDigest?: string;
  imagesKept: number;
  capacityProvider: CapacityProvider;
  logLevel: LogLevel;
  features?: Record<string, boolean>;
  hostedZoneName?: string;
  deletionProtection: boolean;
  albLogRetentionDays: number;
  priceClass: PriceClass;
  waf: boolean;
  wafRateLimit: number;
  wafLogRetentionDays: number;
  cdnLogRetentionDays: number;
  cdnAdditionalMetrics: boolean;
  dbInstanceClass: string;
  dbAllocatedStorageGb: number;
  dbMultiAz: boolean;
  dbBackupRetentionDays: number;
  dbEngineVersion: string;
  dbMaxAllocatedStorageGb: number;
  dbBackupWindow: string;
  dbMaintenanceWindow: string;
  dbDeletionProtection: boolean;
  dbFinalSnapshot: boolean;
  dbPerformanceInsights: boolean;
  dbMonitoringIntervalSeconds: number;
  dbSlowQueryMs: number;
  dbProxyMaxConnectionsPercent: number;
  dbProxyMaxIdleConnectionsPercent: number;
  backupDailyRetentionDays: number;
  backupWeeklyRetentionDays: number;
  backupCopyRegion?: string;
  backupCopyVaultArn?: string;
  backupVaultLock: VaultLockMode;
  backupVaultLockChangeableDays: number;
}

/**
 * `<project>-<stack>` starts every name the stacks choose for a resource that must be unique in
 * the account: RDS instance and proxy identifiers, final snapshots, KMS aliases, alarm, log
 * group, WAF, CloudFront policy and log-delivery names. It must satisfy the strictest of them:
 * - RDS identifiers: lowercase letters, digits and hyphens, a letter first, no two hyphens in a
 *   row and none last (terraform-provider-aws `validIdentifier`,
 *   internal/service/rds/validate.go; RDS CreateDBInstance's DBInstanceIdentifier);
 * - CloudWatch Logs delivery destinations: at most 60 characters (PutDeliveryDestination), for
 *   `<project>-<stack>-cdn-logs`, so at most 51 for the prefix.
 */
export const namePrefixRule = {
  pattern: /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/,
  maxLength: 51,
  text: "lowercase letters, digits and single hyphens, starting with a letter",
} as const;

/** What is wrong with the project's name for this stack, as one line; undefined if nothing. */
export function projectNameProblem(project: string, stack: string): string | undefined {
  const prefix = `${project}-${stack}`;
  const rule = namePrefixRule;
  if (!rule.pattern.test(project)) {
    return `name must be ${rule.text} (it starts RDS identifiers and other AWS names), got "${project}"`;
  }
  if (!rule.pattern.test(prefix)) {
    return `the stack name must be ${rule.text} (with the project's name it starts AWS names), got "${stack}"`;
  }
  if (prefix.length > rule.maxLength) {
    return (
      `name "${project}" is too long: "${prefix}" (the project and stack names) must be at ` +
      `most ${rule.maxLength} characters, it starts AWS names of at most 60, got ${prefix.length}`
    );
  }
  return undefined;
}

/**
 * Reads and checks the current stack's configuration. Throws a `ConfigError` that names each bad
 * key, the stack file it belongs in, and what is expected.
 */
export function loadConfig(): StackConfig {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const file = `Pulumi.${stack}.yaml`;
  const nameProblem = projectNameProblem(project, stack);
  if (nameProblem) throw new ConfigError("Pulumi.yaml", [{ message: nameProblem }]);

  const env = environmentOf(project, stack, file);
  const all = Object.keys(pulumi.runtime.allConfig());
  if (!all.some((k) => k.startsWith(`${project}:`) || k === "aws:region")) {
    // A stack without a file (`pulumi stack init` alone) would otherwise get one line per key.
    throw new ConfigError(file, [
      {
        message:
          `sets none of the ${project}: keys nor aws:region (is the file missing or empty?); ` +
          `start from a copy of Pulumi.staging.yaml`,
      },
    ]);
  }
  const problems: ConfigProblem[] = [];
  const values: Partial<Record<Key, unknown>> = {};

  const raw = new pulumi.Config(project);
  for (const [key, spec] of Object.entries(keys) as [Key, KeySpec][]) {
    const full = `${project}:${key}`;
    const text = raw.get(key);
    // An optional key set to "" (`pulumi config set domainName ""`) means the same as unset.
    if (text === undefined || (spec.optional && text.trim() === "")) {
      if (spec.default) values[key] = spec.default(env);
      else if (!spec.optional)
        problems.push({ key: full, message: `is required: ${spec.expected(env)}` });
      continue;
    }
    const parsed = spec.schema(env).safeParse(text);
    if (parsed.success) values[key] = parsed.data;
    else problems.push({ key: full, message: `must be ${spec.expected(env)}, got "${text}"` });
  }
  problems.push(...unknownKeys(project));

  const region = new pulumi.Config("aws").get("region");
  if (region === undefined) {
    problems.push({ key: "aws:region", message: "is required: an AWS region such as eu-west-1" });
  } else if (!awsRegions.includes(region)) {
    const near = closest(region, awsRegions);
    problems.push({
      key: "aws:region",
      message:
        `must be a region the AWS provider knows, such as eu-west-1, got "${region}"` +
        (near ? `; did you mean ${near}?` : ""),
    });
  }

  const { cpu, memory, desiredCount: desired, maxCount: max } = values as Partial<Values>;
  if (cpu !== undefined && memory !== undefined && !fargateMemoryByCpu[cpu]?.includes(memory)) {
    problems.push({
      key: `${project}:memory`,
      message:
        `must be one of ${fargateMemoryByCpu[cpu].join(", ")} ` +
        `for ${project}:cpu ${cpu}, got "${memory}"`,
    });
  }
  if (desired !== undefined && max !== undefined && max < desired) {
    problems.push({
      key: `${project}:maxCount`,
      message: `must be >= ${project}:desiredCount (${desired}), got "${max}"`,
    });
  }

  const { domainName } = values as Partial<Values>;
  // Without a domain, CloudFront's default certificate accepts viewers down to TLS 1.0 and the
  // load balancer has no certificate, so CloudFront reaches it over plain HTTP.
  if (env === "prod" && domainName === undefined) {
    problems.push({
      key: `${project}:domainName`,
      message:
        `is required in prod: ${keys.domainName.expected()} in a public Route 53 zone ` +
        `(without one, viewers may use TLS 1.0 and CloudFront reaches the load balancer over HTTP)`,
    });
  }
  // app.example.com sits in example.com; an apex such as example.com is its own zone.
  const hostedZoneName =
    (values as Partial<Values>).hostedZoneName ??
    (domainName && domainName.split(".").length > 2
      ? domainName.slice(domainName.indexOf(".") + 1)
      : domainName);
  if (
    hostedZoneName !== undefined &&
    !(domainName === hostedZoneName || domainName?.endsWith(`.${hostedZoneName}`))
  ) {
    problems.push({
      key: `${project}:hostedZoneName`,
      message: `must be a zone that ${project}:domainName (${domainName}) ends with, got "${hostedZoneName}"`,
    });
  }

  let imageTag = (values as Partial<Values>).imageTag;
  if (imageTag === undefined) {
    try {
      imageTag = resolveImageTag(process.env, git, programRoot);
    } catch (err) {
      problems.push({
        key: `${project}:imageTag`,
        message: `is required here: ${(err as Error).message}`,
      });
    }
  }

  problems.push(...databaseProblems(values as Partial<Values>, env, region, project));

  if (problems.length > 0) throw new ConfigError(file, problems);

  const v = values as unknown as Values;
  return {
    environment: env,
    project,
    stack,
    region: region!,
    accountId: v.accountId,
    tags: {
      environment: env,
      project,
      "managed-by": "pulumi",
      owner: v.owner,
      "cost-center": v.costCenter,
    },
    alerting: {
      emails: v.alertEmail,
      pagingEndpoint: v.pagingEndpoint === undefined ? undefined : pulumi.secret(v.pagingEndpoint),
      runbookBaseUrl: v.runbookBaseUrl,
    },
    domainName: v.domainName,
    network: {
      cidrBlock: v.vpcCidr,
      azCount: v.azCount,
      natGateways: v.natGateways,
      flowLogRetentionDays: v.flowLogRetentionDays,
    },
    service: {
      containerPort: v.containerPort,
      cpu: v.cpu,
      memory: v.memory,
      desiredCount: v.desiredCount,
      maxCount: v.maxCount,
      logRetentionDays: v.logRetentionDays,
      imagePlatform: v.imagePlatform,
      imageTag: imageTag!,
      imageDigest: v.imageDigest,
      imagesKept: v.imagesKept,
      capacityProvider: v.capacityProvider,
      logLevel: v.logLevel,
      features: v.features ?? {},
    },
    deletionProtection: v.deletionProtection,
    loadBalancer: {
      accessLogRetentionDays: v.albLogRetentionDays,
      hostedZoneName,
    },
    cdn: {
      priceClass: v.priceClass,
      waf: v.waf,
      wafRateLimit: v.wafRateLimit,
      wafLogRetentionDays: v.wafLogRetentionDays,
      accessLogRetentionDays: v.cdnLogRetentionDays,
      additionalMetrics: v.cdnAdditionalMetrics,
    },
    database: {
      instanceClass: v.dbInstanceClass,
      allocatedStorageGb: v.dbAllocatedStorageGb,
      multiAz: v.dbMultiAz,
      backupRetentionDays: v.dbBackupRetentionDays,
      engineVersion: v.dbEngineVersion,
      maxAllocatedStorageGb: v.dbMaxAllocatedStorageGb,
      backupWindow: v.dbBackupWindow,
      maintenanceWindow: v.dbMaintenanceWindow,
      deletionProtection: v.dbDeletionProtection,
      finalSnapshot: v.dbFinalSnapshot,
      performanceInsights: v.dbPerformanceInsights,
      monitoringIntervalSeconds: v.dbMonitoringIntervalSeconds,
      slowQueryMs: v.dbSlowQueryMs,
      proxyMaxConnectionsPercent: v.dbProxyMaxConnectionsPercent,
      proxyMaxIdleConnectionsPercent: v.dbProxyMaxIdleConnectionsPercent,
    },
    backup: {
      dailyRetentionDays: v.backupDailyRetentionDays,
      weeklyRetentionDays: v.backupWeeklyRetentionDays,
      copyRegion: v.backupCopyRegion,
      copyVaultArn: v.backupCopyVaultArn,
      vaultLock: v.backupVaultLock,
      vaultLockChangeableDays: v.backupVaultLockChangeableDays,
    },
  };
}

/** Runs git with these arguments and returns its output, trimmed; throws if git fails. */
export type Git = (...args: string[]) => string;

/** Runs git in `dir`; throws if git fails. */
export const gitIn =
  (dir: string): Git =>
  (...args) =>
    execFileSync("git", ["-C", dir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 256 * 1024 * 1024,
    }).trim();

/** The repository the program is in (infra/'s parent); git prints paths relative to it. */
const programRoot = join(__dirname, "..");
const git = gitIn(programRoot);

/**
 * The image tag when `imageTag` is unset: CI's `GITHUB_SHA`, else the checkout's commit. The
 * ECR repository's tags are immutable, so an uncommitted change deployed from a working copy
 * must not reuse its commit's tag (the push would fail, or worse, the tag would name two
 * images): a dirty checkout gets `<commit>-dirty-<hash of the changes>`, the same for the same
 * changes. A copy that is not a git checkout (fresh from `pulumi new`) gets
 * `nogit-<hash of its files>`.
 */
export function resolveImageTag(env: NodeJS.ProcessEnv, run: Git, root: string): string {
  const fromCi = env.GITHUB_SHA?.trim();
  if (fromCi) {
    if (!/^[0-9a-f]{40}$/.test(fromCi)) {
      throw new Error(`GITHUB_SHA must be a 40-character commit hash, got "${fromCi}"`);
    }
    return fromCi;
  }
  let commit: string;
  try {
    commit = run("rev-parse", "HEAD");
  } catch {
    // Not a git checkout, or no commit yet.
    return `nogit-${hashFiles(root)}`;
  }
  const changes = run("status", "--porcelain", "--untracked-files=all");
  if (changes === "") return commit;
  const hash = createHash("sha256").update(run("diff", "HEAD", "--binary"));
  const untracked = run("ls-files", "--others", "--exclude-standard", "-z").split("\0");
  for (const path of untracked.filter(Boolean)) {
    hash.update(`\0${path}\0`).update(run("hash-object", "--", path));
  }
  return `${commit}-dirty-${hash.digest("hex").slice(0, 12)}`;
}

/** 12 hex digits of a hash of every file under `root` and its name, outside node_modules. */
function hashFiles(root: string): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name === "node_modules" || entry.name === ".git") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile())
        hash.update(`\0${relative(root, path)}\0`).update(readFileSync(path));
    }
  };
  walk(root);
  return hash.digest("hex").slice(0, 12);
}

/**
 * The database settings AWS would reject at `pulumi up` time, checked against each other here.
 * Each check links the AWS documentation that states the constraint.
 */
function databaseProblems(
  v: Partial<Values>,
  env: Environment,
  region: string | undefined,
  project: string,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const key = (name: Key) => `${project}:${name}`;
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.Overview.Engines.html
  if (v.dbPerformanceInsights && v.dbInstanceClass && lacksPerformanceInsights(v.dbInstanceClass)) {
    problems.push({
      key: key("dbPerformanceInsights"),
      message:
        `must be false for ${key("dbInstanceClass")} ` +
        `${v.dbInstanceClass}: Performance Insights does not support ` +
        `${performanceInsightsUnsupported.join(", ")}`,
    });
  }
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
  const { dbAllocatedStorageGb: allocated, dbMaxAllocatedStorageGb: max } = v;
  if (allocated !== undefined && max !== undefined && max < minimumStorageCeiling(allocated)) {
    problems.push({
      key: key("dbMaxAllocatedStorageGb"),
      message:
        `must be >= ${minimumStorageCeiling(allocated)} ` +
        `(10% above ${key("dbAllocatedStorageGb")} ${allocated}), got "${max}"`,
    });
  }
  // PreferredBackupWindow "must not conflict with the preferred maintenance window":
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
  if (v.dbBackupWindow && v.dbMaintenanceWindow) {
    if (windowsOverlap(v.dbBackupWindow, v.dbMaintenanceWindow)) {
      problems.push({
        key: key("dbMaintenanceWindow"),
        message:
          `must not overlap ${key("dbBackupWindow")} ` +
          `(${v.dbBackupWindow} daily), got "${v.dbMaintenanceWindow}"`,
      });
    }
  }
  const { dbProxyMaxConnectionsPercent: maxConn, dbProxyMaxIdleConnectionsPercent: idle } = v;
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ConnectionPoolConfiguration.html
  if (maxConn !== undefined && idle !== undefined && idle > maxConn) {
    problems.push({
      key: key("dbProxyMaxIdleConnectionsPercent"),
      message: `must be <= ${key("dbProxyMaxConnectionsPercent")} (${maxConn}), got "${idle}"`,
    });
  }
  const { backupDailyRetentionDays: daily, backupWeeklyRetentionDays: weekly } = v;
  if (daily !== undefined && weekly !== undefined && weekly < daily) {
    problems.push({
      key: key("backupWeeklyRetentionDays"),
      message: `must be >= ${key("backupDailyRetentionDays")} (${daily}), got "${weekly}"`,
    });
  }
  if (env === "prod" && v.backupCopyRegion === undefined) {
    problems.push({
      key: key("backupCopyRegion"),
      message: `is required in prod: ${keys.backupCopyRegion.expected()}`,
    });
  } else if (v.backupCopyRegion !== undefined && v.backupCopyRegion === region) {
    problems.push({
      key: key("backupCopyRegion"),
      message:
        `must differ from aws:region (${region}): ` +
        `a copy in the same region is not off-site, got "${v.backupCopyRegion}"`,
    });
  }
  // The point of the copy is an account this one's credentials cannot reach.
  const copyAccount = v.backupCopyVaultArn?.split(":")[4];
  if (copyAccount !== undefined && copyAccount === v.accountId) {
    problems.push({
      key: key("backupCopyVaultArn"),
      message:
        `must be a vault of another account than ${key("accountId")} (${v.accountId}): ` +
        `a copy this account can delete is no off-site copy, got "${v.backupCopyVaultArn}"`,
    });
  }
  return problems;
}

function isEnvironment(name: string): name is Environment {
  return (environments as readonly string[]).includes(name);
}

/**
 * The environment whose defaults and floors a stack takes: its `environment` key, or else the
 * stack's own name. So a short-lived stack (`pr-123`, with `environment: dev`) needs no code.
 */
function environmentOf(project: string, stack: string, file: string): Environment {
  const named = new pulumi.Config(project).get(environmentKey);
  if (named !== undefined) {
    if (isEnvironment(named)) return named;
    throw new ConfigError(file, [
      {
        key: `${project}:${environmentKey}`,
        message: `must be one of ${environments.join(", ")}, got "${named}"`,
      },
    ]);
  }
  if (isEnvironment(stack)) return stack;
  throw new ConfigError(file, [
    {
      message:
        `stack "${stack}" is not a known environment; set ${project}:${environmentKey} to one of ` +
        `${environments.join(", ")} to give it that environment's defaults, or add an environment ` +
        `to environments, environmentDefaults and environmentFloors in infra/config.ts`,
    },
  ]);
}

/**
 * A mistyped key, or a key left under the template's namespace after the project was renamed,
 * would otherwise be ignored silently and the default used instead.
 */
function unknownKeys(project: string): ConfigProblem[] {
  const known: string[] = [environmentKey, ...Object.keys(keys)];
  const problems: ConfigProblem[] = [];
  for (const full of Object.keys(pulumi.runtime.allConfig())) {
    const [namespace, key] = full.split(":", 2);
    if (namespace === project && !known.includes(key)) {
      const near = closest(key, known);
      const hint = near ? `did you mean ${project}:${near}?` : `known keys: ${known.join(", ")}`;
      problems.push({ key: full, message: `is not a known key; ${hint}` });
    } else if (namespace !== project && known.includes(key)) {
      problems.push({
        key: full,
        message:
          `is under namespace "${namespace}" but the project is named ` +
          `"${project}" (Pulumi.yaml); rename the key to ${project}:${key}`,
      });
    }
  }
  return problems;
}
