import assert from "node:assert/strict";
import { useApp } from "../helpers/app";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING_ID = "00000000-0000-4000-8000-000000000000";

describe("notes API", () => {
  const t = useApp();

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: "/api/notes", payload: payload as object, headers });

  function assertError(res: { statusCode: number; json(): unknown }, status: number, code: string) {
    assert.equal(res.statusCode, status, JSON.stringify(res.json()));
    const body = res.json() as { error: { code: string; message: string; requestId: string } };
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, "string");
    assert.ok(body.error.message.length > 0);
    assert.equal(typeof body.error.requestId, "string");
    assert.ok(body.error.requestId.length > 0);
  }

  beforeEach(async () => {
    await t.db.query("DELETE FROM notes");
  });

  describe("happy paths", () => {
    it("creates, reads, lists and deletes a note", async () => {
      const created = await post({ text: "buy milk" });
      assert.equal(created.statusCode, 201);
      const note = created.json();
      assert.match(note.id, UUID);
      assert.equal(note.text, "buy milk");
      assert.ok(!Number.isNaN(Date.parse(note.createdAt)));
      assert.equal(created.headers.location, `/api/notes/${note.id}`);

      const read = await t.app.inject({ url: `/api/notes/${note.id}` });
      assert.equal(read.statusCode, 200);
      assert.deepEqual(read.json(), note);

      const list = await t.app.inject({ url: "/api/notes" });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json(), { items: [note], nextCursor: null });

      const del = await t.app.inject({ method: "DELETE", url: `/api/notes/${note.id}` });
      assert.equal(del.statusCode, 204);
      assert.equal(del.body, "");
      assertError(await t.app.inject({ url: `/api/notes/${note.id}` }), 404, "not_found");
      assertError(
        await t.app.inject({ method: "DELETE", url: `/api/notes/${note.id}` }),
        404,
        "not_found",
      );
    });

    it("accepts text of exactly 1 and 2000 characters, and multi-byte text", async () => {
      for (const text of ["x", "y".repeat(2000), "Grüße 👋 日本語"]) {
        const res = await post({ text });
        assert.equal(res.statusCode, 201);
        assert.equal(res.json().text, text);
      }
    });

    it("stores SQL metacharacters as plain text", async () => {
      const text = `'); DROP TABLE notes; -- \\ " $1 %`;
      const res = await post({ text });
      assert.equal(res.statusCode, 201);
      const read = await t.app.inject({ url: `/api/notes/${res.json().id}` });
      assert.equal(read.json().text, text);
      const { rows } = await t.db.query("SELECT count(*)::int AS n FROM notes");
      assert.equal(rows[0].n, 1);
    });

    it("returns a request id header, echoing a well-formed incoming one", async () => {
      const echoed = await t.app.inject({
        url: "/healthz",
        headers: { "x-request-id": "abc-123" },
      });
      assert.equal(echoed.headers["x-request-id"], "abc-123");
      const replaced = await t.app.inject({
        url: "/healthz",
        headers: { "x-request-id": "bad id\u0001<script>" },
      });
      assert.match(String(replaced.headers["x-request-id"]), UUID);
    });
  });

  describe("validation errors (JSON 4xx, never 5xx)", () => {
    const cases: Array<
      [string, () => Promise<{ statusCode: number; json(): unknown }>, number, string]
    > = [
      ["missing text", () => post({}), 400, "validation_failed"],
      ["empty text", () => post({ text: "" }), 400, "validation_failed"],
      [
        "text over 2000 characters",
        () => post({ text: "x".repeat(2001) }),
        400,
        "validation_failed",
      ],
      ["text as a number", () => post({ text: 123 }), 400, "validation_failed"],
      ["text as null", () => post({ text: null }), 400, "validation_failed"],
      ["text as an array", () => post({ text: ["a"] }), 400, "validation_failed"],
      ["text as an object", () => post({ text: { $ne: 1 } }), 400, "validation_failed"],
      ["unknown property", () => post({ text: "a", admin: true }), 400, "validation_failed"],
      ["body is an array", () => post([{ text: "a" }]), 400, "validation_failed"],
      [
        "malformed JSON",
        () => post('{"text": "a"', { "content-type": "application/json" }),
        400,
        "bad_request",
      ],
      [
        "empty JSON body",
        () => post("", { "content-type": "application/json" }),
        400,
        "bad_request",
      ],
      [
        "JSON with a __proto__ key",
        () => post('{"text":"a","__proto__":{"x":1}}', { "content-type": "application/json" }),
        400,
        "bad_request",
      ],
      [
        "unsupported content type",
        () => post("text=a", { "content-type": "application/x-www-form-urlencoded" }),
        415,
        "unsupported_media_type",
      ],
      [
        "body over the size limit",
        () =>
          post(JSON.stringify({ text: "x".repeat(20_000) }), {
            "content-type": "application/json",
          }),
        413,
        "payload_too_large",
      ],
      [
        "id that is not a UUID",
        () => t.app.inject({ url: "/api/notes/123" }),
        400,
        "validation_failed",
      ],
      [
        "id with SQL metacharacters",
        () => t.app.inject({ url: `/api/notes/${encodeURIComponent("1' OR '1'='1")}` }),
        400,
        "validation_failed",
      ],
      [
        "delete with a bad id",
        () => t.app.inject({ method: "DELETE", url: "/api/notes/not-a-uuid" }),
        400,
        "validation_failed",
      ],
      ["unknown note", () => t.app.inject({ url: `/api/notes/${MISSING_ID}` }), 404, "not_found"],
      ["unknown route", () => t.app.inject({ url: "/api/nope" }), 404, "not_found"],
      [
        "unknown method",
        () => t.app.inject({ method: "PUT", url: "/api/notes" }),
        404,
        "not_found",
      ],
      ["limit of 0", () => t.app.inject({ url: "/api/notes?limit=0" }), 400, "validation_failed"],
      [
        "limit of 101",
        () => t.app.inject({ url: "/api/notes?limit=101" }),
        400,
        "validation_failed",
      ],
      [
        "limit not a number",
        () => t.app.inject({ url: "/api/notes?limit=ten" }),
        400,
        "validation_failed",
      ],
      [
        "fractional limit",
        () => t.app.inject({ url: "/api/notes?limit=1.5" }),
        400,
        "validation_failed",
      ],
      [
        "garbage cursor",
        () => t.app.inject({ url: "/api/notes?cursor=%27%3B--" }),
        400,
        "invalid_cursor",
      ],
      [
        "well-encoded cursor with a bad payload",
        () =>
          t.app.inject({
            url: `/api/notes?cursor=${Buffer.from("2024-13-45T00:00:00.000Z|x").toString("base64url")}`,
          }),
        400,
        "invalid_cursor",
      ],
    ];
    for (const [name, send, status, code] of cases) {
      it(`${name} -> ${status} ${code}`, async () => {
        assertError(await send(), status, code);
      });
    }

    it("leaves nothing behind after rejected writes", async () => {
      await post({ text: 5 });
      await post({ text: "" });
      const { rows } = await t.db.query("SELECT count(*)::int AS n FROM notes");
      assert.equal(rows[0].n, 0);
    });
  });

  describe("pagination", () => {
    async function seed(n: number): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push((await post({ text: `note ${i}` })).json().id);
      return ids;
    }

    async function page(query: string) {
      const res = await t.app.inject({ url: `/api/notes${query}` });
      assert.equal(res.statusCode, 200);
      return res.json() as {
        items: Array<{ id: string; createdAt: string }>;
        nextCursor: string | null;
      };
    }

    async function dbOrder(): Promise<string[]> {
      const { rows } = await t.db.query<{ id: string }>(
        "SELECT id FROM notes ORDER BY created_at DESC, id DESC",
      );
      return rows.map((r) => r.id);
    }

    it("returns an empty page for an empty table", async () => {
      assert.deepEqual(await page(""), { items: [], nextCursor: null });
    });

    it("defaults to 20, newest first", async () => {
      await seed(25);
      const first = await page("");
      assert.equal(first.items.length, 20);
      assert.deepEqual(
        first.items.map((n) => n.id),
        (await dbOrder()).slice(0, 20),
      );
      const times = first.items.map((n) => Date.parse(n.createdAt));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
      );
      assert.ok(first.nextCursor);
    });

    it("walks every note exactly once, including notes created in the same millisecond", async () => {
      await seed(3);
      // Equal timestamps: only the id tiebreak keeps keyset pagination from skipping rows.
      await t.db.query(
        `INSERT INTO notes (text, created_at)
         SELECT 'same ms ' || g, '2030-01-01T00:00:00.000Z' FROM generate_series(1, 7) g`,
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const p = await page(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
        assert.ok(p.items.length <= 3);
        seen.push(...p.items.map((n) => n.id));
        cursor = p.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      assert.deepEqual(seen, await dbOrder());
      assert.equal(pages, 4);
    });

    it("has no next cursor when the last page is exactly full", async () => {
      await seed(4);
      const first = await page("?limit=2");
      assert.ok(first.nextCursor);
      const second = await page(`?limit=2&cursor=${first.nextCursor}`);
      assert.equal(second.items.length, 2);
      assert.equal(second.nextCursor, null);
    });

    it("accepts limit 1 and limit 100", async () => {
      await seed(3);
      assert.equal((await page("?limit=1")).items.length, 1);
      assert.equal((await page("?limit=100")).items.length, 3);
    });

    it("continues correctly after the cursor's note is deleted", async () => {
      await seed(5);
      const order = await dbOrder();
      const first = await page("?limit=2");
      await t.app.inject({ method: "DELETE", url: `/api/notes/${first.items[1].id}` });
      const second = await page(`?limit=10&cursor=${first.nextCursor}`);
      assert.deepEqual(
        second.items.map((n) => n.id),
        order.slice(2),
      );
    });
  });
});
