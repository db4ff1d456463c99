import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrate } from "../../src/db/migrate";
import { createTestDatabase, usingRealPostgres, type TestDatabase } from "../helpers/database";
import { runTs, type RunningProcess } from "../helpers/process";
import { TcpProxy } from "../helpers/tcp-proxy";

/**
 * The first connection of a start-up step is retried while the database is not reachable yet
 * (src/db/connect.ts): the migrate container against a proxy endpoint that refuses, then
 * appears; a server that answers "starting up"; and the failures that must not be waited out.
 * Real processes, through a TCP proxy in front of the test database.
 */
describe("first connection retried with a bounded backoff (real processes)", function () {
  this.timeout(90_000);
  let db: TestDatabase;
  let proxy: TcpProxy;

  beforeEach(async () => {
    db = await createTestDatabase();
    proxy = TcpProxy.forUrl(db.url);
    await proxy.start();
  });
  afterEach(async () => {
    await proxy?.stop();
    await db?.dispose();
  });

  const parsed = (proc: RunningProcess) =>
    proc.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const retries = (proc: RunningProcess) =>
    parsed(proc).filter((l) => l.level === "warn" && /retrying in/.test(String(l.msg)));
  const env = (extra: Record<string, string> = {}) => ({
    ...db.env,
    DATABASE_URL: proxy.rewrite(db.url),
    LOG_LEVEL: "info",
    DATABASE_CONNECT_RETRY_MS: "60000",
    ...extra,
  });

  it("the migrate container waits while the endpoint refuses connections, then migrates once it listens", async () => {
    await proxy.refuse();
    const proc = runTs("src/migrate.ts", env(), ["up"]);
    // Two refused attempts logged (1 s, then 2 s waits), then the endpoint appears.
    await proc.waitForLine(/"attempt":2,/, 60_000);
    await proxy.listenAgain();
    const { code } = await proc.exited;
    assert.equal(code, 0, proc.lines.join("\n"));

    const logged = retries(proc);
    assert.ok(logged.length >= 2, proc.lines.join("\n"));
    logged.forEach((line, i) => {
      assert.equal(line.attempt, i + 1, "attempts numbered in order");
      assert.equal(line.code, "ECONNREFUSED");
      assert.equal(line.component, "migrate");
      assert.equal(line.budgetMs, 60_000);
      assert.equal(typeof line.retryInMs, "number");
    });
    // 1 s, then 2 s, each ±20 %.
    assert.ok(Number(logged[0].retryInMs) >= 800 && Number(logged[0].retryInMs) <= 1200);
    assert.ok(Number(logged[1].retryInMs) >= 1600 && Number(logged[1].retryInMs) <= 2400);
    assert.match(proc.lines.join("\n"), /up: [1-9]\d* migration\(s\) applied/);
    const { rows } = await db.query("SELECT to_regclass('notes') IS NOT NULL AS present");
    assert.equal(rows[0].present, true);
  });

  it("a server answering 57P03 (starting up) is waited for; the server itself migrates and listens", async () => {
    proxy.mode = "reject";
    proxy.rejectWith = { code: "57P03", message: "the database system is starting up" };
    const proc = runTs("src/server.ts", { ...env(), HOST: "127.0.0.1", PORT: "0" });
    await proc.waitForLine(/"code":"57P03"/, 60_000);
    proxy.restore();
    const listening = await proc.waitForLine(/Server listening at http:\/\/127\.0\.0\.1:\d+/);
    const port = /127\.0\.0\.1:(\d+)/.exec(listening)?.[1];
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(ready.status, 200);
    assert.match(String(retries(proc)[0].msg), /the database system is starting up/);
    proc.kill("SIGTERM");
    assert.equal((await proc.exited).code, 0);
  });

  it("gives up when the budget is spent: one fatal line saying how many attempts over how long", async () => {
    await proxy.refuse();
    const started = Date.now();
    const proc = runTs("src/migrate.ts", env({ DATABASE_CONNECT_RETRY_MS: "2000" }), ["up"]);
    const { code } = await proc.exited;
    assert.equal(code, 1);
    // With ±20 % jitter the second attempt comes at 0.8-1.2 s and a third would at 2.4-3.6 s:
    // a 2 s budget allows exactly two attempts, one retry line, whatever the jitter draws (a
    // 2.5 s budget let a third in when both waits drew short: 0.84 + 1.60 s).
    assert.equal(retries(proc).length, 1, proc.lines.join("\n"));
    const fatal = parsed(proc).filter((l) => l.level === "fatal");
    assert.equal(fatal.length, 1);
    assert.match(
      String(fatal[0].msg),
      /^cannot reach PostgreSQL at 127\.0\.0\.1:\d+ \(ECONNREFUSED/,
    );
    assert.match(String(fatal[0].msg), /gave up after 2 connection attempts over \d+ s/);
    assert.ok(Date.now() - started < 30_000);
  });

  it("an authentication failure is not retried, even with a retry budget", async () => {
    proxy.mode = "reject";
    proxy.rejectWith = { code: "28P01", message: 'password authentication failed for user "x"' };
    const proc = runTs("src/migrate.ts", env(), ["up"]);
    const { code } = await proc.exited;
    assert.equal(code, 1);
    assert.equal(proxy.connections, 1, "one attempt only");
    assert.equal(retries(proc).length, 0, proc.lines.join("\n"));
    const [fatal] = parsed(proc).filter((l) => l.level === "fatal");
    assert.match(String(fatal.msg), /refused user/);
    assert.doesNotMatch(String(fatal.msg), /gave up after/);
  });

  if (usingRealPostgres) {
    it("the real server refusing an unknown role (28000) fails at once, not after the budget", async () => {
      const u = new URL(db.url);
      u.username = "no_such_role";
      const started = Date.now();
      const proc = runTs("src/migrate.ts", env({ DATABASE_URL: u.toString() }), ["up"]);
      const { code } = await proc.exited;
      assert.equal(code, 1);
      assert.equal(retries(proc).length, 0, proc.lines.join("\n"));
      assert.match(proc.lines.join("\n"), /refused user \\"no_such_role\\"/);
      assert.ok(Date.now() - started < 20_000, "well inside the 60 s budget");
    });
  }

  it("a failing migration is not retried: only the connection is", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bad-migration-"));
    try {
      writeFileSync(
        path.join(dir, "1700000000000_broken.sql"),
        "-- Up Migration\nCREATE TABLE broken (;\n-- Down Migration\nDROP TABLE broken;\n",
      );
      let notices = 0;
      await assert.rejects(
        migrate(db.config({ DATABASE_CONNECT_RETRY_MS: "60000" }).database, {
          direction: "up",
          dir,
          onRetry: () => notices++,
        }),
        (err: Error & { code?: string }) => err.code === "42601",
      );
      assert.equal(notices, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
