import type { FastifyInstance } from "fastify";
import { isMigrationApplied } from "../db/migrate";

export interface HealthOptions {
  schema: string;
  latestMigration: string;
  /** True once shutdown has begun: report not-ready so the load balancer stops sending traffic. */
  isDraining: () => boolean;
  /** FEATURE_* flags, reported when ready so a deploy can be checked for the flags it set. */
  features: Record<string, boolean>;
}

const readyResponse = {
  type: "object",
  properties: {
    status: { type: "string" },
    reason: { type: "string" },
    features: { type: "object", additionalProperties: { type: "boolean" } },
  },
} as const;

export default async function healthRoutes(app: FastifyInstance, opts: HealthOptions) {
  // Liveness: the event loop is serving. No database call, so an outage never gets tasks killed.
  app.get("/healthz", { schema: { response: { 200: readyResponse } } }, async () => ({
    status: "ok",
  }));

  // Readiness: can this instance do useful work right now?
  app.get(
    "/readyz",
    { schema: { response: { 200: readyResponse, 503: readyResponse } } },
    async (_request, reply) => {
      if (opts.isDraining())
        return reply.code(503).send({ status: "unavailable", reason: "draining" });
      try {
        if (!(await isMigrationApplied(app.db, opts.schema, opts.latestMigration))) {
          return reply.code(503).send({
            status: "unavailable",
            reason: `schema not migrated: ${opts.latestMigration} is not applied`,
          });
        }
      } catch (err) {
        const code = (err as { code?: string }).code;
        const reason =
          code === "42P01" ? "schema not migrated: no migrations table" : "database unreachable";
        app.log.warn({ err }, `not ready: ${reason}`);
        return reply.code(503).send({ status: "unavailable", reason });
      }
      return { status: "ready", features: opts.features };
    },
  );
}
