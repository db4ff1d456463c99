import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import fp from "fastify-plugin";

/** Where `npm run build` writes the hashed assets: app/dist/public from src/ and dist/ alike. */
export const DEFAULT_STATIC_DIR = path.resolve(__dirname, "../../dist/public");

const HASHED = /\.[0-9a-f]{10}\.(js|css)$/;

/**
 * Serves the built page. Content-hashed files never change, so browsers and the CDN keep them a
 * year; index.html names the current hashes, so it is always revalidated.
 */
export default fp<{ root?: string }>(
  async (app, opts) => {
    const root = opts.root ?? DEFAULT_STATIC_DIR;
    if (!existsSync(path.join(root, "index.html"))) {
      app.log.warn({ root }, "no built assets; run `npm run build -w app` to serve the page");
      return;
    }
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: ["index.html"],
      cacheControl: false,
      setHeaders: (reply, filePath) => {
        reply.header(
          "cache-control",
          HASHED.test(filePath) ? "public, max-age=31536000, immutable" : "no-cache",
        );
      },
    });
  },
  { name: "static" },
);
