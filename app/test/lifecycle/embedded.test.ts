import assert from "node:assert/strict";
import { startServer } from "../helpers/process";

describe("local run with no database configured (real process)", function () {
  this.timeout(60_000);

  it("starts the embedded PostgreSQL, migrates it, serves the API, and stops cleanly", async () => {
    // No DATABASE_URL, no PG* variables: what `npm run dev` does on a fresh machine.
    const server = await startServer({});
    try {
      assert.ok(server.lines.some((l) => l.includes("using the embedded PGlite database")));
      assert.equal((await fetch(`${server.baseUrl}/readyz`)).status, 200);
      const created = await fetch(`${server.baseUrl}/api/notes`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: "from the embedded database" }),
      });
      assert.equal(created.status, 201);
      const { id } = (await created.json()) as { id: string };
      const list = (await (await fetch(`${server.baseUrl}/api/notes`)).json()) as {
        items: Array<{ id: string }>;
      };
      assert.deepEqual(
        list.items.map((n) => n.id),
        [id],
      );
    } finally {
      server.kill("SIGTERM");
    }
    const { code } = await server.exited;
    assert.equal(code, 0);
  });
});
