/**
 * `npm run e2e -- --url URL [--timeout MS] [--screenshot FILE]`
 *
 * The sample page in a real browser: Playwright (playwright-core, which never downloads a
 * browser) drives Chromium, headless: the system's, or the one `npm ci` brings (scripts/lib/chromium.ts). The page must load its content-hashed script
 * and stylesheet, a note typed into the form must appear in the list and survive a reload, and
 * its Delete button must remove it for good; all without a console error, an uncaught page
 * error or a failed request. One PASS/FAIL line per step, a summary, exit 0 only if everything
 * passed. Chromium is always closed and its throw-away profile removed, on failure and on
 * Ctrl-C (SIGINT) or SIGTERM too.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page, type Response } from "playwright-core";
import { findChromium, type FoundChromium } from "./lib/chromium";
import { fromUser } from "./lib/user-paths";
import {
  fail,
  HASHED_NAME,
  parseCli,
  parseIntFlag,
  parseUrl,
  pass,
  Report,
  runScript,
  type Outcome,
} from "./lib/checks";

const usage = `usage: npm run e2e -- --url URL [--timeout MS] [--screenshot FILE]

  --url URL          the page to test, http:// or https://
  --timeout MS       time limit of each browser step in milliseconds (default 15000)
  --screenshot FILE  on failure, save a screenshot of the page there (relative to the directory
                     npm run was started in)

Chromium: the binary CHROMIUM_PATH names, else /usr/bin/chromium (Debian's package), chromium-browser
or google-chrome, else the one npm ci installed (@sparticuz/chromium, x64 Linux; set
CHROMIUM_IGNORE_SYSTEM=1 to use it when there is a system one). Playwright's own browser download
is not used.
Exit code: 0 all steps passed, 1 a step failed, 2 a missing or bad argument or no Chromium.`;

/**
 * Headless in a fresh profile, and nothing Chromium would fetch on its own: on a closed network
 * its background connections (updates, sync, QUIC probes) are refused or hang at every start.
 * Playwright adds --no-sandbox itself (the sandbox cannot start as root, as in CI containers).
 */
const CHROMIUM_ARGS = [
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Exit code when Chromium is missing: the run could not start, as with a bad argument. */
const EXIT_CANNOT_RUN = 2;

async function main(argv: string[]): Promise<number> {
  const values = parseCli(argv, {
    url: { type: "string" },
    timeout: { type: "string" },
    screenshot: { type: "string" },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const url = parseUrl(values.url as string | undefined);
  const timeoutMs = parseIntFlag(
    "timeout",
    values.timeout as string | undefined,
    15_000,
    1,
    600_000,
  );
  const browser = await findChromium();
  if (typeof browser === "string") {
    console.error(browser);
    return EXIT_CANNOT_RUN;
  }
  const screenshot = values.screenshot as string | undefined;
  return browse(
    browser,
    url,
    timeoutMs,
    screenshot === undefined ? undefined : fromUser(screenshot),
  );
}

async function browse(
  browser: FoundChromium,
  url: URL,
  timeoutMs: number,
  screenshot: string | undefined,
): Promise<number> {
  const { executablePath } = browser;
  const profile = mkdtempSync(path.join(tmpdir(), "e2e-chromium-"));
  let context: BrowserContext | undefined;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Bounded: a wedged browser must not keep the run (or the pipeline) waiting forever.
      await Promise.race([context?.close().catch(() => undefined), sleep(10_000)]);
      rmSync(profile, { recursive: true, force: true });
    })());
  // Our handlers, not Playwright's, so the profile is removed and the exit code says why.
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      console.error(`interrupted (${signal}): closing Chromium`);
      void close().then(() => process.exit(code));
    });
  }

  const report = new Report(`browser test of ${url.href}`);
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      ...(browser.env && { env: { ...process.env, ...browser.env } }),
      headless: true,
      args: CHROMIUM_ARGS,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 60_000,
    });
    // Should this process die some other way, Playwright's own exit handler kills Chromium.
    process.once("exit", () => rmSync(profile, { recursive: true, force: true }));
    context.setDefaultTimeout(timeoutMs);
    const page = context.pages()[0] ?? (await context.newPage());
    console.log(
      `Chromium ${context.browser()?.version() ?? ""} at ${executablePath} (${browser.source}), profile ${profile}`,
    );
    await runSteps(page, url, report);
    if (screenshot && report.failed) {
      await page.screenshot({ path: screenshot, fullPage: true }).then(
        () => console.log(`screenshot of the failure: ${screenshot}`),
        (err: Error) => console.error(`no screenshot: ${err.message}`),
      );
    }
  } finally {
    await close();
  }
  return report.finish();
}

/** What the stylesheet check reads in the page. */
interface PageGlobals {
  document: { styleSheets: Iterable<{ href: string | null; cssRules: { length: number } }> };
}

/**
 * Everything the browser saw go wrong, from the first request on, with how often: the page is
 * loaded three times, so one broken thing would otherwise be listed three times.
 */
function watchForErrors(page: Page): Map<string, number> {
  const seen = new Map<string, number>();
  const problems = { push: (problem: string) => seen.set(problem, (seen.get(problem) ?? 0) + 1) };
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    // Chromium asks for /favicon.ico by itself, whatever the page says; the sample page has no
    // icon, and a 404 for it is the browser's lookup, not something the page did.
    if (/^\/favicon\.ico$/.test(pathOf(msg.location().url))) return;
    problems.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => {
    const reason = req.failure()?.errorText;
    // ERR_ABORTED is the page cancelling its own request (a reload while a response body is
    // still read, as the steps do right after a DELETE): not a failure of the service. Refused,
    // reset or timed-out requests have reasons of their own, and HTTP errors are caught below.
    if (reason === "net::ERR_ABORTED") return;
    problems.push(`request failed: ${req.method()} ${req.url()} (${reason})`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400)
      problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
  return seen;
}

async function runSteps(page: Page, url: URL, report: Report): Promise<void> {
  const problems = watchForErrors(page);
  const loaded: Response[] = [];
  page.on("response", (res) => loaded.push(res));
  const listLoaded = () =>
    page.waitForResponse(
      (res) => res.request().method() === "GET" && /\/api\/notes(\?|$)/.test(res.url()),
    );
  const text = `e2e ${new Date().toISOString()} ${randomUUID()}`;
  const item = page.getByRole("listitem").filter({ hasText: text });
  let id: string | undefined;
  let deleted = false;

  const step = async (name: string, run: () => Promise<Outcome>, needs = true) => {
    if (!needs) {
      report.skip(name, "an earlier step failed");
      return false;
    }
    return report.check(name, run);
  };

  const pageOk = await step("page loads", async () => {
    // Listening before navigating, so the page's first request cannot be missed.
    const listing = listLoaded();
    listing.catch(() => undefined);
    const res = await page.goto(url.href, { waitUntil: "load" });
    if (res?.status() !== 200) return fail(`GET ${url.href} answered ${res?.status()}`);
    const list = await listing;
    return list.ok()
      ? pass(`GET ${url.pathname} 200, the note list loaded (${list.status()})`)
      : fail(`the page's GET ${new URL(list.url()).pathname} answered ${list.status()}`);
  });

  await step(
    "hashed assets",
    async () => {
      const assets = loaded.filter((r) =>
        ["script", "stylesheet"].includes(r.request().resourceType()),
      );
      const bad = assets.filter(
        (r) => r.status() !== 200 || !HASHED_NAME.test(new URL(r.url()).pathname),
      );
      const kinds = new Set(assets.map((r) => r.request().resourceType()));
      if (!kinds.has("script") || !kinds.has("stylesheet")) {
        return fail(
          `loaded ${[...kinds].join(" and ") || "nothing"}, expected a script and a stylesheet`,
        );
      }
      if (bad.length > 0) {
        return fail(
          bad.map((r) => `${new URL(r.url()).pathname} ${r.status()}`).join(", ") +
            " (not 200 and hashed)",
        );
      }
      // Loaded is not applied: the stylesheet's rules must be in the document.
      // (The function runs in the page; this project compiles without the DOM typings.)
      const rules = await page.evaluate(() =>
        [...(globalThis as unknown as PageGlobals).document.styleSheets].reduce(
          (n, sheet) => n + (sheet.href ? sheet.cssRules.length : 0),
          0,
        ),
      );
      if (rules === 0) return fail("the stylesheet loaded but no CSS rule applies");
      // Sorted: the responses arrive in whichever order the network gives them.
      const paths = assets.map((r) => new URL(r.url()).pathname).sort();
      return pass(`${paths.join(", ")} 200, ${rules} CSS rules applied`);
    },
    pageOk,
  );

  const created = await step(
    "create note",
    async () => {
      await page.getByLabel("New note").fill(text);
      const [res] = await Promise.all([
        page.waitForResponse(
          (r) => r.request().method() === "POST" && /\/api\/notes$/.test(r.url()),
        ),
        page.getByRole("button", { name: "Add" }).click(),
      ]);
      if (res.status() !== 201) return fail(`POST /api/notes answered ${res.status()}`);
      id = ((await res.json()) as { id: string }).id;
      await item.waitFor({ state: "visible" });
      return pass(`POST /api/notes 201, the note is listed`);
    },
    pageOk,
  );

  const listed = await step(
    "note listed after reload",
    async () => {
      await Promise.all([page.reload({ waitUntil: "load" }), listLoaded()]);
      await item.waitFor({ state: "visible" });
      return pass("the note is still listed after a reload");
    },
    created,
  );

  await step(
    "delete note",
    async () => {
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "DELETE"),
        item.getByRole("button", { name: "Delete" }).click(),
      ]);
      if (res.status() !== 204) return fail(`DELETE answered ${res.status()}`);
      deleted = true;
      await item.waitFor({ state: "detached" });
      await Promise.all([page.reload({ waitUntil: "load" }), listLoaded()]);
      const left = await item.count();
      return left === 0
        ? pass("DELETE 204, the note is gone, also after a reload")
        : fail("the note is listed again after a reload");
    },
    listed,
  );

  await report.check("no browser errors", async () =>
    problems.size === 0
      ? pass("no console error, page error or failed request")
      : fail(
          [...problems]
            .map(([problem, times]) => (times > 1 ? `${problem} (${times} times)` : problem))
            .join("; "),
        ),
  );

  if (id !== undefined && !deleted) {
    // Leave nothing behind in a shared environment, even when the page failed to delete it.
    await page.request.delete(new URL(`api/notes/${id}`, url).href).catch(() => undefined);
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

if (require.main === module) runScript(main);
