/**
 * The published layout of the page and its assets, shared by the build (scripts/build-assets.ts),
 * the local static plugin and the CDN's upload (infra/cdn.ts), so the three agree on every name,
 * content type and cache lifetime. Names and lifetimes are the contract's (src/contract.ts).
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { contentType } from "mime-types";
import { contract } from "./contract";

/**
 * Content-hashed assets live under this prefix (`assets/app.3f2a9c1b0d.js`): the CDN sends
 * `/assets/*` to the bucket and caches it for a year, without looking at file names.
 */
export const ASSETS_PREFIX = contract.assets.prefix;

/** The page, at the root: its name never changes, so it is the one file cached briefly. */
export const ENTRY_PAGE = contract.assets.entryPage;

export const IMMUTABLE_CACHE_CONTROL = contract.assets.cacheControl.hashed;
export const ENTRY_PAGE_CACHE_CONTROL = contract.assets.cacheControl.entryPage;

/** `Content-Type` of a published file, from its extension (text types with `charset=utf-8`). */
export function contentTypeOf(key: string): string {
  return contentType(path.extname(key)) || "application/octet-stream";
}

/** `Cache-Control` of a published file: hashed assets for a year, anything else briefly. */
export function cacheControlOf(key: string): string {
  return key.startsWith(ASSETS_PREFIX) ? IMMUTABLE_CACHE_CONTROL : ENTRY_PAGE_CACHE_CONTROL;
}

/** Files under `dir`, as sorted `/`-separated relative paths. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .map((name) => name.split(path.sep).join("/"))
    .sort();
}
