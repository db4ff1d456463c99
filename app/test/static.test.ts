import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildAssets, planAssets } from "../scripts/build-assets";
import {
  ENTRY_PAGE_CACHE_CONTROL,
  IMMUTABLE_CACHE_CONTROL,
  cacheControlOf,
  contentTypeOf,
} from "../src/assets";
import { useApp } from "./helpers/app";
import { APP_DIR } from "./helpers/process";

const outDir = mkdtempSync(path.join(tmpdir(), "notes-assets-"));
const manifest = buildAssets(path.join(APP_DIR, "public"), outDir);
const hashOf = (file: string) =>
  createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 10);

describe("static assets", () => {
  const t = useApp({ env: { STATIC_DIR: outDir } });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it("names every asset after a hash of its content, under assets/", () => {
    assert.deepEqual(Object.keys(manifest).sort(), ["app.js", "favicon.svg", "styles.css"]);
    for (const [source, hashed] of Object.entries(manifest)) {
      const hash = hashOf(path.join(APP_DIR, "public", source));
      assert.equal(hashed, `assets/${source.replace(/\.(\w+)$/, `.${hash}.$1`)}`);
    }
  });

  it("serves the page at / referencing only hashed assets, revalidated on every load", async () => {
    const res = await t.app.inject({ url: "/" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(res.headers["cache-control"], ENTRY_PAGE_CACHE_CONTROL);
    assert.match(String(res.headers["cache-control"]), /(^|, )max-age=0(,|$)/);
    assert.match(String(res.headers["content-security-policy"]), /default-src 'self'/);
    for (const hashed of Object.values(manifest)) assert.ok(res.body.includes(`"/${hashed}"`));
    assert.doesNotMatch(res.body, /"(app\.js|styles\.css|favicon\.svg)"/);
  });

  it("serves hashed assets as immutable for a year, with their content types", async () => {
    const types: Record<string, string> = {
      "app.js": "text/javascript; charset=utf-8",
      "styles.css": "text/css; charset=utf-8",
      "favicon.svg": "image/svg+xml",
    };
    for (const [source, hashed] of Object.entries(manifest)) {
      const res = await t.app.inject({ url: `/${hashed}` });
      assert.equal(res.statusCode, 200, hashed);
      assert.equal(res.headers["cache-control"], "public, max-age=31536000, immutable");
      assert.equal(res.headers["content-type"], types[source]);
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

  it("answers unknown assets, unhashed names, the manifest and path traversal with a JSON 404", async () => {
    for (const url of [
      "/assets/app.0000000000.js",
      "/app.js",
      "/manifest.json",
      "/../package.json",
      "/%2e%2e/package.json",
    ]) {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, "not_found");
    }
  });
});

describe("asset plan (what the CDN uploads)", () => {
  const fixture = path.join(__dirname, "fixtures", "public");
  const plan = planAssets(fixture);

  it("hashes files in subdirectories too, keeping the directory under assets/", () => {
    const woff2 = path.join(fixture, "fonts", "inter.woff2");
    assert.deepEqual(plan.assets, [
      { key: `assets/fonts/inter.${hashOf(woff2)}.woff2`, source: woff2 },
      {
        key: `assets/logo.${hashOf(path.join(fixture, "logo.svg"))}.svg`,
        source: path.join(fixture, "logo.svg"),
      },
    ]);
    assert.ok(plan.entryPage.includes(`href="/${plan.manifest["fonts/inter.woff2"]}"`));
    assert.ok(plan.entryPage.includes(`href="/${plan.manifest["logo.svg"]}"`));
  });

  it("types fonts and images by extension: font/woff2, image/svg+xml", () => {
    const [font, logo] = plan.assets;
    assert.equal(contentTypeOf(font.key), "font/woff2");
    assert.equal(contentTypeOf(logo.key), "image/svg+xml");
    assert.equal(contentTypeOf("index.html"), "text/html; charset=utf-8");
    assert.equal(contentTypeOf("assets/data.unknown-extension"), "application/octet-stream");
  });

  it("caches hashed keys for a year as immutable and the page briefly", () => {
    for (const { key } of plan.assets) assert.equal(cacheControlOf(key), IMMUTABLE_CACHE_CONTROL);
    assert.equal(cacheControlOf("index.html"), ENTRY_PAGE_CACHE_CONTROL);
    assert.match(ENTRY_PAGE_CACHE_CONTROL, /s-maxage=60\b/);
  });
});
