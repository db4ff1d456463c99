import type { FastifyInstance } from "fastify";
import pino from "pino";
import { buildApp } from "./app";
import { ConfigError, loadConfig, type Config } from "./config";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "./db/embedded";
import { migrate } from "./db/migrate";
import { LineBatcher, loggerOptions } from "./logger";

/**
 * Entry point: validate config, start the embedded database if none is configured (development
 * only), run migrations behind the advisory lock, serve, and shut down gracefully on SIGTERM.
 */
async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  // Lines are batched (8 KiB or 1 s) and written synchronously: far fewer write calls than one
  // per line, no thread-pool hop, and nothing lost on exit, which flushes first.
  const destination = new LineBatcher(pino.destination({ dest: 1, sync: true }));
  const log = pino(loggerOptions(config.logLevel), destination);
  process.on("exit", () => destination.flushSync());
  const exit = (code: number) => {
    destination.flushSync();
    process.exit(code);
  };

  let embedded: EmbeddedDatabase | undefined;
  if (config.database.embedded) {
    embedded = await startEmbeddedDatabase({ dataDir: process.env.EMBEDDED_DATA_DIR });
    config.database.url = embedded.url;
    log.info("no DATABASE_URL set: using the embedded PGlite database (development only)");
  }

  if (config.migrateOnStart) {
    const applied = await migrate(config.database, {
      direction: "up",
      log: (msg) => log.info({ component: "migrate" }, msg),
    });
    log.info({ applied: applied.map((m) => m.name) }, "migrations up to date");
  }

  const app = await buildApp(config, { logger: log });
  installShutdown(app, config, log, exit, embedded);
  await app.listen({ host: config.host, port: config.port });
}

function installShutdown(
  app: FastifyInstance,
  config: Config,
  log: pino.Logger,
  exit: (code: number) => void,
  embedded: EmbeddedDatabase | undefined,
) {
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal, graceMs: config.shutdownGraceMs }, "shutting down: draining requests");
    // Past the grace period the task is stopped anyway; exit first and say so.
    const timer = setTimeout(() => {
      log.error("grace period elapsed with requests still in flight; exiting");
      exit(1);
    }, config.shutdownGraceMs);
    timer.unref();

    app.draining = true;
    try {
      // Stops accepting, answers new requests on kept-alive sockets with 503, waits for
      // in-flight requests, then runs onClose hooks (which end the database pool).
      await app.close();
      await embedded?.stop();
      log.info("shutdown complete");
      exit(0);
    } catch (err) {
      log.error({ err }, "error during shutdown");
      exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  process.stderr.write(
    `fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
