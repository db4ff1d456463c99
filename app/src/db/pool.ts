import { readFileSync } from "node:fs";
import pg from "pg";
import type { DatabaseConfig } from "../config";

/** What an RDS IAM token is signed for: @aws-sdk/rds-signer's `SignerConfig`. */
export interface TokenTarget {
  hostname: string;
  port: number;
  username: string;
  region: string;
}
export type TokenSignerFactory = (target: TokenTarget) => { getAuthToken(): Promise<string> };

/** The AWS SDK is loaded on first use, so processes without IAM auth never pay for it. */
const rdsSigner: TokenSignerFactory = (target) => {
  let signer: { getAuthToken(): Promise<string> } | undefined;
  return {
    async getAuthToken() {
      signer ??= new (await import("@aws-sdk/rds-signer")).Signer(target);
      return signer.getAuthToken();
    },
  };
};

/**
 * node-postgres settings shared by the service's pool and the migration runner. With IAM auth
 * the password is a function, which node-postgres calls for every new connection: each gets a
 * fresh token (tokens expire after 15 minutes; established connections are unaffected).
 */
export function clientConfig(
  db: DatabaseConfig,
  signerFactory: TokenSignerFactory = rdsSigner,
): pg.ClientConfig {
  const ssl =
    db.ssl === "disable"
      ? false
      : db.ssl === "require"
        ? { rejectUnauthorized: false }
        : {
            rejectUnauthorized: true,
            ca: db.sslCaFile ? readFileSync(db.sslCaFile, "utf8") : undefined,
          };
  return {
    connectionString: db.url,
    host: db.url ? undefined : db.host,
    port: db.url ? undefined : db.port,
    database: db.url ? undefined : db.database,
    user: db.url ? undefined : db.user,
    password: db.url ? undefined : db.iamRegion ? iamPassword(db, signerFactory) : db.password,
    ssl,
    connectionTimeoutMillis: db.connectTimeoutMs,
    // The client-side limit catches a silent network (no RST); statement_timeout is the server's.
    query_timeout: db.statementTimeoutMs + 1000,
    statement_timeout: db.statementTimeoutMs,
    application_name: "notes-app",
    // A startup parameter, so every connection (pool or migration runner) uses the schema.
    options: db.schema === "public" ? undefined : `-c search_path=${db.schema}`,
    keepAlive: true,
  };
}

function iamPassword(db: DatabaseConfig, signerFactory: TokenSignerFactory): () => Promise<string> {
  const signer = signerFactory({
    hostname: db.host ?? "",
    port: db.port ?? 5432,
    username: db.user ?? "",
    region: db.iamRegion ?? "",
  });
  return () => signer.getAuthToken();
}

export function createPool(db: DatabaseConfig, onIdleError: (err: Error) => void): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(db), max: db.poolMax, idleTimeoutMillis: 30_000 });
  // An idle client whose server went away emits here; without a listener the process would crash.
  pool.on("error", onIdleError);
  return pool;
}

const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3]|57014)/;
const UNAVAILABLE_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connect ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Client has encountered a connection error|Cannot use a pool after calling end/;

/** True for errors that mean "the database is unreachable or overloaded", not "this query is wrong". */
export function isUnavailableError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || /^E[A-Z]+$/.test(code))) {
    return true;
  }
  return UNAVAILABLE_MESSAGES.test(err.message);
}
