import { readdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { PG_MIGRATE_LOCK_ID, runner } from "node-pg-migrate";

type RunMigration = Awaited<ReturnType<typeof runner>>[number];
import type { DatabaseConfig } from "../config";
import { connectWithRetry, type RetryNotice } from "./connect";
import { clientConfig } from "./pool";

/** Same path from src/db (ts-node) and dist/db (compiled). */
export const MIGRATIONS_DIR = path.resolve(__dirname, "../../migrations");
export const MIGRATIONS_TABLE = "pgmigrations";
const MIGRATE_CONNECT_TIMEOUT_MS = 10_000;

export interface MigrateOptions {
  direction: "up" | "down";
  /** How many to apply (up: default all) or roll back (down: default 1). */
  count?: number;
  log?: (msg: string) => void;
  /** Each failed first-connection attempt that will be retried (budget: db.connectRetryMs). */
  onRetry?: (notice: RetryNotice) => void;
  /** Migrations folder; tests point it elsewhere. */
  dir?: string;
}

/**
 * Applies migrations with node-pg-migrate, all pending ones in one transaction that first takes
 * a transaction-level advisory lock. Concurrent runners (every task of a rolling deploy may start
 * at once) wait for the lock, then find nothing left to do; a failing migration rolls the whole
 * run back; the lock cannot outlive its transaction or connection. The embedded database has one
 * session for all connections, where advisory locks don't exclude, but an open transaction there
 * holds the database to itself, so the same code serialises runners on both.
 *
 * The cost: no migration may use statements that refuse to run in a transaction
 * (CREATE INDEX CONCURRENTLY); run those by hand, as the README says.
 */
export async function migrate(db: DatabaseConfig, opts: MigrateOptions): Promise<RunMigration[]> {
  const log = opts.log ?? (() => undefined);
  const connectOnce = async () => {
    const client = new pg.Client({
      ...clientConfig(db),
      // A runner waits for the lock as long as another runner's migrations take, and a
      // migration may legitimately run for minutes: none of the service's request-sized
      // timeouts apply. Connecting gets some slack over the request-path timeout (a database
      // still starting), but not so much that a wrong address takes long to report.
      connectionTimeoutMillis: Math.max(db.connectTimeoutMs, MIGRATE_CONNECT_TIMEOUT_MS),
      statement_timeout: undefined,
      query_timeout: undefined,
    });
    client.on("error", (err) => log(`migration connection error: ${err.message}`));
    try {
      await client.connect();
    } catch (err) {
      // Release the socket of the failed attempt; not awaited, as a socket that never opened
      // may never report its end.
      void client.end().catch(() => undefined);
      throw err;
    }
    return client;
  };
  // Only the connection is retried: once connected, a failing migration fails the run at once.
  const client = await connectWithRetry(connectOnce, {
    budgetMs: db.connectRetryMs,
    onRetry: opts.onRetry,
  });
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [String(PG_MIGRATE_LOCK_ID)]);
    const ran = await runner({
      dbClient: client,
      noLock: true,
      dir: opts.dir ?? MIGRATIONS_DIR,
      migrationsTable: MIGRATIONS_TABLE,
      schema: db.schema,
      createSchema: true,
      direction: opts.direction,
      count: opts.count ?? (opts.direction === "up" ? Infinity : 1),
      // Nested in the transaction above: node-pg-migrate's BEGIN only warns; its COMMIT ends ours.
      singleTransaction: true,
      checkOrder: true,
      logger: { debug: log, info: log, warn: log, error: log },
    });
    await client.query("COMMIT");
    if (opts.direction === "up") {
      // node-pg-migrate's COMMIT ended the locked transaction; take the lock again, so that
      // concurrent runners do not change the table's grants at the same time.
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [String(PG_MIGRATE_LOCK_ID)]);
      await revokeMigrationTableWrites(client, db.schema);
      await client.query("COMMIT");
    }
    return ran;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

/**
 * The migrations table gets the service's DML through the owner's default privileges
 * (src/db/bootstrap.ts); the service only reads it (/readyz), so writes are taken back from
 * every role but the table's owner. Run after every migration run (the first one creates the
 * table) and by the bootstrap.
 */
export async function revokeMigrationTableWrites(client: pg.Client, schema: string) {
  const { rows } = await client.query(
    `SELECT DISTINCT pg_get_userbyid(a.grantee) AS grantee
       FROM pg_class c, aclexplode(c.relacl) a
      WHERE c.oid = to_regclass(format('%I.%I', $1::text, $2::text))
        AND a.grantee <> c.relowner AND a.grantee <> 0
        AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')`,
    [schema, MIGRATIONS_TABLE],
  );
  for (const { grantee } of rows as Array<{ grantee: string }>) {
    await client.query(
      `REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "${schema}"."${MIGRATIONS_TABLE}" ` +
        `FROM "${grantee.replace(/"/g, '""')}"`,
    );
  }
}

/** The newest migration this build knows about; /readyz waits until the database has it. */
export function latestMigrationName(dir = MIGRATIONS_DIR): string {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .map((f) => f.replace(/\.sql$/, ""))
    .sort();
  const last = names[names.length - 1];
  if (!last) throw new Error(`no migrations found in ${dir}`);
  return last;
}

/** True when `name` is recorded as applied (older code keeps passing after newer migrations). */
export async function isMigrationApplied(pool: pg.Pool, schema: string, name: string) {
  const { rowCount } = await pool.query(
    `SELECT 1 FROM "${schema}"."${MIGRATIONS_TABLE}" WHERE name = $1`,
    [name],
  );
  return rowCount === 1;
}
