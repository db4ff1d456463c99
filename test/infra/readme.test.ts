import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { environmentKey, environments, keys } from "../../infra/config";
import { repoRoot } from "../../scripts/offline/harness";

/** The config table of docs/configuration.md, as key -> the default per environment, in `environments` order. */
function configTable(): Map<string, string[]> {
  const readme = readFileSync(configurationPage, "utf8");
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

const configurationPage = join(repoRoot, "docs", "configuration.md");

describe("README and docs/configuration.md", () => {
  it("documents every config key, with the defaults infra/config.ts applies", () => {
    const table = configTable();
    const documented = [...table.keys()].sort();
    assert.deepEqual(documented, ["aws:region", environmentKey, ...Object.keys(keys)].sort());
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

  it("shows the two set-up commands near the top, installing once", () => {
    const top = readFileSync(join(repoRoot, "README.md"), "utf8").split("\n").slice(0, 20);
    const commands = top.filter((line) => /^npm /.test(line)).map((l) => l.split("#")[0].trim());
    assert.deepEqual(commands, [
      "npm ci && npm run preview:offline -- --stack staging",
      "npm test",
    ]);
    // CI runs the same two steps in the same order.
    const ci = readFileSync(join(repoRoot, ".ci", "run"), "utf8");
    assert.ok(ci.indexOf("npm ci") < ci.indexOf("npm test"));
  });

  it("is right that the stack files set every key but the optional ones", () => {
    const optional = Object.entries(keys)
      .filter(([, spec]) => "optional" in spec)
      .map(([key]) => key);
    assert.match(
      readFileSync(configurationPage, "utf8"),
      new RegExp(
        `set every key except the optional ${optional.map((k) => `\`${k}\``).join(", ")} and ` +
          `\`${environmentKey}\``,
      ),
    );
    for (const stack of environments) {
      const { config } = parse(readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8"));
      for (const key of Object.keys(keys).filter((k) => !optional.includes(k))) {
        // With or without the project's namespace, as Pulumi reads either.
        assert.ok(`acme:${key}` in config || key in config, `Pulumi.${stack}.yaml sets ${key}`);
      }
    }
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

describe("repository files a fork needs", () => {
  it("carries the Apache-2.0 licence that package.json declares, in full", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    assert.equal(pkg.license, "Apache-2.0");
    const license = readFileSync(join(repoRoot, "LICENSE"), "utf8");
    assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
    assert.match(license, /END OF TERMS AND CONDITIONS/);
  });

  it("names code owners for every path", () => {
    const owners = readFileSync(join(repoRoot, ".github", "CODEOWNERS"), "utf8");
    assert.match(owners, /^\*\s+@\S+/m);
  });

  it("has Dependabot update npm (with the workspaces), the image's base and the actions", () => {
    const { version, updates } = parse(
      readFileSync(join(repoRoot, ".github", "dependabot.yml"), "utf8"),
    ) as { version: number; updates: { "package-ecosystem": string; directory: string }[] };
    assert.equal(version, 2);
    assert.deepEqual(
      updates.map((u) => [u["package-ecosystem"], u.directory]),
      [
        ["npm", "/"],
        ["docker", "/app"],
        ["github-actions", "/"],
      ],
    );
    // Each directory holds what its ecosystem reads.
    assert.ok(existsSync(join(repoRoot, "package-lock.json")));
    assert.ok(existsSync(join(repoRoot, "app", "Dockerfile")));
  });

  it("lets npm ci run no install script it has not been told about", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8"));
    const withScripts = Object.entries(
      lock.packages as Record<string, { hasInstallScript?: boolean }>,
    )
      .filter(([path, p]) => path && p.hasInstallScript)
      .map(([path]) => path.split("node_modules/").pop()!);
    assert.ok(withScripts.length > 0, "the lock file marks install scripts");
    for (const name of withScripts) assert.ok(name in pkg.allowScripts, `${name} in allowScripts`);
  });
});
