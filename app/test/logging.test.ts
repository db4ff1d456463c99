import assert from "node:assert/strict";
import { LineBatcher } from "../src/logger";
import { useApp } from "./helpers/app";

describe("logging", () => {
  const t = useApp({}, (app) => {
    app.get("/test/boom", async () => {
      throw new Error("kaboom with a detail the client must not see");
    });
  });

  beforeEach(() => {
    t.logs.length = 0;
  });

  const requestLines = () => t.logs.filter((l) => l.msg === "request");

  it("writes exactly one JSON line per request with method, route, status, duration, id, agent", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/notes",
      payload: { text: "hello" },
      headers: { "user-agent": "test-agent/1.0", "x-request-id": "req-42" },
    });
    assert.equal(res.statusCode, 201);
    const lines = requestLines();
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line.level, "info");
    assert.equal(line.method, "POST");
    assert.equal(line.route, "/api/notes");
    assert.equal(line.status, 201);
    assert.equal(typeof line.durationMs, "number");
    assert.ok((line.durationMs as number) >= 0);
    assert.equal(line.reqId, "req-42");
    assert.equal(line.userAgent, "test-agent/1.0");
    assert.ok(!Number.isNaN(Date.parse(String(line.time))));
  });

  it("logs the route pattern, not the id, for parameterised routes", async () => {
    await t.app.inject({ url: "/api/notes/00000000-0000-4000-8000-000000000000" });
    const [line] = requestLines();
    assert.equal(line.route, "/api/notes/:id");
    assert.equal(line.status, 404);
  });

  it("logs unhandled errors with their stack and request id, and hides them from the client", async () => {
    const res = await t.app.inject({ url: "/test/boom", headers: { "x-request-id": "req-boom" } });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), {
      error: { code: "internal_error", message: "Internal Server Error", requestId: "req-boom" },
    });
    const errorLine = t.logs.find((l) => l.level === "error");
    assert.ok(errorLine, "an error line");
    assert.equal(errorLine.reqId, "req-boom");
    const err = errorLine.err as { message: string; stack: string };
    assert.match(err.message, /kaboom/);
    assert.match(err.stack, /logging\.test\.ts/);
  });

  it("never writes credentials: auth headers, cookies, passwords, connection strings", async () => {
    await t.app.inject({
      url: "/api/notes",
      headers: { authorization: "Bearer sekrit-token-1", cookie: "session=sekrit-cookie-2" },
    });
    // Whatever a future handler decides to log is redacted by path, wherever it nests.
    t.app.log.info(
      {
        req: { headers: { authorization: "Bearer sekrit-token-3", cookie: "sekrit-cookie-4" } },
        database: { password: "sekrit-pw-5", url: "postgres://u:sekrit-pw-6@h/db" },
        password: "sekrit-pw-7",
      },
      "something",
    );
    const all = JSON.stringify(t.logs);
    assert.doesNotMatch(all, /sekrit/);
    assert.match(all, /\[REDACTED\]/);
  });

  describe("LineBatcher (the service's stdout buffer)", () => {
    it("writes whole lines in order, in chunks, and everything on flushSync", () => {
      const chunks: string[] = [];
      let synced = false;
      const batcher = new LineBatcher(
        { write: (c: string) => chunks.push(c), flushSync: () => (synced = true) },
        100,
        60_000,
      );
      for (let i = 0; i < 10; i++) batcher.write(`{"n":${i},"pad":"${"x".repeat(20)}"}\n`);
      assert.ok(chunks.length >= 2, "flushed on size");
      assert.ok(chunks.every((c) => c.endsWith("\n")));
      batcher.write('{"n":"last"}\n');
      batcher.flushSync();
      assert.ok(synced);
      const lines = chunks
        .join("")
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).n);
      assert.deepEqual(lines, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, "last"]);
    });

    it("flushes on its timer, so a quiet service's lines are not held back", async () => {
      const chunks: string[] = [];
      const batcher = new LineBatcher({ write: (c: string) => chunks.push(c) }, 8192, 50);
      batcher.write("one line\n");
      assert.equal(chunks.length, 0);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(chunks, ["one line\n"]);
    });
  });
});
