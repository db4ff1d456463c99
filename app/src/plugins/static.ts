import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import fp from "fastify-plugin";

/** Where `npm run build` writes the hashed assets: app/dist/public from src/ and dist/ alike. */
export const DEFAULT_STATIC_DIR = path.resolve(__dirname, "../../dist/public");

const HASHED = /\.[0-9a-f]{10}\.(js|css)$/;
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
};

/**
 * Serves the built page locally (in the cloud the CDN serves the same files from S3). The few
 * files are read once at start and served from memory: one route per file, so nothing outside
 * the directory is reachable. Content-hashed files never change, so browsers keep them a year;
 * index.html names the current hashes, so it is always revalidated (ETag).
 */
export default fp<{ root?: string }>(
  async (app, opts) => {
    const root = opts.root ?? DEFAULT_STATIC_DIR;
    if (!existsSync(path.join(root, "index.html"))) {
      app.log.warn({ root }, "no built assets; run `npm run build -w app` to serve the page");
      return;
    }
    for (const name of readdirSync(root)) {
      const type = TYPES[path.extname(name)];
      if (!type) continue;
      const body = readFileSync(path.join(root, name));
      const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`;
      const cacheControl = HASHED.test(name) ? "public, max-age=31536000, immutable" : "no-cache";
      const urls = name === "index.html" ? ["/", "/index.html"] : [`/${name}`];
      for (const url of urls) {
        app.get(url, async (request, reply) => {
          reply.header("cache-control", cacheControl).header("etag", etag).type(type);
          // The page loads only its own hashed script and stylesheet and calls only this API.
          reply.header("content-security-policy", "default-src 'self'; frame-ancestors 'none'");
          if (request.headers["if-none-match"] === etag) return reply.code(304).send();
          return reply.send(body);
        });
      }
    }
  },
  { name: "static" },
);
