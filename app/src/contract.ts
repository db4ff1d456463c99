/**
 * The service's contract with the infrastructure: everything `infra/` must know about this
 * service to run it, watch it and publish its page. Replacing the service means changing the
 * values here (app/README.md, "Replacing the service"); nothing in `infra/` repeats them.
 *
 * Why a TypeScript module, under `src/`: both sides read the same file with no parser and no
 * copy. The service compiles it into its image (its port default, health routes, metric names
 * and asset layout come from here at run time), and the Pulumi program imports it as it already
 * imports the asset layout. The type checks every value on both sides; JSON would lose it and
 * the comments, YAML would need a parser in the image. Under `src/` because the build compiles
 * `src/` alone into `dist/`, which is what the image runs. Values only: what the infrastructure
 * derives from them (task definition, target group, CDN behaviours, dashboard) lives in `infra/`.
 */

/** A container command in exec form, run in the image's working directory (`/srv/app`). */
export type Command = readonly string[];

/** One metric the service writes as an EMF log line (src/metrics.ts). */
export interface MetricSpec {
  /** CloudWatch metric name. */
  name: string;
  /** CloudWatch unit. */
  unit: "Count" | "Milliseconds" | "Seconds" | "Bytes" | "Percent" | "None";
}

/** A dashboard widget on the service's own metrics. */
export interface WidgetSpec {
  title: string;
  /** Keys of `metrics.list`, one line each. */
  metrics: readonly string[];
  /** CloudWatch statistic. Default `Sum`. */
  stat?: string;
  /** Seconds per point. Default 60. */
  periodSeconds?: number;
}

export interface ServiceContract {
  /** Port the service listens on (its `PORT` default, the task's port mapping, the target group). */
  port: number;
  /** Paths of the health endpoints. */
  health: {
    /** Answers while the process serves, without the database (the container health check). */
    liveness: string;
    /** Answers 200 only when the instance can do useful work (the load balancer, the probe). */
    readiness: string;
  };
  /** Paths the service answers besides health and the page: the CDN sends them to it, uncached. */
  apiPaths: readonly string[];
  /** Commands of the image: the server (the image's CMD), the migrations, the health check. */
  commands: {
    app: Command;
    /** Applies pending migrations and exits 0; the task runs it before `app`. */
    migrate: Command;
    /**
     * Creates the owner and service roles as the master (idempotent) and exits 0; a one-off task
     * runs it during each deploy, before the service's tasks.
     */
    bootstrap: Command;
    healthCheck: Command;
  };
  /** How often the container health check runs (ECS's `healthCheck`, seconds). */
  healthCheck: {
    intervalSeconds: number;
    timeoutSeconds: number;
    retries: number;
    startPeriodSeconds: number;
  };
  /** How long the service drains requests after SIGTERM (ms); the task's stop timeout exceeds it. */
  shutdownGraceMs: number;
  /** The values of its log-level variable that the infrastructure may set. */
  logLevels: readonly string[];
  /** Names of the environment variables the infrastructure supplies, by what they carry. */
  environment: {
    /** Set to `production` in the task. */
    nodeEnv: string;
    port: string;
    logLevel: string;
    /** The task's region (IAM database tokens are signed for it). */
    region: string;
    /** The service's public URL (the CDN's). */
    publicUrl: string;
    /** The business metrics' `Service` and `Environment` dimension values. */
    serviceName: string;
    deployEnv: string;
    shutdownGraceMs: string;
    /** Set to `false` in the app container when a `migrate` container ran first. */
    migrateOnStart: string;
    /** Feature flag `newEditor` becomes `<prefix>NEW_EDITOR=true|false`. */
    featurePrefix: string;
    /** The database, through RDS Proxy with IAM authentication. */
    database: {
      host: string;
      port: string;
      name: string;
      user: string;
      /** Set to `true`: sign an IAM token per connection. */
      iamAuth: string;
      /** Set to `verify-full`. */
      ssl: string;
      /** The master's password: only the role bootstrap gets it (from the RDS-managed secret). */
      password: string;
      /** The role migrations sign in as (owns the schema). */
      ownerRole: string;
      /** The role the service signs in as (DML only); must differ from the owner. */
      appRole: string;
    };
  };
  /** CloudWatch Logs filter patterns on the service's JSON log lines (counted on the dashboard). */
  logPatterns: {
    /** Lines at error level or worse. */
    errorLines: string;
    /** The request line of a request refused as malformed (security events). */
    malformedRequests: string;
  };
  /** The business metrics, written as EMF log lines, and the dashboard widgets on them. */
  metrics: {
    namespace: string;
    /** Dimension names; their values come from `environment.serviceName` and `.deployEnv`. */
    dimensions: { service: string; environment: string };
    list: Record<string, MetricSpec>;
    widgets: readonly WidgetSpec[];
  };
  /** The page and its content-hashed assets, which the CDN serves from a bucket. */
  assets: {
    /** Source directory, relative to `app/`. */
    sourceDir: string;
    /** Key and URL prefix of the hashed assets, a folder (`assets/`). */
    prefix: string;
    /** The page, served at `/`. */
    entryPage: string;
    cacheControl: { hashed: string; entryPage: string };
    /** The page's Content-Security-Policy, sent by the service and by the CDN alike. */
    contentSecurityPolicy: string;
  };
}

export const contract = {
  port: 8080,
  health: { liveness: "/healthz", readiness: "/readyz" },
  apiPaths: ["/api/*"],
  commands: {
    app: ["node", "dist/server.js"],
    migrate: ["node", "dist/migrate.js", "up"],
    bootstrap: ["node", "dist/bootstrap.js"],
    healthCheck: ["node", "dist/healthcheck.js"],
  },
  healthCheck: { intervalSeconds: 15, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 30 },
  shutdownGraceMs: 20_000,
  // pino's levels; `silent` is for tests only.
  logLevels: ["fatal", "error", "warn", "info", "debug", "trace"],
  environment: {
    nodeEnv: "NODE_ENV",
    port: "PORT",
    logLevel: "LOG_LEVEL",
    region: "AWS_REGION",
    publicUrl: "PUBLIC_URL",
    serviceName: "SERVICE_NAME",
    deployEnv: "DEPLOY_ENV",
    shutdownGraceMs: "SHUTDOWN_GRACE_MS",
    migrateOnStart: "MIGRATE_ON_START",
    featurePrefix: "FEATURE_",
    database: {
      host: "PGHOST",
      port: "PGPORT",
      name: "PGDATABASE",
      user: "PGUSER",
      iamAuth: "DATABASE_IAM_AUTH",
      ssl: "DATABASE_SSL",
      password: "PGPASSWORD",
      ownerRole: "DATABASE_OWNER_ROLE",
      appRole: "DATABASE_APP_ROLE",
    },
  },
  logPatterns: {
    // pino writes the level as its label (src/logger.ts): error is 50, fatal 60.
    errorLines: '{ $.level = "error" || $.level = "fatal" }',
    // Invalid JSON, body too large, wrong content type, failed validation (src/plugins/errors.ts).
    malformedRequests:
      '{ $.msg = "request" && ($.status = 400 || $.status = 413 || $.status = 415) }',
  },
  metrics: {
    namespace: "Notes",
    dimensions: { service: "Service", environment: "Environment" },
    list: {
      notesCreated: { name: "NotesCreated", unit: "Count" },
      notesDeleted: { name: "NotesDeleted", unit: "Count" },
      activeClients: { name: "ActiveClients", unit: "Count" },
    },
    widgets: [
      { title: "Notes created / deleted per minute", metrics: ["notesCreated", "notesDeleted"] },
      {
        title: "Distinct clients per 5 minutes (active users)",
        metrics: ["activeClients"],
        // The window the service counts distinct clients over (src/plugins/active-clients.ts).
        periodSeconds: 300,
      },
    ],
  },
  assets: {
    sourceDir: "public",
    prefix: "assets/",
    entryPage: "index.html",
    cacheControl: {
      // A hashed file never changes: a new version has a new name.
      hashed: "public, max-age=31536000, immutable",
      // Browsers revalidate the page on every load; a shared cache (the CDN) may keep it a
      // minute, so a release reaches everyone within a minute.
      entryPage: "public, max-age=0, s-maxage=60, must-revalidate",
    },
    contentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'",
  },
} as const satisfies ServiceContract;

/** Key of one of the service's business metrics (`notesCreated`). */
export type MetricKey = keyof typeof contract.metrics.list;
