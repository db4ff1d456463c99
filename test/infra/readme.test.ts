import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { allSettings, environments, isOptional, keys } from "../../infra/config";
import { repoRoot } from "../../scripts/offline/harness";

describe("README", () => {
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

  it("has the stack files set every value that differs between environments, and only those", () => {
    const files = environments.map(
      (stack) =>
        parse(readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8")).config as Record<
          string,
          unknown
        >,
    );
    // With or without the project's namespace, as Pulumi reads either.
    const valueOf = (config: Record<string, unknown>, key: string) =>
      config[`acme:${key}`] ?? config[key];
    const prompted = Object.keys(
      parse(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8")).template.config,
    );
    for (const { schema, meta } of allSettings) {
      const values = files.map((config) => valueOf(config, meta.key));
      if (meta.default !== undefined) {
        // The schema states the one default; a stack file sets the key only to differ from it.
        assert.ok(
          values.every((v) => v === undefined || String(v) !== String(meta.default)),
          `${meta.key}: a stack file sets its default (${meta.default}); leave it out`,
        );
      } else if (!isOptional(schema)) {
        values.forEach((v, i) =>
          assert.ok(v !== undefined, `Pulumi.${environments[i]}.yaml sets ${meta.key}`),
        );
        // The same in every environment: a default, unless it is the user's own (`pulumi new`).
        assert.ok(
          new Set(values.map(String)).size > 1 || prompted.includes(meta.key),
          `${meta.key} is ${values[0]} in every stack file: make that its default`,
        );
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
      assert.ok(key === "aws:region" || keys.includes(key), `${key} is not a config key`);
      assert.ok(prompt.description.length > 10, `${key} has a description`);
    }
    // Who the stack belongs to and who hears of it: no stack file can know these for a new user.
    const required = allSettings.filter(
      (s) =>
        ["identity", "alerting"].includes(s.section) &&
        s.meta.default === undefined &&
        !isOptional(s.schema),
    );
    assert.ok(required.length >= 4);
    for (const { meta } of required)
      assert.ok(meta.key in project.template.config, `${meta.key} is prompted for`);
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
