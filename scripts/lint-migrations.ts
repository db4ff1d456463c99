/**
 * `npm run lint:migrations [-- FILE_OR_DIR ...]` (default `app/migrations`)
 *
 * Lints the SQL each migration runs when it is applied with Squawk (`squawk-cli`, rules in
 * `.squawk.toml`): what old code running beside the new code during a rolling deploy cannot
 * survive (a dropped or renamed column, a new required column) and what locks a busy table (an
 * index built without CONCURRENTLY, a constraint validated in place, no lock timeout).
 *
 * The SQL is what node-pg-migrate itself would run: its own loader reads the migrations (`.sql`
 * files and, should any be added, JavaScript or TypeScript ones) and each is applied `up` as a dry
 * run, which builds the statements and logs them instead of sending them; nothing connects to a
 * database. For a `.sql` file that is its up section, so findings keep the file's line numbers
 * and Squawk's ignore comments in the file apply. Down migrations are not linted: one runs only
 * after the code that needed the change has been rolled back, and undoes what up added.
 *
 * Exits 0 when nothing is found, 1 on a finding, 2 on a migration that cannot be loaded.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fromUser } from "./lib/user-paths";

const repoRoot = resolve(__dirname, "..");
const appDir = join(repoRoot, "app");
const defaultDir = join(appDir, "migrations");

export interface Finding {
  /** Relative to the repository root, with forward slashes. */
  file: string;
  /** 1-based; of the file for a `.sql` migration, else of the SQL the migration generates. */
  line: number;
  column: number;
  rule: string;
  message: string;
  help?: string;
  /** False for a JavaScript or TypeScript migration: `line` is in the SQL it generates. */
  sqlFile: boolean;
}

/** One line of Squawk's `--reporter json` output. */
interface SquawkViolation {
  file: string;
  line: number;
  column: number;
  rule_name: string;
  message: string;
  help?: string | null;
}

/** A migration node-pg-migrate could not load or build; the message names the file. */
export class MigrationLoadError extends Error {
  override readonly name = "MigrationLoadError";
}

interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

interface LoadedMigration {
  path: string;
  apply(direction: "up" | "down"): Promise<unknown>;
}

/**
 * node-pg-migrate is the app's dependency: loaded from the app's folder, as the app loads it, so
 * its version is the one that applies the migrations.
 */
function nodePgMigrate(): {
  loadMigrations(db: unknown, options: object, logger: Logger): Promise<LoadedMigration[]>;
} {
  const runner = require.resolve("node-pg-migrate/runner", { paths: [appDir] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(runner) as ReturnType<typeof nodePgMigrate>;
}

/** The SQL `node-pg-migrate up` runs for each migration under `target` (a folder or one file). */
export async function migrationSql(target: string): Promise<{ path: string; sql: string }[]> {
  const logged: string[] = [];
  const problems: string[] = [];
  const logger: Logger = {
    // A dry run logs each migration's statements at debug level, and only those.
    debug: (msg) => logged.push(msg),
    info: () => undefined,
    warn: (msg) => problems.push(msg),
    error: (msg) => problems.push(msg),
  };
  // A dry run never queries; a migration that reads the database while being built (`pgm.db`)
  // cannot be linted offline, and says so.
  const offline = async () => {
    throw new Error("the migration queries the database while it is built");
  };
  const isFile = statSync(target).isFile();
  const options = {
    // A file is a glob matching itself, so the loader takes it on its own.
    dir: target,
    useGlob: isFile,
    migrationsTable: "pgmigrations",
    schema: "public",
    // As app/src/db/migrate.ts runs them: all in one transaction.
    singleTransaction: true,
    dryRun: true,
    direction: "up",
    count: Infinity,
  };
  const shown = relative(repoRoot, target).split(sep).join("/");
  let migrations: LoadedMigration[];
  try {
    migrations = await nodePgMigrate().loadMigrations(
      { query: offline, select: offline },
      options,
      logger,
    );
  } catch (err) {
    throw new MigrationLoadError(`${shown}: ${(err as Error).message}`);
  }
  const out: { path: string; sql: string }[] = [];
  for (const migration of migrations) {
    logged.length = 0;
    try {
      await migration.apply("up");
    } catch (err) {
      throw new MigrationLoadError(
        `${relative(repoRoot, migration.path)}: cannot build its SQL: ${(err as Error).message}`,
      );
    }
    out.push({ path: migration.path, sql: logged.join("\n") });
  }
  if (problems.length > 0) throw new MigrationLoadError(`${shown}: ${problems.join("; ")}`);
  return out;
}

/**
 * For a `.sql` migration, its up SQL preceded by as many empty lines as come before it in the
 * file, so that Squawk's line numbers are the file's. node-pg-migrate takes the up section from
 * its marker comment (sqlMigration.ts): the same expression here.
 */
function alignedToFile(path: string, sql: string): { text: string; sqlFile: boolean } {
  if (extname(path) !== ".sql") return { text: sql, sqlFile: false };
  const source = readFileSync(path, "utf8");
  const upStart = Math.max(0, source.search(/^\s*--[\s-]*up\s+migration/im));
  if (!sql.startsWith(source.slice(upStart, upStart + 200).split("\n")[0])) {
    return { text: sql, sqlFile: false };
  }
  const linesBefore = source.slice(0, upStart).split("\n").length - 1;
  return { text: "\n".repeat(linesBefore) + sql, sqlFile: true };
}

/** Squawk's version: its binary package's, which package.json pins. */
const squawkVersion = "2.66.0";

function squawkBinary(): string {
  // Squawk ships one npm package per platform with its binary. Only linux-x64's is in the
  // lockfile (an optional dependency, so npm skips it elsewhere): the registry these machines
  // reach serves no other, and squawk-cli's launcher package would need them all in the lockfile.
  const pkg = `@squawk-cli/${process.platform}-${process.arch}`;
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), "bin", "squawk");
  } catch {
    throw new Error(
      `squawk has no binary installed for ${process.platform}-${process.arch}: ` +
        `run npm install --no-save ${pkg}@${squawkVersion}`,
    );
  }
}

/** Squawk's findings on the SQL of every migration under each target. */
export async function lintMigrations(targets: string[]): Promise<Finding[]> {
  const binary = squawkBinary();
  const findings: Finding[] = [];
  for (const target of targets) {
    for (const { path, sql } of await migrationSql(target)) {
      const file = relative(repoRoot, path).split(sep).join("/");
      const { text, sqlFile } = alignedToFile(path, sql);
      const run = spawnSync(
        binary,
        [
          "--config",
          join(repoRoot, ".squawk.toml"),
          "--reporter",
          "json",
          "--stdin-filepath",
          file,
        ],
        { input: text, encoding: "utf8", cwd: repoRoot },
      );
      // 0: nothing found, 1: findings; anything else is Squawk failing.
      if (run.error || (run.status !== 0 && run.status !== 1)) {
        throw new Error(
          `squawk failed on ${file} (${run.error?.message ?? `exit ${run.status}`}): ${run.stderr}`,
        );
      }
      const violations = JSON.parse(run.stdout || "[]") as SquawkViolation[];
      for (const v of violations) {
        findings.push({
          file,
          // Squawk's JSON counts lines and columns from 0.
          line: v.line + 1,
          column: v.column + 1,
          rule: v.rule_name,
          message: v.message,
          ...(v.help ? { help: v.help } : {}),
          sqlFile,
        });
      }
    }
  }
  return findings;
}

export function renderFindings(findings: Finding[]): string {
  return findings
    .map((f) => {
      const where = f.sqlFile
        ? `${f.file}:${f.line}:${f.column}`
        : `${f.file} (line ${f.line} of the SQL it generates)`;
      return [
        `${where}  ${f.rule}  ${f.message}`,
        ...(f.help ? [`  help: ${f.help}`] : []),
        `  https://squawkhq.com/docs/${f.rule}`,
      ].join("\n");
    })
    .join("\n");
}

async function main(argv: string[]): Promise<number> {
  const targets = argv.length > 0 ? argv.map((a) => fromUser(a)) : [defaultDir];
  let findings: Finding[];
  try {
    findings = await lintMigrations(targets);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    return 2;
  }
  if (findings.length > 0) {
    console.log(renderFindings(findings));
    console.log(
      `\n${findings.length} finding(s). A statement that is safe where it is (an index on a ` +
        "table the same migration creates, a column dropped a release after the code stopped " +
        "reading it) takes `-- squawk-ignore <rule>` on the line above it, under a comment " +
        "saying why.",
    );
    return 1;
  }
  console.log(`migrations checked by squawk (.squawk.toml): no finding`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 2;
    },
  );
}
