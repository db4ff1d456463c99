import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { startServer, type RunningServer } from "../helpers/process";
import { TcpProxy } from "../helpers/tcp-proxy";

describe("database outage and recovery (real process, real port)", function () {
  this.timeout(90_000);
  let db: TestDatabase;
  let proxy: TcpProxy;
  let server: RunningServer;
  const acknowledged: string[] = [];

  before(async () => {
    db = await createTestDatabase();
    proxy = TcpProxy.forUrl(db.url);
    await proxy.start();
    server = await startServer({
      ...db.env,
      DATABASE_URL: proxy.rewrite(db.url),
      DATABASE_CONNECT_TIMEOUT_MS: "1000",
      DATABASE_STATEMENT_TIMEOUT_MS: "1000",
    });
  });
  after(async () => {
    server?.kill("SIGTERM");
    await server?.exited;
    await proxy?.stop();
    await db?.dispose();
  });

  async function call(method: string, path: string, body?: unknown) {
    const started = Date.now();
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return {
      status: res.status,
      json: text ? JSON.parse(text) : undefined,
      ms: Date.now() - started,
    };
  }

  async function createNote(text: string) {
    const res = await call("POST", "/api/notes", { text });
    if (res.status === 201) acknowledged.push(res.json.id);
    return res;
  }

  async function waitForReady(expected: number, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    let last = await call("GET", "/readyz");
    while (last.status !== expected && Date.now() < deadline) {
      await sleep(200);
      last = await call("GET", "/readyz");
    }
    return last;
  }

  it("serves normally before the outage", async () => {
    for (let i = 0; i < 5; i++) assert.equal((await createNote(`before ${i}`)).status, 201);
    assert.equal((await call("GET", "/readyz")).status, 200);
  });

  it("when PostgreSQL refuses connections: stays up, not ready, API answers 503 fast", async () => {
    proxy.cut("down");
    assert.equal((await call("GET", "/healthz")).status, 200);
    const ready = await waitForReady(503, 5000);
    assert.equal(ready.status, 503);
    assert.equal(ready.json.reason, "database unreachable");
    for (const res of [
      await createNote("during outage"),
      await call("GET", "/api/notes"),
      await call("GET", `/api/notes/${acknowledged[0]}`),
    ]) {
      assert.equal(res.status, 503);
      assert.equal(res.json.error.code, "service_unavailable");
      assert.ok(res.ms < 3000, `answered in ${res.ms} ms`);
    }
  });

  it("when the network path goes silent: API answers 503 within the connect timeout", async () => {
    proxy.cut("blackhole");
    const res = await createNote("into the void");
    assert.equal(res.status, 503);
    assert.ok(res.ms < 4000, `answered in ${res.ms} ms`);
    assert.equal((await call("GET", "/healthz")).status, 200);
  });

  it("when the connection drops mid-query: that request gets 503, the process survives", async () => {
    proxy.restore();
    assert.equal((await waitForReady(200, 15_000)).status, 200);
    proxy.delayMs = 1500;
    const pending = createNote("cut mid-query");
    await sleep(300);
    proxy.cut("down");
    proxy.delayMs = 0;
    const res = await pending;
    assert.equal(res.status, 503);
    assert.equal(server.child.exitCode, null);
  });

  it("recovers by itself when PostgreSQL returns, with no acknowledged write lost", async () => {
    proxy.restore();
    const ready = await waitForReady(200, 15_000);
    assert.equal(ready.status, 200);
    assert.equal((await createNote("after recovery")).status, 201);
    for (const id of acknowledged) {
      assert.equal((await call("GET", `/api/notes/${id}`)).status, 200, id);
    }
    const { rows } = await db.query("SELECT id FROM notes");
    assert.deepEqual(rows.map((r) => r.id).sort(), [...acknowledged].sort());
    assert.equal(server.child.exitCode, null);
    assert.ok(!server.lines.some((l) => /"level":"(fatal)"|Unhandled|uncaught/i.test(l)));
  });
});
