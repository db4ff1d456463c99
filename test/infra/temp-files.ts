import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../scripts/offline/harness";

/**
 * Writes files into the repository (paths relative to its root) for the length of `run`, then
 * puts back what was there (or removes them): the harness and the npm scripts read stack and
 * policy files from the repository only.
 */
export async function withFiles<T>(
  files: Record<string, string>,
  run: () => Promise<T>,
): Promise<T> {
  const saved = new Map<string, string | undefined>();
  try {
    for (const [file, text] of Object.entries(files)) {
      const path = join(repoRoot, file);
      saved.set(path, existsSync(path) ? readFileSync(path, "utf8") : undefined);
      writeFileSync(path, text);
    }
    return await run();
  } finally {
    for (const [path, text] of saved) {
      if (text === undefined) rmSync(path, { force: true });
      else writeFileSync(path, text);
    }
  }
}
