/**
 * Compiles the pack to dist/ (`npm run build -w policies`, run by the root `prepare` on `npm ci`)
 * and records a fingerprint of the sources it was compiled from. main.cjs loads dist/ only while
 * that fingerprint still matches, so an edited policy is never enforced from a stale build.
 */
const { createHash } = require("node:crypto");
const { execFileSync } = require("node:child_process");
const { readdirSync, readFileSync, rmSync, writeFileSync, existsSync } = require("node:fs");
const { dirname, join, relative, resolve } = require("node:path");

const packDir = __dirname;
const distDir = join(packDir, "dist");
const stampFile = join(distDir, "sources.sha256");
const skipped = new Set(["node_modules", "dist", "test"]);

/** The pack's own files the build reads: its TypeScript (tests aside) and compiler settings. */
function sources(dir = packDir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipped.has(entry.name)) found.push(...sources(path));
    } else if (entry.name.endsWith(".ts") || entry.name.startsWith("tsconfig")) {
      found.push(path);
    }
  }
  return found;
}

/**
 * The compiler settings the build reads through `extends`, from tsconfig.build.json on:
 * tsconfig.json, then ../tsconfig.base.json, which lies outside the pack and so outside
 * `sources()`. (A settings file's `extends` is a relative path here; the files have no comments.)
 */
function extendedConfigs(file = join(packDir, "tsconfig.build.json")) {
  const base = JSON.parse(readFileSync(file, "utf8")).extends;
  if (typeof base !== "string") return [];
  const next = resolve(dirname(file), base.endsWith(".json") ? base : `${base}.json`);
  return [next, ...extendedConfigs(next)];
}

/** SHA-256 over every source's path and content, in a fixed order. */
function fingerprint() {
  const hash = createHash("sha256");
  const files = new Set([...sources(), ...extendedConfigs()]);
  for (const path of [...files].sort()) {
    hash.update(`${relative(packDir, path)}\0`).update(readFileSync(path));
  }
  return hash.digest("hex");
}

/** True when dist/ was compiled from the sources as they are now. */
function isFresh() {
  return existsSync(stampFile) && readFileSync(stampFile, "utf8").trim() === fingerprint();
}

/** Type-checks and compiles the pack; throws with tsc's output on a type error. */
function build() {
  const tsc = require.resolve("typescript/bin/tsc", { paths: [packDir] });
  const stamp = fingerprint();
  // tsc writes its output even when it reports errors: until this build succeeds, dist/ vouches
  // for no sources (else reverting a failed edit would run the edit's output as current).
  rmSync(stampFile, { force: true });
  execFileSync(process.execPath, [tsc, "-p", join(packDir, "tsconfig.build.json")], {
    cwd: packDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  writeFileSync(stampFile, `${stamp}\n`);
}

module.exports = { build, isFresh, distDir, fingerprint };

if (require.main === module) {
  try {
    build();
  } catch (err) {
    process.stderr.write(err.stdout?.toString() || err.message);
    process.exit(1);
  }
}
