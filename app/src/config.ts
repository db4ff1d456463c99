import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { contract } from "./contract";
import { CONNECT_RETRY_BUDGET_MS } from "./db/connect";
import type { MetricsConfig } from "./metrics";

/**
 * Every setting the service reads, from environment variables only. `loadConfig` is the one
 * place they are parsed; the rest of the code receives a typed, validated `Config`.
 * The README's table lists the same variables with the same defaults.
 */

// The levels the infrastructure may set, and `silent` for tests.
const LOG_LEVELS = [...contract.logLevels, "silent"] as const;
const SSL_MODES = ["disable", "require", "verify-full"] as const;

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

// Unset and empty mean the same thing: the default applies.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

// CloudWatch dimension values: up to 1024 characters; kept to a safe, readable set.
const DIMENSION = /^[A-Za-z0-9._-]{1,64}$/;
const DIMENSION_MESSAGE = "must be 1-64 letters, digits, '.', '_' or '-'";

const envSchema = z.object({
  NODE_ENV: optional(z.enum(["development", "production", "test"])),
  HOST: optional(z.string().min(1)),
  PORT: optional(int(0, 65535)),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS)),
  DATABASE_URL: optional(
    z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  ),
  PGHOST: optional(z.string().min(1)),
  PGPORT: optional(int(1, 65535)),
  PGDATABASE: optional(z.string().min(1)),
  PGUSER: optional(z.string().min(1)),
  PGPASSWORD: optional(z.string()),
  DATABASE_SSL: optional(z.enum(SSL_MODES)),
  DATABASE_SSL_CA: optional(z.string().min(1)),
  DATABASE_IAM_AUTH: optional(bool),
  AWS_REGION: optional(
    z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be a region such as eu-west-1"),
  ),
  DATABASE_SCHEMA: optional(
    z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase SQL identifier"),
  ),
  DATABASE_POOL_MAX: optional(int(1, 1000)),
  DATABASE_CONNECT_TIMEOUT_MS: optional(int(100, 60_000)),
  DATABASE_CONNECT_RETRY_MS: optional(int(0, 900_000)),
  DATABASE_OWNER_ROLE: optional(
    z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase SQL identifier"),
  ),
  DATABASE_APP_ROLE: optional(
    z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase SQL identifier"),
  ),
  DATABASE_STATEMENT_TIMEOUT_MS: optional(int(100, 600_000)),
  MIGRATE_ON_START: optional(bool),
  BODY_LIMIT_BYTES: optional(int(1024, 10 * 1024 * 1024)),
  TRUST_PROXY_HOPS: optional(int(0, 10)),
  REQUEST_TIMEOUT_MS: optional(int(1000, 600_000)),
  SHUTDOWN_GRACE_MS: optional(int(0, 600_000)),
  STATIC_DIR: optional(z.string().min(1)),
  SERVICE_NAME: optional(z.string().regex(DIMENSION, DIMENSION_MESSAGE)),
  DEPLOY_ENV: optional(z.string().regex(DIMENSION, DIMENSION_MESSAGE)),
});

export type SslMode = (typeof SSL_MODES)[number];

export interface DatabaseConfig {
  /** Connection string; undefined with `embedded` set means "start the embedded PGlite server". */
  url?: string;
  /** Discrete libpq-style settings, used when DATABASE_URL is unset (how ECS injects secrets). */
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl: SslMode;
  sslCaFile?: string;
  /**
   * Set when DATABASE_IAM_AUTH=true: every new connection signs an RDS IAM token (valid 15 min)
   * for host, port and user in this region and sends it as the password.
   */
  iamRegion?: string;
  schema: string;
  poolMax: number;
  connectTimeoutMs: number;
  /**
   * How long a start-up step (migrations, bootstrap) keeps retrying its first connection while
   * the database is not reachable yet; 0 = fail at once. See src/db/connect.ts.
   */
  connectRetryMs: number;
  statementTimeoutMs: number;
  /** Roles the bootstrap creates: the migrations' owner and the service's DML-only role. */
  roles: { owner: string; app: string };
  /** True when no database was configured and this is not production: use embedded PGlite. */
  embedded: boolean;
}

export interface Config {
  env: "development" | "production" | "test";
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  database: DatabaseConfig;
  migrateOnStart: boolean;
  bodyLimitBytes: number;
  /**
   * Proxies in front of the service whose X-Forwarded-For entries are believed: CloudFront and
   * the load balancer. The client address is the entry this many hops back; anything a client
   * wrote into the header itself sits further back and is ignored.
   */
  trustProxyHops: number;
  requestTimeoutMs: number;
  shutdownGraceMs: number;
  staticDir?: string;
  /** `FEATURE_<NAME>=true|false`, keyed by lowercase name: FEATURE_DARK_MODE -> dark_mode. */
  features: Record<string, boolean>;
  /** Business metrics (EMF log lines): namespace and dimensions. */
  metrics: MetricsConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join(".")}: ${issue.message}`);
    }
  }

  const features: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith("FEATURE_")) continue;
    const name = key.slice("FEATURE_".length);
    if (!/^[A-Z0-9_]+$/.test(name) || !["true", "false"].includes(value ?? "")) {
      problems.push(`${key}: feature flags are FEATURE_<UPPER_SNAKE_NAME>=true|false`);
      continue;
    }
    features[name.toLowerCase()] = value === "true";
  }

  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  const nodeEnv = e.NODE_ENV ?? "development";
  const production = nodeEnv === "production";
  const hasDiscrete = e.PGHOST !== undefined;

  if (production && !e.DATABASE_URL && !hasDiscrete) {
    // Never fall back to a throwaway in-memory database where data matters.
    throw new ConfigError(["DATABASE_URL: required in production (or set PGHOST and friends)"]);
  }
  const ssl = e.DATABASE_SSL ?? (production ? "verify-full" : "disable");
  const dbProblems = [
    ...(e.DATABASE_SSL_CA ? checkCaFile(e.DATABASE_SSL_CA) : []),
    ...(e.DATABASE_IAM_AUTH ? checkIamAuth(e, ssl) : []),
    ...(e.DATABASE_OWNER_ROLE !== undefined && e.DATABASE_OWNER_ROLE === e.DATABASE_APP_ROLE
      ? [
          "DATABASE_APP_ROLE: must differ from DATABASE_OWNER_ROLE (the service must not own its tables)",
        ]
      : []),
  ];
  if (dbProblems.length > 0) throw new ConfigError(dbProblems);

  return {
    env: nodeEnv,
    host: e.HOST ?? "0.0.0.0",
    port: e.PORT ?? contract.port,
    logLevel: e.LOG_LEVEL ?? (nodeEnv === "test" ? "silent" : "info"),
    database: {
      url: e.DATABASE_URL,
      host: e.PGHOST,
      port: e.PGPORT,
      database: e.PGDATABASE,
      user: e.PGUSER,
      password: e.PGPASSWORD,
      ssl,
      sslCaFile: e.DATABASE_SSL_CA,
      iamRegion: e.DATABASE_IAM_AUTH ? e.AWS_REGION : undefined,
      schema: e.DATABASE_SCHEMA ?? "public",
      poolMax: e.DATABASE_POOL_MAX ?? 10,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS ?? 2000,
      // In production a deploy can start before the proxy's target is available; elsewhere a
      // wrong address should fail at once rather than after two minutes.
      connectRetryMs: e.DATABASE_CONNECT_RETRY_MS ?? (production ? CONNECT_RETRY_BUDGET_MS : 0),
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS ?? 5000,
      roles: {
        owner: e.DATABASE_OWNER_ROLE ?? "notes_owner",
        app: e.DATABASE_APP_ROLE ?? "notes_app",
      },
      embedded: !e.DATABASE_URL && !hasDiscrete,
    },
    migrateOnStart: e.MIGRATE_ON_START ?? true,
    bodyLimitBytes: e.BODY_LIMIT_BYTES ?? 16 * 1024,
    trustProxyHops: e.TRUST_PROXY_HOPS ?? 2,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS ?? 10_000,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS ?? contract.shutdownGraceMs,
    staticDir: e.STATIC_DIR,
    features,
    metrics: {
      namespace: contract.metrics.namespace,
      service: e.SERVICE_NAME ?? "notes-app",
      environment: e.DEPLOY_ENV ?? nodeEnv,
    },
  };
}

/** A CA bundle that cannot be read or parsed would otherwise fail every connection later. */
function checkCaFile(file: string): string[] {
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    return [`DATABASE_SSL_CA: cannot read ${file} (${reason}); give the path of a PEM CA bundle`];
  }
  try {
    new X509Certificate(pem);
    return [];
  } catch {
    return [
      `DATABASE_SSL_CA: ${file} is not a PEM certificate bundle (-----BEGIN CERTIFICATE-----)`,
    ];
  }
}

/**
 * IAM authentication (RDS Proxy, or RDS itself): the token is signed for host, port and user, so
 * they must be the discrete settings; a DATABASE_URL or PGPASSWORD would carry a password that
 * node-postgres would use instead. AWS only accepts IAM tokens over TLS.
 */
function checkIamAuth(e: z.infer<typeof envSchema>, ssl: SslMode): string[] {
  const problems: string[] = [];
  const why = "with DATABASE_IAM_AUTH=true";
  if (e.DATABASE_URL) {
    problems.push(`DATABASE_URL: must be unset ${why}; set PGHOST, PGPORT, PGDATABASE, PGUSER`);
  }
  if (e.PGPASSWORD) problems.push(`PGPASSWORD: must be unset ${why} (the password is a token)`);
  if (!e.PGHOST) problems.push(`PGHOST: required ${why} (the token is signed for it)`);
  if (!e.PGUSER) problems.push(`PGUSER: required ${why} (the token is signed for it)`);
  if (!e.AWS_REGION) problems.push(`AWS_REGION: required ${why} (ECS sets it on Fargate)`);
  if (ssl === "disable") {
    problems.push(`DATABASE_SSL: must be verify-full or require ${why} (tokens need TLS)`);
  }
  return problems;
}
