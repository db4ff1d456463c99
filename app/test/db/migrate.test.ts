import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { PG_MIGRATE_LOCK_ID } from "node-pg-migrate";
import pg from "pg";
import { MIGRATIONS_DIR } from "../../src/db/migrate";
import { createTestDatabase, usingRealPostgres, type TestDatabase } from "../helpers/database";
import { runTs } from "../helpers/process";

const files = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith(".sql"))
  .map((f) => f.replace(/\.sql$/, ""))
  .sort();

async function waitFor(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe("migrations (npm run migrate)", function () {
  this.timeout(120_000);
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.dispose();
  });

  const applied = async () =>
    (await db.query<{ name: string }>("SELECT name FROM pgmigrations ORDER BY id")).rows.map(
      (r) => r.name,
    );
  const notesTable = async () =>
    (await db.query("SELECT to_regclass('notes') IS NOT NULL AS present")).rows[0].present;

  // The CLI logs its progress at info (NODE_ENV=test alone would make it silent).
  const cliEnv = () => ({ ...db.env, LOG_LEVEL: "info" });

  async function runMigrate(...args: string[]) {
    const proc = runTs("src/migrate.ts", cliEnv(), args);
    const { code } = await proc.exited;
    return { code, out: proc.lines.join("\n") };
  }

  it("concurrent runners on an empty database wait for the lock, then apply each migration once", async () => {
    // Play the part of a runner already in progress: hold the migration lock in a transaction.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock($1::bigint)", [String(PG_MIGRATE_LOCK_ID)]);
      const runs = [1, 2, 3, 4].map(() => runTs("src/migrate.ts", cliEnv(), ["up"]));
      const exits = runs.map((r) => r.exited);
      if (usingRealPostgres) {
        await waitFor(async () => {
          const { rows } = await holder.query(
            "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
          );
          return rows[0].n === runs.length;
          // Four ts-node processes starting on a loaded 2-core machine took over 30 s once.
        }, 60_000);
      } else {
        // The embedded server has no pg_locks to watch; give every runner time to start.
        await sleep(5000);
      }
      const early = await Promise.race([
        Promise.any(exits).then(() => "a runner finished while the lock was held"),
        sleep(300).then(() => "all waiting"),
      ]);
      assert.equal(early, "all waiting");
      await holder.query("COMMIT");

      const results = await Promise.all(exits);
      const outs = runs.map((r) => r.lines.join("\n"));
      results.forEach((r, i) => assert.equal(r.code, 0, outs[i]));
      const counts = outs.map((o) => Number(/up: (\d+) migration\(s\) applied/.exec(o)?.[1]));
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        files.length,
        `per-runner counts ${counts}`,
      );
      assert.deepEqual(await applied(), files);
      assert.equal(await notesTable(), true);
    } finally {
      await holder.end();
    }
  });

  it("is a no-op when already up to date", async () => {
    const r = await runMigrate();
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /up: 0 migration\(s\) applied/);
    assert.deepEqual(await applied(), files);
  });

  it("rolls back the latest migration with `down`, and reapplies it with `up`", async () => {
    await db.query("INSERT INTO notes (text) VALUES ('kept across nothing')");
    const down = await runMigrate("down");
    assert.equal(down.code, 0, down.out);
    assert.match(down.out, /down: 1 migration\(s\) applied/);
    assert.deepEqual(await applied(), files.slice(0, -1));
    assert.equal(await notesTable(), false);

    const up = await runMigrate("up");
    assert.equal(up.code, 0, up.out);
    assert.deepEqual(await applied(), files);
    assert.equal(await notesTable(), true);
  });

  it("rejects a bad direction or count with exit code 2", async () => {
    for (const args of [["sideways"], ["down", "0"], ["down", "two"]]) {
      const r = await runMigrate(...args);
      assert.equal(r.code, 2, r.out);
    }
  });
});
