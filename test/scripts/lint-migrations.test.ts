/**
 * `npm run lint:migrations`: Squawk over the SQL node-pg-migrate runs for each migration. Each
 * rule `.squawk.toml` leaves on has a migration in test/fixtures/migrations/ that must fail it
 * (named `<n>_<rule>.sql`); the shipped migrations pass, and their one ignore comment is needed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lintMigrations, migrationSql } from "../../scripts/lint-migrations";
import { repoRoot } from "../../scripts/offline/harness";
import { npmRun } from "../infra/npm-run";

const fixtures = join(repoRoot, "test", "fixtures", "migrations");
const migrations = join(repoRoot, "app", "migrations");

/**
 * Rules Squawk reports together with a fixture's own, because the statement breaks both: a
 * foreign key, a unique constraint or a primary key added in place is also validated in place,
 * and a BEGIN inside the runner's transaction also nests it.
 */
const alsoReported: Record<string, string[]> = {
  "adding-foreign-key-constraint": ["constraint-missing-not-valid"],
  "adding-serial-primary-key-field": ["constraint-missing-not-valid"],
  "disallowed-unique-constraint": ["constraint-missing-not-valid"],
  "ban-uncommitted-transaction": ["transaction-nesting"],
};

describe("npm run lint:migrations", function () {
  this.timeout(120_000);

  const files = readdirSync(fixtures).filter((f) => f.endsWith(".sql"));

  it("has a fixture for each rule, the rule in its name", () => {
    assert.ok(files.length >= 20, files.join(", "));
    for (const file of files) assert.match(file, /^\d+_[a-z-]+\.sql$/);
  });

  for (const file of files) {
    const rule = /^\d+_(.+)\.sql$/.exec(file)![1];
    it(`fails ${file} on ${rule}, at the statement's line of the file`, async () => {
      const path = join(fixtures, file);
      const findings = await lintMigrations([path]);
      const rules = findings.map((f) => f.rule);
      assert.ok(rules.includes(rule), `${file}: ${rules.join(", ") || "no finding"}`);
      for (const other of rules) {
        assert.ok(
          other === rule || (alsoReported[rule] ?? []).includes(other),
          `${file} also fails ${other}`,
        );
      }
      // Every fixture is: the up marker, a comment, then (most) SET LOCAL lock_timeout; the
      // statement that fails is the last line.
      const own = findings.find((f) => f.rule === rule)!;
      const lines = readFileSync(path, "utf8").trimEnd().split("\n");
      assert.equal(own.file, `test/fixtures/migrations/${file}`);
      assert.equal(own.sqlFile, true);
      if (rule !== "ban-uncommitted-transaction") assert.equal(own.line, lines.length);
    });
  }

  it("passes the shipped migrations", async () => {
    const sql = await migrationSql(migrations);
    assert.ok(sql.length >= 1);
    assert.match(sql[0].sql, /CREATE TABLE notes/);
    // The up section only: the down one runs after the code is rolled back.
    assert.doesNotMatch(sql[0].sql, /DROP TABLE/);
    assert.deepEqual(await lintMigrations([migrations]), []);
  });

  it("needs the shipped migration's ignore comment: without it, the index fails require-lock-timeout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lint-migrations-"));
    try {
      const [name] = readdirSync(migrations);
      const source = readFileSync(join(migrations, name), "utf8");
      assert.match(source, /^-- squawk-ignore require-lock-timeout$/m);
      writeFileSync(
        join(dir, name),
        source.replace(/^-- squawk-ignore require-lock-timeout\n/m, ""),
      );
      const findings = await lintMigrations([dir]);
      assert.deepEqual(
        findings.map((f) => f.rule),
        ["require-lock-timeout"],
      );
      const indexLine = source
        .replace(/^-- squawk-ignore require-lock-timeout\n/m, "")
        .split("\n")
        .findIndex((l) => l.startsWith("CREATE INDEX"));
      assert.equal(findings[0].line, indexLine + 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lints the SQL a JavaScript migration generates", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lint-migrations-"));
    try {
      writeFileSync(
        join(dir, "1700000000000_drop-text.js"),
        [
          "exports.up = (pgm) => {",
          "  pgm.sql(\"SET LOCAL lock_timeout = '5s'\");",
          "  pgm.dropColumn('notes', 'text');",
          "};",
          "",
        ].join("\n"),
      );
      const findings = await lintMigrations([dir]);
      assert.deepEqual(
        findings.map((f) => [f.rule, f.sqlFile]),
        [["ban-drop-column", false]],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 0 on the shipped migrations and 1 naming the rule and line on a failing one", async () => {
    const clean = await npmRun("lint:migrations");
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    const failing = await npmRun(
      "lint:migrations",
      join(
        "test",
        "fixtures",
        "migrations",
        files.find((f) => f.endsWith("_ban-drop-column.sql"))!,
      ),
    );
    assert.equal(failing.code, 1, failing.stderr);
    assert.match(
      failing.stdout,
      /^test\/fixtures\/migrations\/\d+_ban-drop-column\.sql:4:\d+ {2}ban-drop-column {2}/m,
    );
  });
});
