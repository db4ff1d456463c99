import { randomUUID } from "node:crypto";
import Ajv from "ajv";
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { Logger } from "pino";
import type { Config } from "./config";
import { latestMigrationName } from "./db/migrate";
import { loggerOptions } from "./logger";
import database from "./plugins/database";
import errors from "./plugins/errors";
import staticAssets from "./plugins/static";
import healthRoutes from "./routes/health";
import notesRoutes from "./routes/notes";

declare module "fastify" {
  interface FastifyInstance {
    config: Config;
    /** Set by the shutdown sequence in server.ts; /readyz reports 503 from then on. */
    draining: boolean;
  }
}

export interface BuildOptions {
  /** A pino logger to use instead of one built from config (tests capture lines with it). */
  logger?: Logger;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Validators per request part: query strings and params arrive as text and are coerced
 * ("10" -> 10); JSON bodies are typed already, so a number where a string belongs is a 400,
 * not silently turned into "123".
 */
function validatorCompiler() {
  const shared = { allErrors: false, removeAdditional: false, useDefaults: true } as const;
  const coercing = new Ajv({ ...shared, coerceTypes: "array" });
  const strict = new Ajv({ ...shared, coerceTypes: false });
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === "body" ? strict : coercing).compile(schema);
}

/** Builds the service: plugins for config and database, then app plugins, then routes. */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const logging: Pick<FastifyServerOptions, "logger" | "loggerInstance"> = opts.logger
    ? { loggerInstance: opts.logger }
    : { logger: loggerOptions(config.logLevel) };

  const app = Fastify({
    ...logging,
    // One line per request is written by the onResponse hook below instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    // Longer than the ALB's 60 s idle timeout, so the balancer closes idle connections first.
    keepAliveTimeout: 65_000,
    connectionTimeout: config.requestTimeoutMs,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    trustProxy: true,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: false },
    genReqId: (req) => {
      const incoming = req.headers["x-request-id"];
      return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });
  app.setValidatorCompiler(validatorCompiler());

  app.decorate("config", config);
  app.decorate("draining", false);

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    reply.header("x-content-type-options", "nosniff");
    // The page loads only its own hashed script and stylesheet and calls only this API.
    reply.header("content-security-policy", "default-src 'self'; frame-ancestors 'none'");
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? "(unmatched)",
        path: request.url.split("?")[0].slice(0, 200),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
        userAgent: request.headers["user-agent"],
      },
      "request",
    );
  });

  // External plugins: configuration is already validated; the database pool.
  await app.register(database, { database: config.database });
  // App plugins.
  await app.register(errors);
  await app.register(staticAssets, { root: config.staticDir });
  // Routes.
  await app.register(healthRoutes, {
    schema: config.database.schema,
    latestMigration: latestMigrationName(),
    isDraining: () => app.draining,
  });
  await app.register(notesRoutes);

  return app;
}
