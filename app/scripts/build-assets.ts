import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ASSETS_PREFIX, ENTRY_PAGE, filesUnder } from "../src/assets";
import { contract } from "../src/contract";

/** One published asset: its bucket key (and URL path) and the unchanged source file. */
export interface PlannedAsset {
  key: string;
  source: string;
}

export interface AssetPlan {
  /** Every file of the source directory but the page, under a content-hashed key. */
  assets: PlannedAsset[];
  /** The page, its `src`/`href` references rewritten to the hashed keys. */
  entryPage: string;
  /** Source name (relative, `/`-separated) -> hashed key. */
  manifest: Record<string, string>;
}

/**
 * What app/public publishes: each asset keeps its content under `assets/<dir>/<name>.<hash>.<ext>`
 * (10 hex digits of SHA-256), and index.html points at those names, so every asset but the page
 * can be cached forever by browsers and the CDN. Pure: the CDN's upload (infra/cdn.ts) reads the
 * plan without writing anything.
 */
export function planAssets(srcDir: string): AssetPlan {
  const assets: PlannedAsset[] = [];
  const manifest: Record<string, string> = {};
  for (const name of filesUnder(srcDir)) {
    if (name === ENTRY_PAGE) continue;
    const source = path.join(srcDir, name);
    const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 10);
    const ext = path.posix.extname(name);
    const key = `${ASSETS_PREFIX}${name.slice(0, name.length - ext.length)}.${hash}${ext}`;
    assets.push({ key, source });
    manifest[name] = key;
  }
  let entryPage = readFileSync(path.join(srcDir, ENTRY_PAGE), "utf8");
  for (const [name, key] of Object.entries(manifest)) {
    const ref = new RegExp(`(src|href)="${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`, "g");
    entryPage = entryPage.replace(ref, `$1="/${key}"`);
  }
  return { assets, entryPage, manifest };
}

/**
 * Writes the plan to `outDir` (app/dist/public), where the service serves it locally, plus a
 * manifest.json of source name -> hashed key.
 */
export function buildAssets(srcDir: string, outDir: string): Record<string, string> {
  const { assets, entryPage, manifest } = planAssets(srcDir);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const { key, source } of assets) {
    mkdirSync(path.dirname(path.join(outDir, key)), { recursive: true });
    writeFileSync(path.join(outDir, key), readFileSync(source));
  }
  writeFileSync(path.join(outDir, ENTRY_PAGE), entryPage);
  writeFileSync(path.join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (require.main === module) {
  const appDir = path.resolve(__dirname, "..");
  const manifest = buildAssets(
    path.join(appDir, contract.assets.sourceDir),
    path.join(appDir, "dist", "public"),
  );
  process.stdout.write(`built ${Object.keys(manifest).length} hashed assets into dist/public\n`);
}
