import { ConfigError } from "./config";
import { migrate } from "./db/migrate";
import { logConnectRetry, runEntryPoint } from "./startup";

/**
 * `npm run migrate -w app [-- up|down [count]]`, or `node dist/migrate.js up` in the image:
 * applies pending migrations (default) or rolls back the last `count` (default 1), then exits 0.
 * Uses the same environment variables as the service, and the same one-line failures.
 */
runEntryPoint(async ({ config, log, exit }) => {
  const [direction = "up", countArg] = process.argv.slice(2);
  if (direction !== "up" && direction !== "down") {
    throw new ConfigError([`direction: expected "up" or "down", got "${direction}"`]);
  }
  const count = countArg === undefined ? undefined : Number(countArg);
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
    throw new ConfigError([`count: expected a positive integer, got "${countArg}"`]);
  }
  if (config.database.embedded) {
    throw new ConfigError(["DATABASE_URL: set it (or PGHOST and friends) to run migrations"]);
  }
  const ran = await migrate(config.database, {
    direction,
    count,
    log: (msg) => log.info({ component: "migrate" }, msg),
    onRetry: logConnectRetry(log, "migrate"),
  });
  log.info(
    { component: "migrate", applied: ran.map((m) => m.name) },
    `${direction}: ${ran.length} migration(s) applied`,
  );
  exit(0);
});
