import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../scripts/offline/harness";

/**
 * A fork has this repository and nothing else: its code, docs, policy descriptions and messages
 * must not point at documents, issue numbers or paths it never had.
 */
const foreign = [
  {
    what: "a checklist document the repository does not have",
    pattern: /\bs[e]ed's\b|\bthe s[e]ed\b(?! is fixed)/i,
  },
  { what: "a path outside the repository", pattern: /\.\.\/shar[e]d\/|shar[e]d\/s[e]ed/ },
  { what: "an issue number", pattern: /\bissues? #?\d+\b/i },
];

describe("the project speaks of itself", () => {
  it("no file refers to documents, issues or paths outside the repository", () => {
    const files = execFileSync("git", ["ls-files"], { cwd: repoRoot, encoding: "utf8" })
      .split("\n")
      .filter((f) => /\.(ts|cjs|mjs|js|md|ya?ml|json)$/.test(f) && f !== "package-lock.json");
    assert.ok(files.length > 100, `the repository's files (${files.length})`);
    const found: string[] = [];
    for (const file of files) {
      const lines = readFileSync(join(repoRoot, file), "utf8").split("\n");
      lines.forEach((line, i) => {
        for (const { what, pattern } of foreign) {
          if (pattern.test(line))
            found.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 100)}`);
        }
      });
    }
    assert.deepEqual(found, []);
  });
});
