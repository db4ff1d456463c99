import type { FastifyInstance } from "fastify";
import { emfCount } from "../metrics";
import { sendError } from "../plugins/errors";

const UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
export const MAX_TEXT = 2000;

/**
 * What PostgreSQL `text` cannot hold exactly: NUL, and UTF-16 surrogates that are not part of a
 * pair (JSON's "\ud800" escape yields one; UTF-8 has no encoding for it, so it would come back
 * as U+FFFD). With the `u` flag a valid pair is one code point, so only lone halves match \p{Cs}.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const isStorable = (text: string) => !text.includes("\u0000") && !LONE_SURROGATE.test(text);

const note = {
  type: "object",
  required: ["id", "text", "createdAt"],
  properties: {
    id: { type: "string" },
    text: { type: "string" },
    createdAt: { type: "string" },
  },
} as const;

const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", pattern: UUID } },
} as const;

interface NoteRow {
  id: string;
  text: string;
  created_at: Date;
}

const toNote = (row: NoteRow) => ({
  id: row.id,
  text: row.text,
  createdAt: row.created_at.toISOString(),
});

/**
 * Keyset cursor: the (created_at, id) of the last note on the page, opaque to clients.
 * created_at has millisecond precision in the schema, so the ISO string is exact.
 */
export function encodeCursor(row: NoteRow): string {
  return Buffer.from(`${row.created_at.toISOString()}|${row.id}`).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } | undefined {
  const decoded = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f-]{36})$/i.exec(decoded);
  if (!match || Number.isNaN(Date.parse(match[1]))) return undefined;
  if (!new RegExp(UUID).test(match[2])) return undefined;
  return { createdAt: match[1], id: match[2] };
}

export default async function notesRoutes(app: FastifyInstance) {
  app.post<{ Body: { text: string } }>(
    "/api/notes",
    {
      schema: {
        body: {
          type: "object",
          required: ["text"],
          additionalProperties: false,
          properties: { text: { type: "string", minLength: 1, maxLength: MAX_TEXT } },
        },
        response: { 201: note },
      },
    },
    async (request, reply) => {
      // Rejected, never altered: what a client writes is what it reads back.
      if (!isStorable(request.body.text)) {
        return sendError(
          reply,
          400,
          "validation_failed",
          "body/text must not contain NUL (U+0000) or unpaired UTF-16 surrogates (invalid Unicode)",
        );
      }
      const { rows } = await app.db.query<NoteRow>(
        "INSERT INTO notes (text) VALUES ($1) RETURNING id, text, created_at",
        [request.body.text],
      );
      request.log.info(emfCount(app.config.metrics, "notesCreated"), "note created");
      return reply.code(201).header("location", `/api/notes/${rows[0].id}`).send(toNote(rows[0]));
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    "/api/notes",
    {
      schema: {
        querystring: {
          type: "object",
          properties: {
            limit: { type: "integer", minimum: 1, maximum: 100, default: 20 },
            cursor: { type: "string", minLength: 1, maxLength: 200 },
          },
        },
        response: {
          200: {
            type: "object",
            required: ["items", "nextCursor"],
            properties: {
              items: { type: "array", items: note },
              nextCursor: { type: ["string", "null"] },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && !after) {
        return sendError(reply, 400, "invalid_cursor", "querystring/cursor is not a valid cursor");
      }
      // One row more than asked tells whether another page exists.
      const { rows } = await app.db.query<NoteRow>(
        `SELECT id, text, created_at FROM notes
          WHERE $2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid)
          ORDER BY created_at DESC, id DESC
          LIMIT $1`,
        [limit + 1, after?.createdAt ?? null, after?.id ?? null],
      );
      const page = rows.slice(0, limit);
      const nextCursor = rows.length > limit ? encodeCursor(page[page.length - 1]) : null;
      return { items: page.map(toNote), nextCursor };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/notes/:id",
    { schema: { params: idParams, response: { 200: note } } },
    async (request, reply) => {
      const { rows } = await app.db.query<NoteRow>(
        "SELECT id, text, created_at FROM notes WHERE id = $1",
        [request.params.id],
      );
      if (rows.length === 0) return sendError(reply, 404, "not_found", "Note not found");
      return toNote(rows[0]);
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api/notes/:id",
    { schema: { params: idParams } },
    async (request, reply) => {
      const { rowCount } = await app.db.query("DELETE FROM notes WHERE id = $1", [
        request.params.id,
      ]);
      if (rowCount === 0) return sendError(reply, 404, "not_found", "Note not found");
      request.log.info(emfCount(app.config.metrics, "notesDeleted"), "note deleted");
      return reply.code(204).send();
    },
  );
}
