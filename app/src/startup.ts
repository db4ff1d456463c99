import pg from "pg";
import pino, { type Logger } from "pino";
import { ConfigError, loadConfig, type Config, type DatabaseConfig } from "./config";
import type { RetryNotice } from "./db/connect";
import { LineBatcher, loggerOptions } from "./logger";

/**
 * Entry-point plumbing shared by the server and the migration CLI: the logger, the config, and
 * what happens when start-up fails. A failure the operator can fix (a bad variable, a database
 * that is unreachable or refuses us, a port in use) is ONE JSON log line saying what is wrong
 * and which variable to change, then a non-zero exit; no stack trace unless LOG_LEVEL is debug or
 * trace. Anything else is a bug and is logged with its stack.
 */
export interface EntryContext {
  config: Config;
  log: Logger;
  /** Flushes the batched log lines, then exits. */
  exit(code: number): never;
}

const EXIT_CONFIG = 2;
const EXIT_FAILURE = 1;

export function runEntryPoint(main: (ctx: EntryContext) => Promise<void>): void {
  // Lines are batched (8 KiB or 1 s) and written synchronously: far fewer write calls than one
  // per line, no thread-pool hop, and nothing lost on exit, which flushes first.
  const destination = new LineBatcher(pino.destination({ dest: 1, sync: true }));
  process.on("exit", () => destination.flushSync());
  const exit = (code: number): never => {
    destination.flushSync();
    process.exit(code);
  };
  const logger = (level: string) => pino(loggerOptions(level), destination);

  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    reportStartupFailure(logger("info"), err);
    return exit(err instanceof ConfigError ? EXIT_CONFIG : EXIT_FAILURE);
  }
  const log = logger(config.logLevel);
  main({ config, log, exit }).catch((err: unknown) => {
    // Even with LOG_LEVEL=silent, a process that gives up says why.
    reportStartupFailure(log.isLevelEnabled("fatal") ? log : logger("fatal"), err, config);
    exit(err instanceof ConfigError ? EXIT_CONFIG : EXIT_FAILURE);
  });
}

/** Logs one `fatal` line for a start-up failure. */
export function reportStartupFailure(log: Logger, err: unknown, config?: Config): void {
  if (err instanceof ConfigError) {
    log.fatal({ problems: err.problems }, `Invalid configuration: ${err.problems.join("; ")}`);
    return;
  }
  const explained = config ? explainStartupError(err, config) : undefined;
  if (explained === undefined) {
    log.fatal({ err }, `unexpected error during start-up: ${messageOf(err)}`);
    return;
  }
  const code = (err as { code?: unknown }).code;
  const { connectAttempts, connectElapsedMs } = err as {
    connectAttempts?: number;
    connectElapsedMs?: number;
  };
  const tried =
    connectAttempts === undefined
      ? ""
      : ` (gave up after ${connectAttempts} connection attempts over ${Math.round((connectElapsedMs ?? 0) / 1000)} s; DATABASE_CONNECT_RETRY_MS)`;
  const fields = { code, ...(connectAttempts !== undefined && { attempts: connectAttempts }) };
  log.fatal(log.isLevelEnabled("debug") ? { ...fields, err } : fields, explained + tried);
}

/**
 * One `warn` line per failed first-connection attempt that will be retried (src/db/connect.ts):
 * the attempt, the wait, the error's code and message (never the password, which node-postgres
 * does not put in messages), so a slow start is visible in the task's log as it happens.
 */
export function logConnectRetry(log: Logger, component: string) {
  return ({ attempt, delayMs, elapsedMs, budgetMs, err }: RetryNotice) =>
    log.warn(
      {
        component,
        attempt,
        retryInMs: delayMs,
        elapsedMs,
        budgetMs,
        code: (err as { code?: unknown }).code,
        error: err.message,
      },
      `database not reachable yet (attempt ${attempt}: ${err.message}); retrying in ${delayMs} ms`,
    );
}

const CERT_ERRORS = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * What went wrong and what to change, for failures caused by configuration or environment;
 * undefined for anything else. Never includes the password.
 */
export function explainStartupError(err: unknown, config: Config): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as NodeJS.ErrnoException).code;
  const syscall = (err as NodeJS.ErrnoException).syscall;

  if (syscall === "listen") {
    const at = `${config.host}:${config.port}`;
    if (code === "EADDRINUSE") {
      return `port ${config.port} is already in use (${at}): stop the other process or set PORT to a free port`;
    }
    if (code === "EACCES") {
      return `not permitted to listen on ${at}: ports below 1024 need privileges; set PORT to 1024 or above`;
    }
    if (code === "EADDRNOTAVAIL") {
      return `HOST=${config.host} is not an address of this machine: set HOST to 0.0.0.0 or one of its addresses`;
    }
    return undefined;
  }

  const db = config.database;
  const t = target(db);
  const vars = db.url
    ? { host: "the host and port in DATABASE_URL", db: "the database name in DATABASE_URL" }
    : { host: "PGHOST and PGPORT", db: "PGDATABASE" };
  const credentials = db.iamRegion
    ? "PGUSER, and that the task role may rds-db:connect as that user (DATABASE_IAM_AUTH=true)"
    : db.url
      ? "the user and password in DATABASE_URL"
      : "PGUSER and PGPASSWORD";

  if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return `cannot reach PostgreSQL at ${t.address} (${code}: nothing accepts connections there): check ${vars.host}, and that the server is running and reachable from here`;
  }
  if (
    /timeout expired|connection timeout|timeout exceeded when trying to connect/.test(err.message)
  ) {
    return `cannot reach PostgreSQL at ${t.address} (no answer within the connect timeout): check ${vars.host}, and that the network path is open (security groups, DATABASE_CONNECT_TIMEOUT_MS)`;
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return `PostgreSQL host "${t.host}" not found (${code}): check ${vars.host}`;
  }
  if (code === "3D000") {
    return `database "${t.database}" does not exist on ${t.address}: create it, or fix ${vars.db}`;
  }
  if (code === "28P01" || code === "28000") {
    return `PostgreSQL at ${t.address} refused user "${t.user}" (${err.message}): check ${credentials}`;
  }
  if (err.message === "The server does not support SSL connections") {
    return `DATABASE_SSL=${db.ssl} but PostgreSQL at ${t.address} does not support TLS: enable TLS on the server, or set DATABASE_SSL=disable (local development only)`;
  }
  if (code !== undefined && CERT_ERRORS.has(code)) {
    return `the TLS certificate of ${t.address} failed verification (${err.message}): set DATABASE_SSL_CA to the CA bundle that issued it (for a direct RDS connection, the Amazon RDS CA bundle), or fix ${vars.host} to the name on the certificate`;
  }
  if (err.name === "CredentialsProviderError") {
    return `no AWS credentials to sign the database IAM token (${err.message}): run with a task role, or set DATABASE_IAM_AUTH=false`;
  }
  if (err instanceof pg.DatabaseError) {
    return `PostgreSQL at ${t.address} reported an error during start-up: ${err.message} (SQLSTATE ${code})`;
  }
  return undefined;
}

/** Where the process tried to connect, from the URL or the discrete settings, without the password. */
function target(db: DatabaseConfig) {
  let host = db.host ?? "localhost";
  let port = String(db.port ?? 5432);
  let user = db.user ?? "";
  let database = db.database ?? user;
  if (db.url) {
    const u = new URL(db.url);
    host = u.hostname || "localhost";
    port = u.port || "5432";
    user = decodeURIComponent(u.username);
    database = decodeURIComponent(u.pathname.slice(1)) || user;
  }
  return { host, user, database, address: `${host}:${port}` };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
