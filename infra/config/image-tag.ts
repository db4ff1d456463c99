/** The tag the image is built and pushed under: the commit it was built from. */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** Runs git with these arguments and returns its output, trimmed; throws if git fails. */
export type Git = (...args: string[]) => string;

/** Runs git in `dir`; throws if git fails. */
export const gitIn =
  (dir: string): Git =>
  (...args) =>
    execFileSync("git", ["-C", dir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 256 * 1024 * 1024,
    }).trim();

/** The repository the program is in (infra/config/'s grandparent); git prints paths relative to it. */
export const programRoot = join(__dirname, "..", "..");

/**
 * The image tag when `imageTag` is unset: CI's `GITHUB_SHA`, else the checkout's commit. The
 * ECR repository's tags are immutable, so an uncommitted change deployed from a working copy
 * must not reuse its commit's tag (the push would fail, or worse, the tag would name two
 * images): a dirty checkout gets `<commit>-dirty-<hash of the changes>`, the same for the same
 * changes. A copy that is not a git checkout (fresh from `pulumi new`) gets
 * `nogit-<hash of its files>`.
 */
export function resolveImageTag(env: NodeJS.ProcessEnv, run: Git, root: string): string {
  const fromCi = env.GITHUB_SHA?.trim();
  if (fromCi) {
    if (!/^[0-9a-f]{40}$/.test(fromCi)) {
      throw new Error(`GITHUB_SHA must be a 40-character commit hash, got "${fromCi}"`);
    }
    return fromCi;
  }
  let commit: string;
  try {
    commit = run("rev-parse", "HEAD");
  } catch {
    // Not a git checkout, or no commit yet.
    return `nogit-${hashFiles(root)}`;
  }
  const changes = run("status", "--porcelain", "--untracked-files=all");
  if (changes === "") return commit;
  const hash = createHash("sha256").update(run("diff", "HEAD", "--binary"));
  const untracked = run("ls-files", "--others", "--exclude-standard", "-z").split("\0");
  for (const path of untracked.filter(Boolean)) {
    hash.update(`\0${path}\0`).update(run("hash-object", "--", path));
  }
  return `${commit}-dirty-${hash.digest("hex").slice(0, 12)}`;
}

/** 12 hex digits of a hash of every file under `root` and its name, outside node_modules. */
function hashFiles(root: string): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name === "node_modules" || entry.name === ".git") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile())
        hash.update(`\0${relative(root, path)}\0`).update(readFileSync(path));
    }
  };
  walk(root);
  return hash.digest("hex").slice(0, 12);
}
