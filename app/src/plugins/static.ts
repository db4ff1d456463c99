import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import fp from "fastify-plugin";
import { ASSETS_PREFIX, ENTRY_PAGE, cacheControlOf, contentTypeOf, filesUnder } from "../assets";
import { contract } from "../contract";

/** Where `npm run build` writes the hashed assets: app/dist/public from src/ and dist/ alike. */
export const DEFAULT_STATIC_DIR = path.resolve(__dirname, "../../dist/public");

/** The files the CDN publishes: the page and everything under the assets prefix. */
function publishedFiles(root: string): string[] {
  const assets = path.join(root, ASSETS_PREFIX);
  const hashed = existsSync(assets) ? filesUnder(assets).map((name) => ASSETS_PREFIX + name) : [];
  return [ENTRY_PAGE, ...hashed];
}

/**
 * Serves the built page locally (in the cloud the CDN serves the same files from S3, with the same
 * content types and cache lifetimes: see ../assets.ts). The few files are read once at start and
 * served from memory: one route per file, so nothing outside the directory is reachable.
 * Content-hashed files never change, so browsers keep them a year; index.html names the current
 * hashes, so browsers revalidate it on every load (ETag).
 */
export default fp<{ root?: string }>(
  async (app, opts) => {
    const root = opts.root ?? DEFAULT_STATIC_DIR;
    if (!existsSync(path.join(root, ENTRY_PAGE))) {
      app.log.warn({ root }, "no built assets; run `npm run build -w app` to serve the page");
      return;
    }
    for (const name of publishedFiles(root)) {
      const body = readFileSync(path.join(root, name));
      const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`;
      const type = contentTypeOf(name);
      const cacheControl = cacheControlOf(name);
      const urls = name === ENTRY_PAGE ? ["/", `/${ENTRY_PAGE}`] : [`/${name}`];
      for (const url of urls) {
        app.get(url, async (request, reply) => {
          reply.header("cache-control", cacheControl).header("etag", etag).type(type);
          // The page loads only its own hashed script and stylesheet and calls only this API.
          reply.header("content-security-policy", contract.assets.contentSecurityPolicy);
          if (request.headers["if-none-match"] === etag) return reply.code(304).send();
          return reply.send(body);
        });
      }
    }
  },
  { name: "static" },
);
