import { z } from "zod";

/**
 * Every setting the service reads, from environment variables only. `loadConfig` is the one
 * place they are parsed; the rest of the code receives a typed, validated `Config`.
 * The README's table lists the same variables with the same defaults.
 */

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
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
  DATABASE_SCHEMA: optional(
    z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase SQL identifier"),
  ),
  DATABASE_POOL_MAX: optional(int(1, 1000)),
  DATABASE_CONNECT_TIMEOUT_MS: optional(int(100, 60_000)),
  DATABASE_STATEMENT_TIMEOUT_MS: optional(int(100, 600_000)),
  MIGRATE_ON_START: optional(bool),
  BODY_LIMIT_BYTES: optional(int(1024, 10 * 1024 * 1024)),
  REQUEST_TIMEOUT_MS: optional(int(1000, 600_000)),
  SHUTDOWN_GRACE_MS: optional(int(0, 600_000)),
  STATIC_DIR: optional(z.string().min(1)),
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
  schema: string;
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
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
  requestTimeoutMs: number;
  shutdownGraceMs: number;
  staticDir?: string;
  /** `FEATURE_<NAME>=true|false`, keyed by lowercase name: FEATURE_DARK_MODE -> dark_mode. */
  features: Record<string, boolean>;
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

  return {
    env: nodeEnv,
    host: e.HOST ?? "0.0.0.0",
    port: e.PORT ?? 8080,
    logLevel: e.LOG_LEVEL ?? (nodeEnv === "test" ? "silent" : "info"),
    database: {
      url: e.DATABASE_URL,
      host: e.PGHOST,
      port: e.PGPORT,
      database: e.PGDATABASE,
      user: e.PGUSER,
      password: e.PGPASSWORD,
      ssl: e.DATABASE_SSL ?? (production ? "verify-full" : "disable"),
      sslCaFile: e.DATABASE_SSL_CA,
      schema: e.DATABASE_SCHEMA ?? "public",
      poolMax: e.DATABASE_POOL_MAX ?? 10,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS ?? 2000,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS ?? 5000,
      embedded: !e.DATABASE_URL && !hasDiscrete,
    },
    migrateOnStart: e.MIGRATE_ON_START ?? true,
    bodyLimitBytes: e.BODY_LIMIT_BYTES ?? 16 * 1024,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS ?? 10_000,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS ?? 20_000,
    staticDir: e.STATIC_DIR,
    features,
  };
}
