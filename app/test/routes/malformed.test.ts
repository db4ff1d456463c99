import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { useApp } from "../helpers/app";

/**
 * Whatever a client sends, the answer is a JSON error below 500 (or a success): a seeded stream
 * of malformed methods, paths, query strings, content types and bodies, fired at every route.
 */
describe("malformed requests never cause a 5xx", () => {
  const t = useApp();

  // A small deterministic generator, so a failure can be replayed from its seed.
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  const nasty = [
    "'; DROP TABLE notes; --",
    '" OR 1=1 --',
    "%00",
    "%",
    "%ZZ",
    "../../etc/passwd",
    "\u0000",
    "😀",
    "a".repeat(3000),
    "null",
    "[]",
    "{}",
    "1e309",
    "-1",
    "00000000-0000-0000-0000-00000000000g",
    "__proto__",
    "constructor",
  ];

  it("survives 400 generated requests (seed 20261126)", async () => {
    const rand = rng(20261126);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const methods = ["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"] as const;
    const bases = ["/api/notes", "/api/notes/", "/api/notes/x", "/healthz", "/readyz", "/", "/api"];
    const types = [
      "application/json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "",
      "application/json; charset=latin1",
    ];
    for (let i = 0; i < 400; i++) {
      const method = pick(methods);
      const url =
        pick(bases) +
        (rand() < 0.5 ? encodeURIComponent(pick(nasty)) : "") +
        (rand() < 0.5
          ? `?limit=${encodeURIComponent(pick(nasty))}&cursor=${encodeURIComponent(pick(nasty))}`
          : "");
      const body =
        rand() < 0.3
          ? randomBytes(Math.floor(rand() * 64)).toString("latin1")
          : rand() < 0.5
            ? `{"text": ${pick(nasty.map((n) => JSON.stringify(n)).concat(["1", "true", "[1]", '{"a":1}', '"x"']))}}`
            : pick(nasty);
      const headers: Record<string, string> = {};
      const type = pick(types);
      if (type) headers["content-type"] = type;
      const res = await t.app.inject({
        method,
        url,
        headers,
        payload: method === "GET" || method === "HEAD" ? undefined : body,
      });
      const context = `#${i} ${method} ${url} (${type}) ${JSON.stringify(body).slice(0, 80)}`;
      assert.ok(
        res.statusCode < 500,
        `${res.statusCode} for ${context}: ${res.body.slice(0, 200)}`,
      );
      if (res.statusCode >= 400 && method !== "HEAD") {
        const err = res.json().error;
        assert.equal(typeof err.code, "string", context);
        assert.equal(err.requestId, res.headers["x-request-id"], context);
      }
    }
  });
});
