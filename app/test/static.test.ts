import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildAssets } from "../scripts/build-assets";
import { useApp } from "./helpers/app";
import { APP_DIR } from "./helpers/process";

const outDir = mkdtempSync(path.join(tmpdir(), "notes-assets-"));
const manifest = buildAssets(path.join(APP_DIR, "public"), outDir);

describe("static assets", () => {
  const t = useApp({ env: { STATIC_DIR: outDir } });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it("names every asset after a hash of its content", () => {
    assert.deepEqual(Object.keys(manifest).sort(), ["app.js", "styles.css"]);
    for (const [source, hashed] of Object.entries(manifest)) {
      const content = readFileSync(path.join(APP_DIR, "public", source));
      const hash = createHash("sha256").update(content).digest("hex").slice(0, 10);
      assert.equal(hashed, source.replace(/\.(\w+)$/, `.${hash}.$1`));
    }
  });

  it("serves the page at / referencing only hashed assets, revalidated on every load", async () => {
    const res = await t.app.inject({ url: "/" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^text\/html/);
    assert.equal(res.headers["cache-control"], "no-cache");
    assert.match(String(res.headers["content-security-policy"]), /default-src 'self'/);
    for (const hashed of Object.values(manifest)) assert.ok(res.body.includes(`"${hashed}"`));
    assert.doesNotMatch(res.body, /"(app\.js|styles\.css)"/);
  });

  it("serves hashed assets as immutable for a year", async () => {
    for (const [source, hashed] of Object.entries(manifest)) {
      const res = await t.app.inject({ url: `/${hashed}` });
      assert.equal(res.statusCode, 200, hashed);
      assert.equal(res.headers["cache-control"], "public, max-age=31536000, immutable");
      assert.equal(res.body, readFileSync(path.join(APP_DIR, "public", source), "utf8"));
    }
  });

  it("answers a matching If-None-Match with 304", async () => {
    const first = await t.app.inject({ url: "/" });
    const etag = String(first.headers.etag);
    const again = await t.app.inject({ url: "/", headers: { "if-none-match": etag } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, "");
  });

  it("answers unknown assets and path traversal with a JSON 404", async () => {
    for (const url of ["/app.0000000000.js", "/../package.json", "/%2e%2e/package.json"]) {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, "not_found");
    }
  });
});
