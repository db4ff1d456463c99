import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { environments, keys } from "../../infra/config";
import { repoRoot } from "../../scripts/offline/harness";

/** The README's config table, as key -> the default per environment, in `environments` order. */
function configTable(): Map<string, string[]> {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const rows = new Map<string, string[]>();
  for (const line of readme.split("\n")) {
    // A key row names the key in code font; the header row does not.
    if (!/^\| `(aws:)?[a-z]\w+` \|/.test(line)) continue;
    const cells = line.split("|").map((c) => c.trim().replace(/`/g, ""));
    if (cells.length === 6 + environments.length) {
      rows.set(cells[1], cells.slice(5, 5 + environments.length));
    }
  }
  return rows;
}

describe("README", () => {
  it("documents every config key, with the defaults infra/config.ts applies", () => {
    const table = configTable();
    const documented = [...table.keys()].sort();
    assert.deepEqual(documented, ["aws:region", ...Object.keys(keys)].sort());
    for (const [key, spec] of Object.entries(keys)) {
      const defaults = table.get(key)!;
      if ("default" in spec) {
        assert.deepEqual(
          defaults,
          environments.map((env) => String(spec.default(env))),
          key,
        );
      } else {
        for (const cell of defaults) assert.ok(["required", "unset"].includes(cell), key);
      }
    }
  });

  it("shows the two set-up commands near the top", () => {
    const top = readFileSync(join(repoRoot, "README.md"), "utf8")
      .split("\n")
      .slice(0, 20)
      .join("\n");
    assert.match(top, /npm ci && npm run preview:offline -- --stack staging/);
    assert.match(top, /npm ci && npm test/);
  });
});

describe("Pulumi.yaml", () => {
  const project = parse(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8"));

  it("runs infra/ with the nodejs runtime", () => {
    assert.equal(project.runtime.name, "nodejs");
    assert.equal(project.main, "infra/");
  });

  it("prompts `pulumi new` only for keys the program reads, each described", () => {
    for (const [key, prompt] of Object.entries(project.template.config) as [
      string,
      { description: string },
    ][]) {
      assert.ok(key === "aws:region" || key in keys, `${key} is not a config key`);
      assert.ok(prompt.description.length > 10, `${key} has a description`);
    }
    const required = Object.entries(keys).filter(
      ([, spec]) => !("default" in spec) && !("optional" in spec),
    );
    for (const [key] of required)
      assert.ok(key in project.template.config, `${key} is prompted for`);
  });
});
