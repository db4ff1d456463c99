import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import Ajv from "ajv";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import type { Config } from "./config";
import { latestMigrationName } from "./db/migrate";
import { lazyChildLoggerFactory, loggerOptions, RequestLogController } from "./logger";
import database from "./plugins/database";
import activeClients from "./plugins/active-clients";
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
  /** Window of the `ActiveClients` metric (ms). Default 5 minutes, the dashboard's period. */
  activeClientsWindowMs?: number;
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

/**
 * JSON bodies must be valid UTF-8. Node's default decoding replaces invalid bytes with U+FFFD,
 * which would store something other than what the client sent; reject them instead. Parsing is
 * otherwise Fastify's own (prototype-poisoning checks included).
 */
function strictUtf8Json(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    if (!isUtf8(body as Buffer)) {
      done(Object.assign(new Error("Body is not valid UTF-8"), { statusCode: 400 }), undefined);
      return;
    }
    parseJson(request, (body as Buffer).toString("utf8"), done);
  });
}

/** Builds the service: plugins for config and database, then app plugins, then routes. */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const log = opts.logger ?? pino(loggerOptions(config.logLevel));

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    childLoggerFactory: lazyChildLoggerFactory,
    // One line per request, written once the response is sent.
    logController: new RequestLogController(log),
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    // Longer than the ALB's 60 s idle timeout, so the balancer closes idle connections first.
    keepAliveTimeout: 65_000,
    connectionTimeout: config.requestTimeoutMs,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // The way in is CloudFront, then the load balancer: each appends the address it received
    // the request from to X-Forwarded-For (CloudFront: "Client IP addresses" in
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html;
    // the load balancer's default `append` mode:
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html),
    // so the client's address is TRUST_PROXY_HOPS (2) entries back: hop 0 is the socket's peer
    // (the load balancer), hop 1 the entry it wrote (the CloudFront edge), hop 2 the entry
    // CloudFront wrote. `true` would take the leftmost entry, which the client writes itself. A
    // plain number does not do this: Fastify 5 turns `trustProxy: <number>` into "trust nothing"
    // (node_modules/fastify/lib/request.js, getTrustProxyFn), so the hop count is a function. It
    // need not check the peer's address: the task's security group admits only the load balancer.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: false },
    genReqId: (req) => {
      const incoming = req.headers["x-request-id"];
      return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });
  app.setValidatorCompiler(validatorCompiler());
  strictUtf8Json(app);

  app.decorate("config", config);
  app.decorate("draining", false);

  // Callback style, not async: this runs on every request and a promise per hook shows up in
  // the benchmark.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    reply.header("x-content-type-options", "nosniff");
    done();
  });

  // External plugins: configuration is already validated; the database pool.
  await app.register(database, { database: config.database });
  // App plugins.
  await app.register(errors);
  await app.register(activeClients, {
    metrics: config.metrics,
    windowMs: opts.activeClientsWindowMs ?? 5 * 60_000,
    maxTracked: 100_000,
  });
  await app.register(staticAssets, { root: config.staticDir });
  // Routes.
  await app.register(healthRoutes, {
    schema: config.database.schema,
    latestMigration: latestMigrationName(),
    isDraining: () => app.draining,
    features: config.features,
  });
  await app.register(notesRoutes);

  return app;
}
