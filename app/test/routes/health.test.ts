import assert from "node:assert/strict";
import { useApp } from "../helpers/app";

describe("health endpoints", () => {
  describe("on a migrated database", () => {
    const t = useApp();

    it("GET /healthz answers 200 without touching the database", async () => {
      const before = t.app.db.totalCount;
      const res = await t.app.inject({ url: "/healthz" });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: "ok" });
      assert.equal(t.app.db.totalCount, before);
    });

    it("GET /readyz answers 200 when the schema is at the latest migration", async () => {
      const res = await t.app.inject({ url: "/readyz" });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: "ready", features: {} });
    });

    it("GET /readyz answers 503 while draining, /healthz stays 200", async () => {
      t.app.draining = true;
      try {
        const res = await t.app.inject({ url: "/readyz" });
        assert.equal(res.statusCode, 503);
        assert.deepEqual(res.json(), { status: "unavailable", reason: "draining" });
        assert.equal((await t.app.inject({ url: "/healthz" })).statusCode, 200);
      } finally {
        t.app.draining = false;
      }
    });

    it("GET /readyz answers 503 when the latest migration has been rolled back", async () => {
      await t.db.query("UPDATE pgmigrations SET name = name || '-renamed'");
      try {
        const res = await t.app.inject({ url: "/readyz" });
        assert.equal(res.statusCode, 503);
        assert.match(res.json().reason, /^schema not migrated: \d+_create-notes is not applied$/);
      } finally {
        await t.db.query("UPDATE pgmigrations SET name = replace(name, '-renamed', '')");
      }
      assert.equal((await t.app.inject({ url: "/readyz" })).statusCode, 200);
    });
  });

  describe("with feature flags set", () => {
    const t = useApp({ env: { FEATURE_NEW_EDITOR: "true", FEATURE_DARK_MODE: "false" } });

    it("GET /readyz reports each FEATURE_* flag by its lowercase name to a direct caller", async () => {
      const res = await t.app.inject({ url: "/readyz" });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {
        status: "ready",
        features: { new_editor: true, dark_mode: false },
      });
    });

    // What CloudFront then the load balancer send: the client's address, then the edge's.
    const throughCdn = {
      "x-forwarded-for": "198.51.100.7, 130.176.1.10",
      via: "2.0 0123456789abcdef.cloudfront.net (CloudFront)",
      "x-forwarded-proto": "https",
    };

    it("GET /readyz through the CDN and load balancer answers the status only", async () => {
      for (const headers of [
        throughCdn,
        { "x-forwarded-for": "198.51.100.7" },
        { forwarded: "for=198.51.100.7" },
        { via: "1.1 proxy" },
      ]) {
        const res = await t.app.inject({ url: "/readyz", headers });
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json(), { status: "ready" }, JSON.stringify(headers));
        assert.doesNotMatch(res.body, /new_editor|features/);
      }
    });
  });

  describe("on a database that was never migrated", () => {
    const t = useApp({ migrate: false });

    it("GET /readyz answers 503 naming the reason to a direct caller", async () => {
      const res = await t.app.inject({ url: "/readyz" });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), {
        status: "unavailable",
        reason: "schema not migrated: no migrations table",
      });
    });

    it("GET /readyz answers a forwarded caller 503 without the reason (no migration names)", async () => {
      const res = await t.app.inject({
        url: "/readyz",
        headers: { "x-forwarded-for": "198.51.100.7, 130.176.1.10" },
      });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), { status: "unavailable" });
    });

    it("API calls fail with a JSON 500, not a crash, and readiness explains why", async () => {
      const res = await t.app.inject({ method: "POST", url: "/api/notes", payload: { text: "a" } });
      assert.equal(res.statusCode, 500);
      assert.equal(res.json().error.code, "internal_error");
      assert.equal((await t.app.inject({ url: "/healthz" })).statusCode, 200);
    });
  });
});
