import assert from "node:assert/strict";
import net from "node:net";
import path from "node:path";
import { createTestDatabase, usingRealPostgres, type TestDatabase } from "../helpers/database";
import { APP_DIR, runTs } from "../helpers/process";
import { TcpProxy } from "../helpers/tcp-proxy";

/**
 * Every start-up failure an operator can cause ends in ONE fatal JSON log line that says what is
 * wrong and which variable to change, a non-zero exit, and no stack trace: the real process
 * (server and migration CLI) against the machine's PostgreSQL, a closed port, a silent one.
 */
describe("start-up failures: one log line naming what to change (real process)", function () {
  this.timeout(60_000);
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.dispose();
  });

  async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  const withUrl = (change: (u: URL) => void) => {
    const u = new URL(db.url);
    change(u);
    return u.toString();
  };

  /** Runs the entry point to its exit; returns its one error line, after checking the rest. */
  async function failure(
    entry: "src/server.ts" | "src/migrate.ts",
    env: Record<string, string>,
    expectedCode: number,
    args: string[] = [],
  ) {
    // No DATABASE_URL unless the case sets one: some use the discrete PG* settings.
    const base = {
      NODE_ENV: "test",
      DATABASE_SCHEMA: db.schema,
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
    };
    const proc = runTs(entry, { ...base, ...env }, args);
    const { code } = await proc.exited;
    const out = proc.lines.join("\n");
    assert.equal(code, expectedCode, out);
    const lines = proc.lines.map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON log line: ${l}\n${out}`);
      }
    });
    const errors = lines.filter((l) => l.level === "fatal" || l.level === "error");
    assert.equal(errors.length, 1, `exactly one error line:\n${out}`);
    assert.equal(errors[0].level, "fatal");
    assert.doesNotMatch(out, /"stack"|\n\s+at /, "no stack trace");
    return String(errors[0].msg);
  }

  it("database refuses connections (closed port): names DATABASE_URL's host and port", async () => {
    const port = await freePort();
    const msg = await failure(
      "src/server.ts",
      { DATABASE_URL: withUrl((u) => (u.port = String(port))) },
      1,
    );
    assert.match(
      msg,
      new RegExp(`cannot reach PostgreSQL at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED`),
    );
    assert.match(msg, /check the host and port in DATABASE_URL/);
  });

  it("database never answers (silent network): reports the timeout", async function () {
    this.timeout(40_000);
    const proxy = TcpProxy.forUrl(db.url);
    await proxy.start();
    proxy.cut("blackhole");
    try {
      const msg = await failure(
        "src/server.ts",
        {
          PGHOST: "127.0.0.1",
          PGPORT: String(proxy.port),
          PGUSER: "postgres",
          DATABASE_CONNECT_TIMEOUT_MS: "500",
        },
        1,
      );
      assert.match(msg, /no answer within the connect timeout/);
      assert.match(msg, /check PGHOST and PGPORT/);
    } finally {
      await proxy.stop();
    }
  });

  it("port already in use: names PORT", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const msg = await failure(
        "src/server.ts",
        { DATABASE_URL: db.url, PORT: String(port), MIGRATE_ON_START: "false" },
        1,
      );
      assert.equal(
        msg,
        `port ${port} is already in use (127.0.0.1:${port}): stop the other process or set PORT to a free port`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("DATABASE_SSL_CA that is missing or not a certificate: names the variable, exit 2", async () => {
    for (const [file, reason] of [
      ["/nonexistent/rds-ca.pem", /cannot read \/nonexistent\/rds-ca\.pem \(ENOENT\)/],
      [path.join(APP_DIR, "package.json"), /is not a PEM certificate bundle/],
    ] as const) {
      const msg = await failure(
        "src/server.ts",
        { DATABASE_URL: db.url, DATABASE_SSL: "verify-full", DATABASE_SSL_CA: file },
        2,
      );
      assert.match(msg, /^Invalid configuration: DATABASE_SSL_CA: /);
      assert.match(msg, reason);
    }
  });

  it("an invalid variable: one line listing each problem, exit 2", async () => {
    const msg = await failure("src/server.ts", { PORT: "eighty", LOG_LEVEL: "loud" }, 2);
    assert.match(msg, /^Invalid configuration: PORT: must be a whole number; LOG_LEVEL: /);
  });

  it("the migration CLI: the same one line for an unreachable database, exit 1", async () => {
    const port = await freePort();
    const msg = await failure(
      "src/migrate.ts",
      { DATABASE_URL: withUrl((u) => (u.port = String(port))) },
      1,
      ["up"],
    );
    assert.match(msg, /cannot reach PostgreSQL at 127\.0\.0\.1:\d+ \(ECONNREFUSED/);
  });

  it("LOG_LEVEL=debug adds the error and its stack to the same single line", async () => {
    const port = await freePort();
    const proc = runTs("src/migrate.ts", {
      ...db.env,
      LOG_LEVEL: "debug",
      DATABASE_URL: withUrl((u) => (u.port = String(port))),
    });
    assert.equal((await proc.exited).code, 1);
    const fatal = proc.lines.map((l) => JSON.parse(l)).filter((l) => l.level === "fatal");
    assert.equal(fatal.length, 1);
    assert.match(fatal[0].err.stack, /ECONNREFUSED/);
  });

  // These need the machine's PostgreSQL server: the embedded database has one database, one
  // user and no TLS negotiation to refuse.
  if (usingRealPostgres) {
    // Where the test server listens (.ci/postgres picks its own port, not 5432).
    const server = () => new URL(db.url);
    const at = () => `${server().hostname}:${server().port || "5432"}`.replace(/\./g, "\\.");

    it("database does not exist (3D000): names it and DATABASE_URL", async () => {
      const msg = await failure(
        "src/server.ts",
        { DATABASE_URL: withUrl((u) => (u.pathname = "/no_such_database")) },
        1,
      );
      assert.match(msg, new RegExp(`^database "no_such_database" does not exist on ${at()}:`));
      assert.match(msg, /fix the database name in DATABASE_URL/);
    });

    it("authentication fails: names the user and the credential variables", async () => {
      const msg = await failure(
        "src/server.ts",
        {
          PGHOST: server().hostname,
          PGPORT: server().port || "5432",
          PGDATABASE: server().pathname.slice(1),
          PGUSER: "no_such_user",
        },
        1,
      );
      assert.match(msg, /refused user "no_such_user"/);
      assert.match(msg, /check PGUSER and PGPASSWORD$/);
    });

    it("DATABASE_SSL=verify-full against a server without TLS: says so and what to set", async () => {
      const msg = await failure(
        "src/server.ts",
        { DATABASE_URL: db.url, DATABASE_SSL: "verify-full" },
        1,
      );
      assert.match(
        msg,
        new RegExp(`^DATABASE_SSL=verify-full but PostgreSQL at ${at()} does not support TLS`),
      );
      assert.match(msg, /set DATABASE_SSL=disable/);
    });

    it("the migration CLI: a missing database, one line, exit 1", async () => {
      const msg = await failure(
        "src/migrate.ts",
        { DATABASE_URL: withUrl((u) => (u.pathname = "/no_such_database")) },
        1,
      );
      assert.match(msg, /database "no_such_database" does not exist/);
    });
  }
});
