import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lanes, mochaCounts, runAll, type Suite } from "../../scripts/test-all";

/** A stand-in suite: prints mocha-like closing lines and exits with `code`. */
function fake(name: string, passing: number, failing: number, code: number): Suite {
  const script = `console.log("  ${passing} passing (1s)"); ${failing ? `console.log("  ${failing} failing");` : ""} process.exit(${code})`;
  return { name, command: process.execPath, args: ["-e", script] };
}

async function run(list: Suite[][]): Promise<{ code: number; out: string }> {
  const stream = new PassThrough();
  let out = "";
  stream.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  const code = await runAll(list, stream);
  return { code, out };
}

describe("npm test (scripts/test-all.ts)", () => {
  it("runs every suite after a failing one, and fails the run", async () => {
    const { code, out } = await run([
      [fake("a", 3, 0, 0), fake("b", 1, 2, 2)],
      [fake("c", 4, 0, 0)],
    ]);
    assert.equal(code, 1);
    // Each suite's own closing lines pass through, then the summary.
    assert.match(out, /== a: [^\n]*\n {2}3 passing \(1s\)\n/);
    assert.match(out, /== c: [^\n]*\n {2}4 passing \(1s\)\n/);
    assert.match(out, /^ {2}ok {4}a: 3 passing, 0 failing \(\d+s\)$/m);
    assert.match(out, /^ {2}FAIL {2}b: 1 passing, 2 failing, exit 2 \(\d+s\)$/m);
    assert.match(out, /^ {2}ok {4}c: 4 passing, 0 failing \(\d+s\)$/m);
    assert.match(out, /^suites: 2 passed, 1 failed \(\d+s\)\ntests: 8 passed, 2 failed\n$/m);
  });

  it("exits 0 only when every suite did", async () => {
    assert.equal((await run([[fake("a", 1, 0, 0)], [fake("b", 1, 0, 0)]])).code, 0);
    assert.equal((await run([[fake("a", 1, 0, 0)], [fake("b", 0, 0, 1)]])).code, 1);
  });

  it("counts a suite that cannot start as failed", async () => {
    const { code, out } = await run([[{ name: "gone", command: "/nonexistent/runner", args: [] }]]);
    assert.equal(code, 1);
    assert.match(out, /FAIL {2}gone: 0 passing, 0 failing, did not run/);
  });

  it("reads mocha's counts through its colours", () => {
    assert.deepEqual(
      mochaCounts("\u001b[32m  12 passing\u001b[0m (3s)\n\u001b[31m  2 failing\u001b[0m\n"),
      {
        passing: 12,
        failing: 2,
      },
    );
  });

  it("runs the root's suite alongside the workspaces' and the fork's, one after the other", () => {
    assert.deepEqual(
      lanes.map((lane) => lane.map((s) => s.args.join(" "))),
      [["run -s test:infra"], ["test -s -w app", "test -s -w policies", "run -s test:fork"]],
    );
  });

  it("runs the lanes at once: a suite waiting for another lane's file sees it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "test-all-"));
    const flag = join(dir, "written");
    try {
      // Run one lane after the other, the waiting suite would give up after 20 s and fail.
      const waits = [
        `const t = Date.now(), f = ${JSON.stringify(flag)};`,
        '(function poll() { if (require("fs").existsSync(f)) return console.log("  1 passing");',
        'if (Date.now() - t > 20000) { console.log("  1 failing"); process.exit(1); }',
        "setTimeout(poll, 50); })();",
      ].join(" ");
      const writes = `require("fs").writeFileSync(${JSON.stringify(flag)}, ""); console.log("  1 passing")`;
      const { code, out } = await run([
        [{ name: "waits", command: process.execPath, args: ["-e", waits] }],
        [{ name: "writes", command: process.execPath, args: ["-e", writes] }],
      ]);
      assert.equal(code, 0, out);
      assert.ok(existsSync(flag));
      // Each suite's output is one block under its header, whichever lane ends first.
      assert.match(out, /== writes: [^\n]*\n {2}1 passing\n/);
      assert.match(out, /== waits: [^\n]*\n {2}1 passing\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
