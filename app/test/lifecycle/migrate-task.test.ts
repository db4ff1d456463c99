import assert from "node:assert/strict";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { runTs, startServer } from "../helpers/process";

/**
 * The ECS pattern (README, "Migrations"): a non-essential `migrate` container runs
 * `node dist/migrate.js up` with the service's environment and exits; the app container, with
 * MIGRATE_ON_START=false, starts only after it succeeded. Both halves, as real processes.
 */
describe("migrations as a separate container (real processes)", function () {
  this.timeout(90_000);
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db?.dispose();
  });

  it("MIGRATE_ON_START=false serves unmigrated (not ready) until the migrate run exits 0", async () => {
    const env = { ...db.env, LOG_LEVEL: "info", MIGRATE_ON_START: "false" };
    const server = await startServer(env);
    try {
      const before = await fetch(`${server.baseUrl}/readyz`);
      assert.equal(before.status, 503);
      assert.deepEqual(await before.json(), {
        status: "unavailable",
        reason: "schema not migrated: no migrations table",
      });
      assert.ok(!server.lines.some((l) => l.includes('"component":"migrate"')), "no migration");

      // The migrate container: same environment, its own process, exit code is the verdict.
      const migrate = runTs("src/migrate.ts", env, ["up"]);
      const { code } = await migrate.exited;
      assert.equal(code, 0, migrate.lines.join("\n"));
      assert.match(migrate.lines.join("\n"), /up: [1-9]\d* migration\(s\) applied/);

      assert.equal((await fetch(`${server.baseUrl}/readyz`)).status, 200);
    } finally {
      server.kill("SIGTERM");
    }
    assert.equal((await server.exited).code, 0);
  });
});
