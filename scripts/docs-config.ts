/**
 * `npm run docs:config`: writes the configuration table, generated from the schemas in
 * infra/config/ and the floors in infra/config/environments.ts, between
 * `<!-- config-table:begin -->` and `<!-- config-table:end -->` in every Markdown file of the
 * repository that has them. test/infra/config-docs.test.ts fails while a table is stale.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  allSettings,
  environmentFloors,
  environmentKey,
  environmentRequires,
  environments,
  expectedText,
  isOptional,
} from "../infra/config";

export const begin = "<!-- config-table:begin -->";
export const end = "<!-- config-table:end -->";

/** A table cell: one line, no column break. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The table: every key, its section, meaning, valid values, default and per-environment rules. */
export function configTable(): string {
  const rows = [
    "| key | section | meaning | valid values | default | per environment |",
    "| --- | --- | --- | --- | --- | --- |",
    "| `aws:region` | provider | AWS region | a region `@pulumi/aws` knows, such as `eu-west-1` | required | |",
    `| \`${environmentKey}\` | all | The environment whose floors the stack takes | ${environments
      .map((e) => `\`${e}\``)
      .join(", ")} | the stack's name | |`,
  ];
  for (const { section, schema, meta } of allSettings) {
    const optional = isOptional(schema);
    const byDefault =
      meta.default !== undefined
        ? `\`${meta.default}\``
        : optional
          ? "unset"
          : "none: each stack file sets it";
    const rules = environments.flatMap((env) => {
      const floor = environmentFloors[env][meta.key];
      const allowed = expectedText(meta, floor, env);
      // Only floors that narrow what the schema allows anyway.
      if (floor !== undefined && allowed !== expectedText(meta, undefined, env)) {
        return [`${env}: ${allowed}`];
      }
      return meta.key in environmentRequires[env] ? [`${env}: required`] : [];
    });
    rows.push(
      `| \`${meta.key}\` | ${section} | ${cell(meta.description)} | ` +
        `${cell(expectedText(meta, undefined, "dev"))} | ${byDefault} | ${cell(rules.join("; "))} |`,
    );
  }
  return rows.join("\n");
}

/** `text` with the table between the markers; unchanged if it has none. */
export function withTable(text: string, table: string): string {
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return text;
  return `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`;
}

/** Markdown files under `root` that carry the markers, outside dependencies and build output. */
export function markedFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (["node_modules", ".git", "dist", "coverage"].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md") && readFileSync(path, "utf8").includes(begin)) {
        found.push(relative(root, path));
      }
    }
  };
  walk(root);
  return found.sort();
}

if (require.main === module) {
  const root = join(__dirname, "..");
  const table = configTable();
  for (const file of markedFiles(root)) {
    const path = join(root, file);
    const text = readFileSync(path, "utf8");
    const updated = withTable(text, table);
    if (updated !== text) writeFileSync(path, updated);
    console.log(`${file}: ${updated === text ? "up to date" : "table rewritten"}`);
  }
}
