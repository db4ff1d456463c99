import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allSettings, environmentKey } from "../../infra/config";
import { begin, configTable, end, markedFiles, withTable } from "../../scripts/docs-config";
import { repoRoot } from "../../scripts/offline/harness";

describe("the configuration table (npm run docs:config)", () => {
  it("is current in every Markdown file that carries its markers", () => {
    const files = markedFiles(repoRoot);
    assert.ok(files.length > 0, `no Markdown file has ${begin}`);
    const table = configTable();
    for (const file of files) {
      const text = readFileSync(join(repoRoot, file), "utf8");
      assert.equal(
        withTable(text, table),
        text,
        `${file}: the configuration table is stale; run npm run docs:config`,
      );
    }
  });

  it("has a row per key, from the schema's description, with its default", () => {
    const rows = configTable()
      .split("\n")
      .slice(2)
      .map((row) => row.split(" | "));
    assert.deepEqual(
      rows.map((cells) => cells[0].replace(/^\| `|`$/g, "")),
      ["aws:region", environmentKey, ...allSettings.map((s) => s.meta.key)],
    );
    const platform = rows.find((cells) => cells[0] === "| `imagePlatform`")!;
    assert.equal(platform[4], "`linux/arm64`");
    // A floor that narrows the schema's range shows per environment.
    const tasks = rows.find((cells) => cells[0] === "| `desiredCount`")!;
    assert.equal(tasks[5], "prod: an integer >= 2 |");
  });

  it("finds the markers wherever the file is, and leaves what is around them", () => {
    const root = mkdtempSync(join(tmpdir(), "config-table-"));
    try {
      mkdirSync(join(root, "docs", "guide"), { recursive: true });
      mkdirSync(join(root, "node_modules", "x"), { recursive: true });
      const marked = `# Settings\n\nbefore\n${begin}\nold table\n${end}\nafter\n`;
      writeFileSync(join(root, "docs", "guide", "settings.md"), marked);
      writeFileSync(join(root, "node_modules", "x", "README.md"), marked);
      writeFileSync(join(root, "README.md"), "# No table here\n");
      assert.deepEqual(markedFiles(root), [join("docs", "guide", "settings.md")]);
      assert.equal(
        withTable(marked, "| new |"),
        `# Settings\n\nbefore\n${begin}\n| new |\n${end}\nafter\n`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
