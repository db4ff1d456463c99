import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Copies app/public to app/dist/public with content-hashed names (app.3f2a9c1b0d.js) and
 * rewrites index.html to point at them, so every asset but the page itself can be cached
 * forever by browsers and the CDN. manifest.json maps source names to hashed names for the
 * deploy step that uploads them to S3.
 */
export function buildAssets(srcDir: string, outDir: string): Record<string, string> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const manifest: Record<string, string> = {};
  for (const name of readdirSync(srcDir).sort()) {
    if (name === "index.html") continue;
    const content = readFileSync(path.join(srcDir, name));
    const hash = createHash("sha256").update(content).digest("hex").slice(0, 10);
    const ext = path.extname(name);
    const hashed = `${path.basename(name, ext)}.${hash}${ext}`;
    writeFileSync(path.join(outDir, hashed), content);
    manifest[name] = hashed;
  }
  let html = readFileSync(path.join(srcDir, "index.html"), "utf8");
  for (const [name, hashed] of Object.entries(manifest)) {
    const ref = new RegExp(`(src|href)="${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`, "g");
    html = html.replace(ref, `$1="${hashed}"`);
  }
  writeFileSync(path.join(outDir, "index.html"), html);
  writeFileSync(path.join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (require.main === module) {
  const appDir = path.resolve(__dirname, "..");
  const manifest = buildAssets(path.join(appDir, "public"), path.join(appDir, "dist", "public"));
  process.stdout.write(`built ${Object.keys(manifest).length} hashed assets into dist/public\n`);
}
