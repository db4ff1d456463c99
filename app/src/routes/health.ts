import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { contract } from "../contract";
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

/**
 * The readiness detail (feature flags, migration names, reasons) is for callers inside the VPC
 * only. Every request that comes through the load balancer (and so every public one, through
 * CloudFront) carries X-Forwarded-For, which the load balancer appends and a client cannot
 * remove; the load balancer's own health checks, and anything calling a task's address
 * directly from inside the VPC, do not. So: a forwarded request gets the status alone. (The load
 * balancer's default `append` mode adds the header when a request has none:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html;
 * test/infra/load-balancer.test.ts keeps that mode.) The origin secret header could not tell the
 * two apart: CloudFront adds it to every request it forwards, public ones included.
 */
export function isDirectRequest(request: FastifyRequest): boolean {
  const h = request.headers;
  return h["x-forwarded-for"] === undefined && h.forwarded === undefined && h.via === undefined;
}

export default async function healthRoutes(app: FastifyInstance, opts: HealthOptions) {
  // Liveness: the event loop is serving. No database call, so an outage never gets tasks killed.
  app.get(contract.health.liveness, { schema: { response: { 200: readyResponse } } }, async () => ({
    status: "ok",
  }));

  // Readiness: can this instance do useful work right now?
  app.get(
    contract.health.readiness,
    { schema: { response: { 200: readyResponse, 503: readyResponse } } },
    async (request, reply) => {
      const detailed = isDirectRequest(request);
      const unavailable = (r: FastifyReply, reason: string) =>
        r.code(503).send(detailed ? { status: "unavailable", reason } : { status: "unavailable" });
      if (opts.isDraining()) return unavailable(reply, "draining");
      try {
        if (!(await isMigrationApplied(app.db, opts.schema, opts.latestMigration))) {
          return unavailable(reply, `schema not migrated: ${opts.latestMigration} is not applied`);
        }
      } catch (err) {
        const code = (err as { code?: string }).code;
        const reason =
          code === "42P01" ? "schema not migrated: no migrations table" : "database unreachable";
        app.log.warn({ err }, `not ready: ${reason}`);
        return unavailable(reply, reason);
      }
      return detailed ? { status: "ready", features: opts.features } : { status: "ready" };
    },
  );
}
