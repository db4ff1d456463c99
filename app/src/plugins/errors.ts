import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { isUnavailableError } from "../db/pool";

/** The one error shape every route returns: `{ error: { code, message, requestId } }`. */
export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
): FastifyReply {
  return reply
    .code(status)
    .type("application/json; charset=utf-8")
    .send({ error: { code, message, requestId: reply.request.id } });
}

const CODE_BY_STATUS: Record<number, string> = {
  400: "bad_request",
  404: "not_found",
  405: "method_not_allowed",
  406: "not_acceptable",
  408: "request_timeout",
  413: "payload_too_large",
  414: "uri_too_long",
  415: "unsupported_media_type",
  429: "too_many_requests",
  431: "headers_too_large",
  503: "service_unavailable",
};

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.validation) {
    const [first] = error.validation;
    const where = `${error.validationContext ?? "request"}${first?.instancePath ?? ""}`;
    // Ajv's pattern message would echo the whole regular expression back to the client.
    const message =
      first?.keyword === "pattern" ? "has an invalid format" : (first?.message ?? error.message);
    return sendError(reply, 400, "validation_failed", `${where} ${message}`);
  }
  if (isUnavailableError(error)) {
    request.log.warn({ err: error }, "database unavailable");
    return sendError(reply, 503, "service_unavailable", "The database is unavailable; retry later");
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (bad JSON, body too large, bad content type) carry safe messages.
    return sendError(reply, status, CODE_BY_STATUS[status] ?? "bad_request", error.message);
  }
  request.log.error({ err: error }, "unhandled error");
  return sendError(reply, 500, "internal_error", "Internal Server Error");
}

export default fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler(handleError);
    app.setNotFoundHandler((request, reply) =>
      sendError(reply, 404, "not_found", `Route ${request.method} ${request.url} not found`),
    );
  },
  { name: "errors" },
);
