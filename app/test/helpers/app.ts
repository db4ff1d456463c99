import type { FastifyInstance } from "fastify";
import pino from "pino";
import { Writable } from "node:stream";
import { buildApp, type BuildOptions } from "../../src/app";
import { loggerOptions } from "../../src/logger";
import { createTestDatabase, type TestDatabase } from "./database";

export interface TestApp {
  app: FastifyInstance;
  db: TestDatabase;
  /** Every JSON line the app logged, parsed. */
  logs: Array<Record<string, unknown>>;
}

/**
 * Builds the app for a `describe` block against its own database and always closes both, like
 * Fastify's demo helper. Route tests use `app.inject`; lifecycle tests use a real process.
 */
export function useApp(
  opts: {
    migrate?: boolean;
    env?: Record<string, string>;
    build?: Omit<BuildOptions, "logger">;
  } = {},
  beforeReady?: (app: FastifyInstance) => void,
): TestApp {
  const ctx = { logs: [] } as unknown as TestApp;
  before(async function () {
    this.timeout(60_000);
    ctx.db = await createTestDatabase();
    if (opts.migrate !== false) await ctx.db.migrate();
    const config = ctx.db.config({ LOG_LEVEL: "info", ...opts.env });
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split("\n").filter(Boolean))
          ctx.logs.push(JSON.parse(line));
        done();
      },
    });
    ctx.app = await buildApp(config, {
      ...opts.build,
      logger: pino(loggerOptions(config.logLevel), sink),
    });
    beforeReady?.(ctx.app);
    await ctx.app.ready();
  });
  after(async () => {
    await ctx.app?.close();
    await ctx.db?.dispose();
  });
  return ctx;
}
