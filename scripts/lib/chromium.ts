/**
 * Which Chromium the browser test drives. playwright-core never downloads a browser (and its
 * download host is not reachable everywhere), so: the binary CHROMIUM_PATH names; else a system
 * Chromium or Chrome on the usual paths (Debian's `chromium`, what CI installs); else the one
 * `npm ci` brought, `@sparticuz/chromium`, which ships a headless Chromium for x64 Linux inside
 * the npm package (Brotli-compressed, unpacked once under node_modules/.cache). The packaged one
 * runs on Debian as well as on Amazon Linux: its binary needs only glibc, plus NSS and expat,
 * which the same package ships (built for Amazon Linux 2023, whose glibc is older than Debian
 * 12's) and which we put on its LD_LIBRARY_PATH, so no system library is assumed.
 */
import { spawnSync } from "node:child_process";
import {
  accessSync,
  constants,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { brotliDecompressSync, createBrotliDecompress } from "node:zlib";

/** Checked in this order after CHROMIUM_PATH. */
export const SYSTEM_CHROMIUMS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

/**
 * Set to 1, the system paths are not looked at: how the tests (and anyone) check that the
 * packaged Chromium works on a machine that has a system one.
 */
export const IGNORE_SYSTEM_ENV = "CHROMIUM_IGNORE_SYSTEM";

export interface FoundChromium {
  executablePath: string;
  /** Extra environment for the browser process (the packaged one's libraries). */
  env?: Record<string, string>;
  source: "CHROMIUM_PATH" | "system" | "npm package";
}

const repoRoot = path.resolve(__dirname, "..", "..");

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The packaged Chromium's folder, or undefined when this platform has none (it is x64 Linux). */
export function packagedChromiumBin(): string | undefined {
  const bin = path.join(repoRoot, "node_modules", "@sparticuz", "chromium", "bin");
  if (process.platform !== "linux" || process.arch !== "x64") return undefined;
  return existsSync(path.join(bin, "chromium.br")) ? bin : undefined;
}

/**
 * Finds a Chromium; a string is the error to show. The packaged one is unpacked on first use
 * (about 5 seconds, 210 MB on disk).
 */
export async function findChromium(
  env: NodeJS.ProcessEnv = process.env,
): Promise<FoundChromium | string> {
  const named = env.CHROMIUM_PATH;
  if (named) {
    if (executable(named)) return { executablePath: named, source: "CHROMIUM_PATH" };
    return `error: Chromium not found at ${named} (CHROMIUM_PATH): unset it to use a system or the packaged Chromium, or set it to a Chromium binary`;
  }
  if (env[IGNORE_SYSTEM_ENV] !== "1") {
    const system = SYSTEM_CHROMIUMS.find(executable);
    if (system) return { executablePath: system, source: "system" };
  }
  const bin = packagedChromiumBin();
  if (!bin) {
    return (
      `error: no Chromium: none at ${SYSTEM_CHROMIUMS.join(", ")}, and @sparticuz/chromium ` +
      "(installed by npm ci) ships one for x64 Linux only: install Chromium " +
      "(Debian: apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH"
    );
  }
  const dir = await unpack(bin);
  return {
    executablePath: path.join(dir, "chromium"),
    env: { LD_LIBRARY_PATH: path.join(dir, "lib") },
    source: "npm package",
  };
}

/**
 * Unpacks the package's binary and libraries into a folder named after the package version, by
 * way of a private folder renamed into place: two runs unpacking at once never see a partial one.
 */
async function unpack(bin: string): Promise<string> {
  const pkg = JSON.parse(readFileSync(path.join(bin, "..", "package.json"), "utf8")) as {
    version: string;
  };
  const cache = path.join(repoRoot, "node_modules", ".cache");
  const dir = path.join(cache, `sparticuz-chromium-${pkg.version}`);
  if (executable(path.join(dir, "chromium"))) return dir;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    await pipeline(
      createReadStream(path.join(bin, "chromium.br")),
      createBrotliDecompress(),
      createWriteStream(path.join(partial, "chromium"), { mode: 0o755 }),
    );
    // lib/: libnss3, libnspr4, libexpat and friends. A tar archive: the system's tar reads it.
    const tar = readFileSync(path.join(bin, "al2023.tar.br"));
    const untar = spawnSync("tar", ["-x", "-C", partial], { input: brotliDecompressSync(tar) });
    if (untar.status !== 0) {
      throw new Error(`unpacking the packaged Chromium's libraries: ${String(untar.stderr)}`);
    }
    try {
      renameSync(partial, dir);
    } catch (err) {
      // Another run got there first: use its folder.
      if (!executable(path.join(dir, "chromium"))) throw err;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return dir;
}
