import { ConfigError, loadConfig } from "./config";
import { migrate } from "./db/migrate";

/**
 * `npm run migrate -w app [-- up|down [count]]`: applies pending migrations (default) or rolls
 * back the last `count` (default 1). Uses the same environment variables as the service.
 */
async function main(argv: string[]) {
  const [direction = "up", countArg] = argv;
  if (direction !== "up" && direction !== "down") {
    throw new ConfigError([`direction: expected "up" or "down", got "${direction}"`]);
  }
  const count = countArg === undefined ? undefined : Number(countArg);
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) {
    throw new ConfigError([`count: expected a positive integer, got "${countArg}"`]);
  }
  const config = loadConfig();
  if (config.database.embedded) {
    throw new ConfigError(["DATABASE_URL: set it (or PGHOST and friends) to run migrations"]);
  }
  const ran = await migrate(config.database, {
    direction,
    count,
    log: (msg) => process.stdout.write(`${msg}\n`),
  });
  process.stdout.write(`${direction}: ${ran.length} migration(s) applied\n`);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err?.stack ?? err)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
