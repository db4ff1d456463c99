import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { repoRoot } from "../../scripts/offline/harness";

/**
 * A checkout of the repository's files (tracked and new, as git lists them) in `dir`. With
 * `linkModules` it shares the installed packages, and the offline preview and gate run in it as
 * in the repository; without, it is a template for `pulumi new`, which copies every file.
 */
export function copyRepository(dir: string, { linkModules = true } = {}): string {
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
    cwd: repoRoot,
    encoding: "utf8",
  })
    .split("\0")
    .filter((f) => f && existsSync(join(repoRoot, f)));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(dir, file));
  }
  if (linkModules) linkInstall(dir);
  return dir;
}

/** The repository's installed packages linked into a copy, and the compiled pack copied. */
export function linkInstall(dir: string) {
  for (const modules of ["node_modules", "app/node_modules", "policies/node_modules"]) {
    if (existsSync(join(repoRoot, modules)))
      symlinkSync(join(repoRoot, modules), join(dir, modules));
  }
  // The compiled pack, as `npm ci` leaves it; a copy whose policies change rebuilds it.
  const dist = join(repoRoot, "policies", "dist");
  if (existsSync(dist)) cpSync(dist, join(dir, "policies", "dist"), { recursive: true });
}
