import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { buildApp } from "./app";
import type { Config } from "./config";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "./db/embedded";
import { migrate } from "./db/migrate";
import { logConnectRetry, runEntryPoint } from "./startup";

/**
 * Entry point: validate config, start the embedded database if none is configured (development
 * only), run migrations behind the advisory lock, serve, and shut down gracefully on SIGTERM.
 * A start-up failure is one log line naming what to change (src/startup.ts).
 */
runEntryPoint(async ({ config, log, exit }) => {
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
      onRetry: logConnectRetry(log, "migrate"),
    });
    log.info({ applied: applied.map((m) => m.name) }, "migrations up to date");
  }

  const app = await buildApp(config, { logger: log });
  installShutdown(app, config, log, exit, embedded);
  await app.listen({ host: config.host, port: config.port });
});

function installShutdown(
  app: FastifyInstance,
  config: Config,
  log: Logger,
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
