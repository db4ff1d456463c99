import pg from "pg";
import type { DatabaseConfig } from "../config";
import { connectWithRetry, type RetryNotice } from "./connect";
import { revokeMigrationTableWrites } from "./migrate";
import { clientConfig } from "./pool";

/**
 * The database roles, set up by the master user (README, "Database roles"):
 *  - `owner` (default notes_owner): owns the schema's tables; the `migrate` container connects
 *    as it. No superuser, CREATEDB, CREATEROLE, replication or RLS bypass.
 *  - `app` (default notes_app): the service. USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on
 *    its tables and USAGE on its sequences, through default privileges of `owner`, so tables a
 *    later migration creates are granted too. It cannot create, alter, drop or truncate, and
 *    has nothing in other schemas. Read-only on the migrations table (/readyz reads it).
 * On RDS both get `rds_iam` (IAM authentication only; they have no password).
 *
 * Idempotent, and safe to run concurrently: everything runs in one transaction behind an
 * advisory lock, so a second run waits and then finds everything in place. Roles are
 * cluster-wide while advisory locks are per database, so CREATE ROLE also tolerates a role
 * created meanwhile by a run against another database of the same server.
 */
export const BOOTSTRAP_LOCK_ID = 7_346_214_002_301n; // arbitrary; distinct from node-pg-migrate's

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export interface BootstrapOptions {
  owner: string;
  app: string;
  log?: (msg: string) => void;
  onRetry?: (notice: RetryNotice) => void;
}

export interface BootstrapResult {
  created: string[];
  /** False off RDS (no rds_iam role): the roles then sign in however the server allows. */
  rdsIam: boolean;
  /** Relations in the schema whose ownership moved to the owner role (an existing database). */
  reassigned: string[];
}

export async function bootstrapRoles(
  db: DatabaseConfig,
  opts: BootstrapOptions,
): Promise<BootstrapResult> {
  const log = opts.log ?? (() => undefined);
  for (const name of [opts.owner, opts.app, db.schema]) {
    // Interpolated as identifiers below; config validates them too.
    if (!IDENTIFIER.test(name)) throw new Error(`not a lowercase SQL identifier: ${name}`);
  }
  if (opts.owner === opts.app) throw new Error("the owner and app roles must differ");
  const owner = `"${opts.owner}"`;
  const app = `"${opts.app}"`;
  const schema = `"${db.schema}"`;

  const client = await connectWithRetry(
    async () => {
      const c = new pg.Client({ ...clientConfig(db), statement_timeout: 60_000 });
      try {
        await c.connect();
      } catch (err) {
        void c.end().catch(() => undefined);
        throw err;
      }
      return c;
    },
    { budgetMs: db.connectRetryMs, onRetry: opts.onRetry },
  );
  client.on("error", (err) => log(`bootstrap connection error: ${err.message}`));
  const q = (sql: string, params?: unknown[]) => client.query(sql, params);
  const result: BootstrapResult = { created: [], rdsIam: false, reassigned: [] };
  try {
    await q("BEGIN");
    await q("SELECT pg_advisory_xact_lock($1::bigint)", [String(BOOTSTRAP_LOCK_ID)]);

    const { rows: me } = await q(
      "SELECT current_user AS name, rolsuper FROM pg_roles WHERE rolname = current_user",
    );
    if (me[0].name === opts.owner || me[0].name === opts.app) {
      throw new Error(`run the bootstrap as the master user, not as ${me[0].name}`);
    }

    for (const role of [opts.owner, opts.app]) {
      const exists = await q("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
      if (exists.rowCount === 0) {
        // A run against another database of the same server may create it meanwhile.
        await q(
          `DO $$ BEGIN CREATE ROLE "${role}" LOGIN; ` +
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        );
        result.created.push(role);
        log(`created role ${role}`);
      }
      await refuseOverPrivileged(client, role);
    }
    const { rows: nested } = await q(
      "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid " +
        "JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = $1 AND u.rolname = $2",
      [opts.owner, opts.app],
    );
    if (nested.length > 0) {
      throw new Error(`${opts.app} is a member of ${opts.owner}: revoke it, or the split is void`);
    }

    // RDS: IAM authentication for both (they have no password). Absent elsewhere.
    const iam = await q("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'");
    if (iam.rowCount === 1) {
      await q(`GRANT rds_iam TO ${owner}, ${app}`);
      result.rdsIam = true;
    }

    // The RDS master is not a superuser: to hand objects to the owner and set the owner's
    // default privileges it must be able to act as that role.
    if (!me[0].rolsuper) await q(`GRANT ${owner} TO CURRENT_USER`);

    await q(`GRANT CONNECT, CREATE ON DATABASE "${await currentDatabase(client)}" TO ${owner}`);
    await q(`GRANT CONNECT ON DATABASE "${await currentDatabase(client)}" TO ${app}`);
    await q(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${owner}`);
    await q(`GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${owner}`);
    await q(`GRANT USAGE ON SCHEMA ${schema} TO ${app}`);

    // A database that predates the roles: its tables belong to the master. Sequences owned by
    // a column follow their table.
    const { rows: foreign } = await q(
      `SELECT c.relname, c.relkind FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND pg_get_userbyid(c.relowner) <> $2
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                           WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                             AND d.deptype IN ('a', 'i'))`,
      [db.schema, opts.owner],
    );
    for (const { relname, relkind } of foreign as Array<{ relname: string; relkind: string }>) {
      const kind = { S: "SEQUENCE", v: "VIEW", m: "MATERIALIZED VIEW", f: "FOREIGN TABLE" }[
        relkind
      ];
      await q(`ALTER ${kind ?? "TABLE"} ${schema}."${relname}" OWNER TO ${owner}`);
      result.reassigned.push(relname);
    }

    // As the owner: its future tables and sequences in the schema are granted to the service,
    // and so are the existing ones.
    await q(`SET LOCAL ROLE ${owner}`);
    await q(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} ` +
        `GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`,
    );
    await q(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE ON SEQUENCES TO ${app}`);
    await q(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${app}`);
    await q(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${app}`);
    await revokeMigrationTableWrites(client, db.schema);
    await q("RESET ROLE");
    await q("COMMIT");
    return result;
  } catch (err) {
    await q("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

async function currentDatabase(client: pg.Client): Promise<string> {
  const { rows } = await client.query("SELECT current_database() AS name");
  return String(rows[0].name).replace(/"/g, '""');
}

/** A pre-existing role with more power than its part would void the split: refuse, say which. */
async function refuseOverPrivileged(client: pg.Client, role: string): Promise<void> {
  const { rows } = await client.query(
    `SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin
       FROM pg_roles WHERE rolname = $1`,
    [role],
  );
  const r = rows[0] as Record<string, boolean>;
  const excess = ["rolsuper", "rolcreatedb", "rolcreaterole", "rolreplication", "rolbypassrls"]
    .filter((k) => r[k])
    .map((k) => k.replace(/^rol/, "").toUpperCase());
  if (excess.length > 0 || !r.rolcanlogin) {
    throw new Error(
      `role ${role} exists with ${excess.length > 0 ? excess.join(", ") : "NOLOGIN"}: ` +
        `alter it to LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
    );
  }
}
