import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEdge, type Edge, type EdgeOptions } from "./helpers/edge";
import {
  assertOutcome,
  npmRun,
  processesMentioning,
  repoRoot,
  resultLine,
  startScript,
  type ScriptRun,
} from "./helpers/run";
import { useLocalService } from "./helpers/service";
import { IGNORE_SYSTEM_ENV } from "../../scripts/lib/chromium";

const STEPS = [
  "page loads",
  "hashed assets",
  "create note",
  "note listed after reload",
  "delete note",
  "no browser errors",
];

/** The profile directory the run announced; it must be gone, with every Chromium that used it. */
function assertCleanedUp(run: ScriptRun) {
  const profile = /profile (\S+)$/m.exec(run.stdout)?.[1];
  assert.ok(profile, `no profile line:\n${run.stdout}${run.stderr}`);
  assert.equal(existsSync(profile), false, `${profile} left behind`);
  assert.deepEqual(processesMentioning(profile), [], "Chromium processes left behind");
}

function assertSteps(run: ScriptRun, code: number, failed: string[] = []) {
  assertOutcome(run, code, STEPS, failed);
  assertCleanedUp(run);
}

describe("scripts/e2e.ts (npm run e2e)", function () {
  this.timeout(180_000);
  const service = useLocalService();
  const edges: Edge[] = [];
  const edge = async (opts: Omit<EdgeOptions, "target">) => {
    const started = await startEdge({ target: service.baseUrl, ...opts });
    edges.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(edges.splice(0).map((e) => e.close()));
  });

  it("creates, lists and deletes a note on the local service in headless Chromium", async () => {
    const run = await npmRun("e2e", ["--url", service.baseUrl]);
    assertSteps(run, 0);
    assert.match(
      run.stdout,
      /^Chromium \d+\.\S+ at \S+ \((system|CHROMIUM_PATH|npm package)\), profile /m,
    );
    assert.match(
      resultLine(run, "hashed assets")!,
      /\/assets\/app\.[0-9a-f]{10}\.js, \/assets\/styles\.[0-9a-f]{10}\.css 200, \d+ CSS rules applied/,
    );
    assert.match(run.lines.at(-1)!, /^PASSED: .*6 passed, 0 failed, 0 skipped/);
  });

  it("fails on a stylesheet the page references but nobody serves", async () => {
    const e = await edge({
      intercept: ({ path }) =>
        path.endsWith(".css") ? { status: 404, body: "not found" } : undefined,
    });
    const run = await npmRun("e2e", ["--url", e.url]);
    assertSteps(run, 1, ["hashed assets", "no browser errors"]);
    assert.match(resultLine(run, "hashed assets")!, /\/assets\/styles\.[0-9a-f]{10}\.css 404/);
    assert.match(resultLine(run, "no browser errors")!, /HTTP 404: GET http:\/\/\S+\.css/);
  });

  it("fails on a console error from the page's script, and saves a screenshot where npm was started", async () => {
    const broken = "/broken.0123456789.js";
    const e = await edge({
      page: (html) => html.replace("</head>", `<script src="${broken}"></script></head>`),
      intercept: ({ path }) =>
        path === broken
          ? {
              status: 200,
              headers: { "content-type": "text/javascript" },
              body: 'console.error("fixture: something broke")',
            }
          : undefined,
    });
    const started = mkdtempSync(path.join(tmpdir(), "e2e-user-"));
    const screenshot = path.join(started, "failure.png");
    const run = await npmRun("e2e", ["--url", e.url, "--screenshot", "failure.png"], {}, started);
    try {
      assertSteps(run, 1, ["no browser errors"]);
      assert.match(
        resultLine(run, "no browser errors")!,
        /^FAIL {2}no browser errors {2}console error: fixture: something broke \(http:\/\/\S+\/broken\.0123456789\.js\) \(3 times\) \(\d+ ms\)$/,
      );
      assert.ok(existsSync(screenshot), run.stdout);
      assert.ok(!existsSync(path.join(repoRoot, "failure.png")), "written in the repository root");
    } finally {
      rmSync(started, { recursive: true, force: true });
      rmSync(path.join(repoRoot, "failure.png"), { force: true });
    }
  });

  // A fresh machine has no system Chromium: npm ci's own must do, even where there is one.
  it("runs on the Chromium npm ci installed when the system's is ignored", async () => {
    const run = await npmRun("e2e", ["--url", service.baseUrl], {
      CHROMIUM_PATH: "",
      [IGNORE_SYSTEM_ENV]: "1",
    });
    assertSteps(run, 0);
    assert.match(
      run.stdout,
      /^Chromium \d+\.\S+ at \S+\/node_modules\/\.cache\/sparticuz-chromium-[\d.]+\/chromium \(npm package\), profile /m,
    );
  });

  it("says which CHROMIUM_PATH is missing, and what else it would use", async () => {
    const run = await npmRun("e2e", ["--url", service.baseUrl], {
      CHROMIUM_PATH: "/nonexistent/chromium",
    });
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.equal(
      run.stderr.trimEnd(),
      "error: Chromium not found at /nonexistent/chromium (CHROMIUM_PATH): unset it to use a " +
        "system or the packaged Chromium, or set it to a Chromium binary",
    );
  });

  for (const [signal, code, when] of [
    ["SIGINT", 130, "on Ctrl-C"],
    ["SIGTERM", 143, "when the pipeline cancels the job"],
  ] as const) {
    it(`closes Chromium and removes its profile ${when} (${signal})`, async () => {
      // The page never answers, so the run is mid-step when interrupted.
      const e = await edge({ intercept: ({ path }) => (path === "/" ? "hang" : undefined) });
      const script = startScript("e2e", ["--url", e.url]);
      await script.waitForLine(/^Chromium .* profile /);
      script.child.kill(signal);
      const run = await script.done;
      assert.equal(run.code, code, `${run.stdout}${run.stderr}`);
      assert.match(run.stderr, new RegExp(`interrupted \\(${signal}\\): closing Chromium`));
      assertCleanedUp(run);
    });
  }

  it("gives one line and exit 2 for a bad argument", async () => {
    const run = await npmRun("e2e", ["--url", service.baseUrl, "--timeout", "0"]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'error: --timeout must be an integer from 1 to 600000, got "0" (see --help)\n',
    );
  });
});
