import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildAssets } from "../../../app/scripts/build-assets";
import { createTestDatabase, type TestDatabase } from "../../../app/test/helpers/database";
import { APP_DIR, killAll, startServer } from "../../../app/test/helpers/process";

export interface LocalService {
  /** http://127.0.0.1:<port>, once listening (and migrated: the server migrates on start). */
  baseUrl: string;
}

/**
 * The real notes service for a `describe` block, as the app's lifecycle tests start it: its own
 * process on a free port, its own schema on TEST_DATABASE_URL (or an embedded PostgreSQL), the
 * page built with hashed names into a temporary directory. All of it is stopped and removed
 * afterwards, even when a test failed.
 */
export function useLocalService(): LocalService {
  const ctx = { baseUrl: "" };
  let db: TestDatabase | undefined;
  let staticDir: string | undefined;
  before(async function () {
    this.timeout(120_000);
    staticDir = mkdtempSync(path.join(tmpdir(), "smoke-assets-"));
    buildAssets(path.join(APP_DIR, "public"), staticDir);
    db = await createTestDatabase();
    ctx.baseUrl = (await startServer({ ...db.env, STATIC_DIR: staticDir })).baseUrl;
  });
  after(async function () {
    this.timeout(60_000);
    // Also a server that never said it was listening (startServer gave up on it).
    await killAll();
    await db?.dispose();
    if (staticDir) rmSync(staticDir, { recursive: true, force: true });
  });
  return ctx;
}
