import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, relative } from "node:path";
import { allSettings, environmentKey, isOptional } from "../../infra/config";
import { ProgramError } from "../../scripts/offline/errors";
import { repoRoot, runProgram } from "../../scripts/offline/harness";
import { anchors } from "./anchors";
import { project } from "./stacks";
import { withFiles } from "./temp-files";
import { parse, stringify } from "yaml";

/**
 * The README and docs/ are what a fork follows on its first day: every link must lead somewhere,
 * and every command and stack file they show must work as shown. A block that needs something
 * this machine does not have says so in an HTML comment on the line before it,
 * `<!-- needs: aws -->` (or `github`, `pulumi-cloud`); every other `sh`, `bash` or `yaml` block
 * is run here.
 */
const outside = ["aws", "github", "pulumi-cloud"];

/** README.md and every Markdown page under docs/, relative to the repository. */
function pages(): string[] {
  const found = ["README.md"];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".md")) found.push(path);
    }
  };
  walk("docs");
  return found;
}

interface Block {
  page: string;
  line: number;
  lang: string;
  lines: string[];
  needs: string[];
}

/** The fenced code blocks of a page, each with the `needs:` marker on the line before it. */
function blocksOf(page: string): Block[] {
  const text = readFileSync(join(repoRoot, page), "utf8").split("\n");
  const blocks: Block[] = [];
  let open: Block | undefined;
  text.forEach((line, i) => {
    const fence = /^\s*```(\S*)\s*$/.exec(line);
    if (open) {
      if (fence) {
        blocks.push(open);
        open = undefined;
      } else open.lines.push(line);
    } else if (fence) {
      const before =
        text
          .slice(0, i)
          .reverse()
          .find((l) => l.trim() !== "") ?? "";
      const marker = /^<!-- needs: ([a-z, -]+) -->$/.exec(before.trim());
      open = {
        page,
        line: i + 1,
        lang: fence[1],
        lines: [],
        needs: marker ? marker[1].split(",").map((n) => n.trim()) : [],
      };
    }
  });
  return blocks;
}

const allBlocks = () => pages().flatMap(blocksOf);
const isCommands = (b: Block) => ["sh", "bash"].includes(b.lang);
/** `# Pulumi.<stack>.yaml`, or `# Pulumi.<stack>.yaml: Pulumi.<other>.yaml with` for a copy changed by the block. */
const stackFileHeader = /^# (Pulumi\.[\w-]+\.yaml)(?:: (Pulumi\.[\w-]+\.yaml) with)?$/;
const isStackFile = (b: Block) => b.lang === "yaml" && stackFileHeader.test(b.lines[0]);
const where = (b: Block) => `${b.page}:${b.line}`;

/** A block's commands: comment-only lines dropped, `\` continuations joined. */
function commandsOf(block: Block): string[] {
  const commands: string[] = [];
  let pending = "";
  for (const line of block.lines) {
    if (line.trim().startsWith("#") || line.trim() === "") continue;
    pending += line;
    if (pending.endsWith("\\")) pending = pending.slice(0, -1);
    else {
      commands.push(pending.trim());
      pending = "";
    }
  }
  return commands;
}

/** The exit code a command's trailing comment promises (`# ... exits 1 ...`); 0 otherwise. */
const expectedExit = (command: string) => Number(/#.*\bexits (\d+)\b/.exec(command)?.[1] ?? 0);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200, the process ends, or two minutes pass. */
async function waitUntilReady(url: string, child: ReturnType<typeof spawn>): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const ok = await fetch(url).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

function shell(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", command], { cwd, env: { ...process.env, ...env } });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

describe("README and docs/", () => {
  it("link only to files and headings that exist", () => {
    const broken: string[] = [];
    for (const page of pages()) {
      const text = readFileSync(join(repoRoot, page), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [file, anchor] = target.split("#");
        const path = file ? join(repoRoot, dirname(page), file) : join(repoRoot, page);
        if (!existsSync(path)) broken.push(`${page}: ${target} (no such file)`);
        else if (anchor && !anchors(path).has(anchor))
          broken.push(`${page}: ${target} (no such heading in ${relative(repoRoot, path)})`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it("mark each command or YAML block that needs the outside, with a known reason", () => {
    const unknown = allBlocks()
      .flatMap((b) => b.needs.filter((n) => !outside.includes(n)).map((n) => `${where(b)}: ${n}`))
      .concat(
        allBlocks()
          .filter((b) => b.lang === "yaml" && b.needs.length === 0 && !isStackFile(b))
          .map((b) => `${where(b)}: a YAML block that is neither a stack file nor marked`),
      );
    assert.deepEqual(unknown, []);
  });

  it("show the two set-up commands that .ci/run runs, installing first", () => {
    const ci = readFileSync(join(repoRoot, ".ci", "run"), "utf8");
    const [setUp] = blocksOf("README.md").filter(isCommands);
    const commands = commandsOf(setUp).map((c) => c.split("#")[0].trim());
    assert.deepEqual(commands, [
      "npm ci && npm run preview:offline -- --stack staging",
      "npm test",
    ]);
    assert.ok(/^npm ci\b/m.test(ci) && /^npm test$/m.test(ci), ".ci/run runs npm ci, npm test");
    assert.ok(ci.search(/^npm ci\b/m) < ci.search(/^npm test$/m));
  });

  describe("every stack file they show loads through the program's config", () => {
    for (const block of allBlocks().filter(isStackFile)) {
      const [, file, base] = stackFileHeader.exec(block.lines[0])!;
      const stack = /^Pulumi\.(.+)\.yaml$/.exec(file)![1];
      it(`${file} (${where(block)})`, async () => {
        assert.ok(!existsSync(join(repoRoot, file)), `${file} must not be a committed stack`);
        // A copy of a committed stack file with the block's keys set over it, as the text says.
        const changes = parse(block.lines.join("\n")) as { config: Record<string, unknown> };
        const content = base
          ? stringify({
              config: {
                ...(parse(readFileSync(join(repoRoot, base), "utf8")) as { config: object }).config,
                ...changes.config,
              },
            })
          : `${block.lines.join("\n")}\n`;
        const run = await withFiles({ [file]: content }, () => runProgram(stack));
        assert.ok(run.resources.length > 100, `${file}: ${run.resources.length} resources`);
      });
    }
  });

  describe("every command they show runs offline as shown", () => {
    for (const block of allBlocks().filter((b) => isCommands(b) && b.needs.length === 0)) {
      it(`${where(block)}: ${commandsOf(block)[0]}`, async () => {
        // Relative paths the commands write land here (npm runs from the repository root but
        // resolves them from where it was started); git ignores /tmp/.
        mkdirSync(join(repoRoot, "tmp"), { recursive: true });
        const cwd = mkdtempSync(join(repoRoot, "tmp", "docs-"));
        const background: number[] = [];
        // A service started "in another terminal" gets a free port, so a run beside another
        // does not collide on the documented 8080.
        const port = String(await freePort());
        try {
          for (const raw of commandsOf(block)) {
            let command = raw.replace(/localhost:8080/g, `localhost:${port}`);
            if (command === "npm test" || /^npm test\s+#/.test(command)) continue; // this suite is part of it
            // The install is the one this test runs in; .ci/run makes it (checked above).
            command = command.replace(/^npm ci && /, "");
            if (/#.*another terminal/.test(command)) {
              const child = spawn("bash", ["-c", command], {
                cwd,
                env: { ...process.env, PORT: port },
                detached: true,
              });
              background.push(child.pid!);
              let log = "";
              child.stdout.on("data", (d: Buffer) => (log += d.toString()));
              child.stderr.on("data", (d: Buffer) => (log += d.toString()));
              // As a reader would, wait until it answers before the next command.
              const up = await waitUntilReady(`http://localhost:${port}/readyz`, child);
              assert.ok(up, `${raw}: not ready\n${log.slice(-3000)}`);
              continue;
            }
            const { code, output } = await shell(command, cwd);
            assert.equal(code, expectedExit(command), `${raw}\n${output.slice(-3000)}`);
          }
        } finally {
          for (const pid of background) {
            try {
              process.kill(-pid, "SIGTERM");
            } catch {
              // already gone
            }
          }
          rmSync(cwd, { recursive: true, force: true });
        }
      });
    }
  });

  it("give a first-day checklist naming every value a fork must set", () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const checklist = readme.split("\n## First-day checklist\n")[1].split("\n## ")[0];
    // Who the stack is and who hears from it: no default a fork could keep.
    const required = allSettings
      .filter(
        (s) =>
          ["identity", "alerting"].includes(s.section) &&
          s.meta.default === undefined &&
          !isOptional(s.schema),
      )
      .map((s) => s.meta.key);
    // Optional or defaulted, but a fork's own: where alarms link, where pages go, prod's domain
    // and off-site copies.
    const forksOwn = [
      "pagingEndpoint",
      "runbookBaseUrl",
      "domainName",
      "hostedZoneName",
      "backupCopyRegion",
      "backupCopyVaultArn",
      "vpcCidr",
    ];
    for (const key of ["aws:region", ...required, ...forksOwn])
      assert.ok(checklist.includes(`\`${key}\``), `the checklist does not name ${key}`);
    assert.ok(!required.includes(environmentKey));
    assert.match(checklist, /`name:` in `Pulumi\.yaml`/);
  });

  describe("production's tear-down", () => {
    const section = () =>
      readFileSync(join(repoRoot, "docs", "operations.md"), "utf8")
        .split("\n## Tearing down\n")[1]
        .split("\n## ")[0];

    for (const key of ["deletionProtection", "dbDeletionProtection", "dbFinalSnapshot"]) {
      it(`relies on no change the prod floors refuse (${key}: false)`, async () => {
        let err: unknown;
        await runProgram("prod", { config: { [key]: "false" } }).catch((e) => (err = e));
        assert.ok(err instanceof ProgramError, `prod accepted ${key}: false`);
        assert.match(err.message, new RegExp(`${project}:${key} must be true`));
        // The section quotes the refusal word for word.
        if (key === "deletionProtection") assert.ok(section().includes(err.message), err.message);
      });
    }

    it("names exactly what Pulumi protects in prod: the database and its KMS key", async () => {
      const run = await runProgram("prod");
      const protectedTypes = run.resources.filter((r) => r.options.protect).map((r) => r.type);
      assert.deepEqual(protectedTypes.sort(), ["aws:kms/key:Key", "aws:rds/instance:Instance"]);
      assert.match(section(), /`protect`\*\* on the database and its KMS key/);
      // Pulumi 3.248.0, pkg/cmd/pulumi/operations/destroy.go:560 (getProtectedExcludes): the
      // flag keeps protected resources and everything they depend on.
      assert.match(section(), /pulumi destroy --stack prod --exclude-protected/);
    });
  });
});
