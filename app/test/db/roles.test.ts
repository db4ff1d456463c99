import assert from "node:assert/strict";
import pg from "pg";
import { loadConfig } from "../../src/config";
import { bootstrapRoles } from "../../src/db/bootstrap";
import { migrate } from "../../src/db/migrate";
import { createTestDatabase, usingRealPostgres, type TestDatabase } from "../helpers/database";
import { runTs, startServer } from "../helpers/process";

/**
 * The service and the migrations connect as their own roles, never as the master user
 * (README, "Database roles"). Roles are a server feature the embedded database does not have
 * (PGlite has one user), so this suite needs the real server: TEST_DATABASE_URL, which .ci/run
 * always sets.
 */
// Not describe.skip: the mocha config forbids pending tests. Without the server, nothing runs.
const suite = (title: string, fn: (this: Mocha.Suite) => void) => {
  if (usingRealPostgres) describe(title, fn);
};

const unique = () =>
  `r${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e4)}`;

/** `url` signed in as `user` (the test server trusts local connections). */
function as(url: string, user: string, database?: string): string {
  const u = new URL(url);
  u.username = user;
  if (database) u.pathname = `/${database}`;
  return u.toString();
}

async function withClient<T>(url: string, schema: string, fn: (c: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The SQLSTATE a statement fails with, or "ok". */
async function outcome(c: pg.Client, sql: string): Promise<string> {
  try {
    await c.query(sql);
    return "ok";
  } catch (err) {
    return String((err as { code?: string }).code);
  }
}

async function dropRoles(adminUrl: string, ...roles: string[]) {
  await withClient(adminUrl, "public", async (c) => {
    for (const role of roles) {
      const exists = await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
      if (exists.rowCount === 0) continue;
      await c.query(`DROP OWNED BY "${role}" CASCADE`);
      await c.query(`DROP ROLE "${role}"`);
    }
  });
}

suite("database roles: migration owner and DML-only service role (real PostgreSQL)", function () {
  this.timeout(120_000);
  let db: TestDatabase;
  const owner = `${unique()}_owner`;
  const app = `${unique()}_app`;
  const other = `other_${unique()}`;
  const roleEnv = () => ({ ...db.env, DATABASE_OWNER_ROLE: owner, DATABASE_APP_ROLE: app });
  const asOwner = () => ({ ...db.env, DATABASE_URL: as(db.url, owner), LOG_LEVEL: "info" });
  const appClient = <T>(fn: (c: pg.Client) => Promise<T>) =>
    withClient(as(db.url, app), db.schema, fn);

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.dispose();
    await withClient(db.url, "public", (c) => c.query(`DROP SCHEMA IF EXISTS "${other}" CASCADE`));
    await dropRoles(db.url, app, owner);
  });

  it("two bootstrap runs at once both succeed; each role is created once", async () => {
    const runs = [1, 2].map(() => runTs("src/bootstrap.ts", { ...roleEnv(), LOG_LEVEL: "info" }));
    const exits = await Promise.all(runs.map((r) => r.exited));
    exits.forEach((e, i) => assert.equal(e.code, 0, runs[i].lines.join("\n")));
    const created = runs.flatMap((r) =>
      r.lines.map((l) => JSON.parse(l)).filter((l) => /^created role /.test(l.msg)),
    );
    assert.deepEqual(
      created.map((l) => l.msg).sort(),
      [`created role ${app}`, `created role ${owner}`].sort(),
    );
    // And once more, alone: nothing to create, nothing fails.
    const again = await bootstrapRoles(db.config(roleEnv()).database, { owner, app });
    assert.deepEqual(again.created, []);
    assert.equal(again.rdsIam, false, "no rds_iam role off RDS");
  });

  it("migrations apply as the owner role, which then owns the tables", async () => {
    const proc = runTs("src/migrate.ts", asOwner(), ["up"]);
    assert.equal((await proc.exited).code, 0, proc.lines.join("\n"));
    const { rows } = await db.query(
      `SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`,
      [db.schema],
    );
    assert.deepEqual(rows, [
      { relname: "notes", owner },
      { relname: "pgmigrations", owner },
    ]);
  });

  it("the service role can SELECT, INSERT, UPDATE and DELETE notes", async () => {
    await appClient(async (c) => {
      const { rows } = await c.query("INSERT INTO notes (text) VALUES ('hi') RETURNING id");
      assert.equal(
        await outcome(c, `UPDATE notes SET text = 'bye' WHERE id = '${rows[0].id}'`),
        "ok",
      );
      assert.equal((await c.query("SELECT text FROM notes")).rows[0].text, "bye");
      assert.equal(await outcome(c, `DELETE FROM notes WHERE id = '${rows[0].id}'`), "ok");
      assert.equal(await outcome(c, "SELECT name FROM pgmigrations"), "ok", "/readyz reads it");
    });
  });

  it("the service role cannot DROP, ALTER, TRUNCATE, CREATE, or write the migrations table", async () => {
    await appClient(async (c) => {
      const denied = "42501"; // insufficient_privilege
      assert.equal(await outcome(c, "DROP TABLE notes"), denied);
      assert.equal(await outcome(c, "ALTER TABLE notes ADD COLUMN x int"), denied);
      assert.equal(await outcome(c, "TRUNCATE notes"), denied);
      assert.equal(await outcome(c, "CREATE INDEX notes_text_idx ON notes (text)"), denied);
      assert.equal(await outcome(c, `CREATE TABLE "${db.schema}".mine (id int)`), denied);
      assert.equal(await outcome(c, "CREATE TABLE public.mine (id int)"), denied);
      assert.equal(await outcome(c, "CREATE SCHEMA mine"), denied);
      assert.equal(await outcome(c, "DELETE FROM pgmigrations"), denied);
      assert.equal(
        await outcome(c, "INSERT INTO pgmigrations (name, run_on) VALUES ('x', now())"),
        denied,
      );
      assert.equal(await outcome(c, "UPDATE pgmigrations SET name = 'x'"), denied);
    });
  });

  it("the service role cannot read another schema", async () => {
    await withClient(db.url, "public", async (c) => {
      await c.query(`CREATE SCHEMA "${other}"`);
      await c.query(`CREATE TABLE "${other}".secrets (v text)`);
      await c.query(`INSERT INTO "${other}".secrets VALUES ('s3cret')`);
    });
    await appClient(async (c) => {
      assert.equal(await outcome(c, `SELECT v FROM "${other}".secrets`), "42501");
    });
  });

  it("tables and sequences the owner creates later are granted to the service by default", async () => {
    await withClient(as(db.url, owner), db.schema, (c) =>
      c.query("CREATE TABLE later (id serial PRIMARY KEY, v text)"),
    );
    await appClient(async (c) => {
      // INSERT with a serial id needs USAGE on the sequence too.
      assert.equal(await outcome(c, "INSERT INTO later (v) VALUES ('x')"), "ok");
      assert.equal((await c.query("SELECT count(*)::int AS n FROM later")).rows[0].n, 1);
      assert.equal(await outcome(c, "DROP TABLE later"), "42501");
    });
    await withClient(as(db.url, owner), db.schema, (c) => c.query("DROP TABLE later"));
  });

  it("the service runs as the service role: serves notes and reports ready", async () => {
    const server = await startServer({
      ...db.env,
      DATABASE_URL: as(db.url, app),
      MIGRATE_ON_START: "false",
    });
    try {
      const created = await fetch(`${server.baseUrl}/api/notes`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: "as the app role" }),
      });
      assert.equal(created.status, 201);
      assert.equal((await fetch(`${server.baseUrl}/readyz`)).status, 200);
    } finally {
      server.kill("SIGTERM");
      await server.exited;
    }
  });

  it("the service role cannot run the migrations", async () => {
    const proc = runTs(
      "src/migrate.ts",
      { ...db.env, DATABASE_URL: as(db.url, app), LOG_LEVEL: "info" },
      ["down"],
    );
    assert.equal((await proc.exited).code, 1, proc.lines.join("\n"));
    assert.equal((await db.query("SELECT to_regclass('notes') IS NOT NULL AS p")).rows[0].p, true);
  });

  it("migrations roll back and re-apply as the owner role", async () => {
    const down = runTs("src/migrate.ts", asOwner(), ["down"]);
    assert.equal((await down.exited).code, 0, down.lines.join("\n"));
    assert.equal((await db.query("SELECT to_regclass('notes') IS NOT NULL AS p")).rows[0].p, false);
    const up = runTs("src/migrate.ts", asOwner(), ["up"]);
    assert.equal((await up.exited).code, 0, up.lines.join("\n"));
    await appClient(async (c) => {
      assert.equal(await outcome(c, "INSERT INTO notes (text) VALUES ('again')"), "ok");
      assert.equal(await outcome(c, "DELETE FROM pgmigrations"), "42501");
    });
  });

  it("refuses a pre-existing role with more power than its part", async () => {
    const strong = `${unique()}_strong`;
    await withClient(db.url, "public", (c) => c.query(`CREATE ROLE "${strong}" LOGIN CREATEDB`));
    try {
      await assert.rejects(
        bootstrapRoles(db.config().database, { owner, app: strong }),
        /role \S+_strong exists with CREATEDB/,
      );
    } finally {
      await dropRoles(db.url, strong);
    }
  });
});

/**
 * As on RDS: the master is not a superuser (CREATEROLE, owner of the database), and the
 * database already has the service's tables, created by the master before the roles existed.
 */
suite("database roles: bootstrap by a non-superuser master on an existing database", function () {
  this.timeout(120_000);
  const adminUrl = process.env.TEST_DATABASE_URL ?? "";
  const master = `${unique()}_master`;
  const owner = `${unique()}_owner`;
  const app = `${unique()}_app`;
  const database = `${unique()}_db`;
  const masterUrl = () => as(adminUrl, master, database);
  const env = () => ({
    NODE_ENV: "test",
    DATABASE_URL: masterUrl(),
    DATABASE_OWNER_ROLE: owner,
    DATABASE_APP_ROLE: app,
    LOG_LEVEL: "info",
  });

  before(async () => {
    await withClient(adminUrl, "public", async (c) => {
      await c.query(`CREATE ROLE "${master}" LOGIN CREATEROLE`);
      await c.query(`CREATE DATABASE "${database}" OWNER "${master}"`);
    });
    // Like a database created before this change: the master owns the tables.
    await migrate(loadConfig({ NODE_ENV: "test", DATABASE_URL: masterUrl() }).database, {
      direction: "up",
    });
  });
  after(async () => {
    await withClient(adminUrl, "public", async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    });
    await dropRoles(adminUrl, app, owner, master);
  });

  it("bootstraps twice at once, hands the existing tables to the owner, and the split holds", async () => {
    const runs = [1, 2].map(() => runTs("src/bootstrap.ts", env()));
    const exits = await Promise.all(runs.map((r) => r.exited));
    exits.forEach((e, i) => assert.equal(e.code, 0, runs[i].lines.join("\n")));
    const done = runs.map((r) => r.lines.map((l) => JSON.parse(l)).find((l) => l.reassigned));
    const reassigned = done.flatMap((l) => l.reassigned).sort();
    assert.deepEqual(reassigned, ["notes", "pgmigrations"], "moved once, by the first run");

    const ownerUrl = as(adminUrl, owner, database);
    const down = runTs(
      "src/migrate.ts",
      { NODE_ENV: "test", DATABASE_URL: ownerUrl, LOG_LEVEL: "info" },
      ["down"],
    );
    assert.equal((await down.exited).code, 0, down.lines.join("\n"));
    const up = runTs(
      "src/migrate.ts",
      { NODE_ENV: "test", DATABASE_URL: ownerUrl, LOG_LEVEL: "info" },
      ["up"],
    );
    assert.equal((await up.exited).code, 0, up.lines.join("\n"));

    await withClient(as(adminUrl, app, database), "public", async (c) => {
      assert.equal(await outcome(c, "INSERT INTO notes (text) VALUES ('x')"), "ok");
      assert.equal(await outcome(c, "SELECT count(*) FROM notes"), "ok");
      assert.equal(await outcome(c, "DROP TABLE notes"), "42501");
      assert.equal(await outcome(c, "CREATE TABLE mine (id int)"), "42501");
      assert.equal(await outcome(c, "DELETE FROM pgmigrations"), "42501");
    });
  });
});
