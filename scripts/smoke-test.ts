/**
 * `npm run smoke-test -- --url URL [--http-url URL] [--retries N] [--timeout MS]`
 *
 * Checks a deployed (or local) notes service from the outside, as the pipeline does after every
 * `pulumi up`: liveness, readiness (retried with backoff while the service starts), an API round
 * trip (create, read, delete a note), the page and every script and stylesheet it references;
 * for an https:// URL also the HTTP -> HTTPS redirect, HSTS and the assets' cache headers. One
 * PASS/FAIL line per check, a summary, exit 0 only if everything passed (1 otherwise, 2 for a
 * missing or bad argument).
 */
import { randomUUID } from "node:crypto";
import { contract } from "../app/src/contract";
import {
  describeError,
  fail,
  HASHED_NAME,
  parseCli,
  parseIntFlag,
  parseUrl,
  pass,
  Report,
  runScript,
  UsageError,
  type Outcome,
} from "./lib/checks";

const usage = `usage: npm run smoke-test -- --url URL [--http-url URL] [--retries N] [--timeout MS]

  --url URL        the service's base URL, http:// or https://
  --http-url URL   where plain HTTP answers, for the redirect check of an https:// URL
                   (default: the same host on port 80)
  --retries N      how often liveness and readiness are retried while the service starts,
                   waiting 1 s, 2 s, 4 s ... (at most 10 s) in between (default 6, about 35 s)
  --timeout MS     time limit of each request in milliseconds (default 10000)

Trusts the system's CAs; for a private CA set NODE_EXTRA_CA_CERTS=/path/to/ca.pem.
Exit code: 0 all checks passed, 1 a check failed, 2 a missing or bad argument.`;

/** A year: what HSTS preload lists ask for, and how long content-hashed assets can be kept. */
export const ONE_YEAR_SECONDS = 31_536_000;

export interface SmokeOptions {
  url: URL;
  httpUrl?: URL;
  retries: number;
  timeoutMs: number;
}

/** Pause before retry n (1-based): 1 s, 2 s, 4 s, 8 s, then 10 s. */
const backoff = (retry: number) => Math.min(1000 * 2 ** (retry - 1), 10_000);

export function parseSmokeArgs(argv: string[]): SmokeOptions | "help" {
  const values = parseCli(argv, {
    url: { type: "string" },
    "http-url": { type: "string" },
    retries: { type: "string" },
    timeout: { type: "string" },
  });
  if (values.help) return "help";
  const url = parseUrl(values.url as string | undefined);
  let httpUrl: URL | undefined;
  if (values["http-url"] !== undefined) {
    httpUrl = parseUrl(values["http-url"] as string);
    if (httpUrl.protocol !== "http:") throw new UsageError("--http-url must be an http:// URL");
  }
  return {
    url,
    httpUrl,
    retries: parseIntFlag("retries", values.retries as string | undefined, 6, 0, 50),
    timeoutMs: parseIntFlag("timeout", values.timeout as string | undefined, 10_000, 1, 600_000),
  };
}

interface Asset {
  url: URL;
  kind: "script" | "stylesheet";
}

/** Scripts and stylesheets the page references, resolved against its URL, in document order. */
export function referencedAssets(html: string, pageUrl: URL): Asset[] {
  const assets: Asset[] = [];
  for (const [tag, name] of html.matchAll(/<(script|link)\b[^>]*>/gi)) {
    const attrs = attributes(tag);
    if (name.toLowerCase() === "script" && attrs.src) {
      assets.push({ url: new URL(attrs.src, pageUrl), kind: "script" });
    }
    const rel = (attrs.rel ?? "").toLowerCase().split(/\s+/);
    if (name.toLowerCase() === "link" && attrs.href) {
      if (rel.includes("stylesheet")) {
        assets.push({ url: new URL(attrs.href, pageUrl), kind: "stylesheet" });
      } else if (rel.includes("modulepreload")) {
        assets.push({ url: new URL(attrs.href, pageUrl), kind: "script" });
      }
    }
  }
  return assets;
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
    attrs[m[1].toLowerCase()] = m[2] ?? m[3] ?? m[4];
  }
  return attrs;
}

/** `max-age` of a Cache-Control or Strict-Transport-Security value; undefined when absent. */
function maxAge(header: string): number | undefined {
  const m = /(?:^|[;,\s])max-age\s*=\s*"?(\d+)"?/i.exec(header);
  return m ? Number(m[1]) : undefined;
}

/** HSTS for a year, subdomains included; `undefined` if the header says so, else what is wrong. */
export function hstsProblem(header: string | null): string | undefined {
  if (!header) return "no Strict-Transport-Security header";
  const age = maxAge(header);
  const problems: string[] = [];
  if (age === undefined || age < ONE_YEAR_SECONDS)
    problems.push(`max-age below ${ONE_YEAR_SECONDS}`);
  if (!/(^|;)\s*includeSubDomains\s*(;|$)/i.test(header)) problems.push("no includeSubDomains");
  return problems.length > 0 ? `"${header}": ${problems.join(", ")}` : undefined;
}

/** A content-hashed asset may be kept a year and never revalidated. */
export function assetCachingProblem(header: string | null): string | undefined {
  if (!header) return "no Cache-Control header";
  const age = maxAge(header);
  const problems: string[] = [];
  if (!/(^|,)\s*immutable\s*(,|$)/i.test(header)) problems.push("not immutable");
  if (age === undefined || age < ONE_YEAR_SECONDS)
    problems.push(`max-age below ${ONE_YEAR_SECONDS}`);
  return problems.length > 0 ? `"${header}": ${problems.join(", ")}` : undefined;
}

/** A response body in a result line: one line, and short. */
const snippet = (body: string) => body.replace(/\s+/g, " ").trim().slice(0, 200);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function smokeTest(opts: SmokeOptions): Promise<number> {
  const report = new Report(`smoke test of ${opts.url.origin}`);
  // Paths are resolved against the base URL, so a service under a path prefix works too.
  const base = new URL(opts.url.href.endsWith("/") ? opts.url.href : `${opts.url.href}/`);
  const at = (path: string) => new URL(path, base);
  // Relative to the base URL, which may have a path of its own.
  const health = (path: string) => path.replace(/^\//, "");

  const request = (url: URL, init: RequestInit = {}) =>
    fetch(url, {
      redirect: "manual",
      ...init,
      headers: { "user-agent": "acme-smoke-test", ...init.headers },
      signal: AbortSignal.timeout(opts.timeoutMs),
    });

  /** Runs `attempt` until it passes or `retries` retries are used up, saying why it waits. */
  const withRetries = async (name: string, retries: number, attempt: () => Promise<Outcome>) => {
    for (let n = 0; ; n++) {
      let outcome: Outcome;
      try {
        outcome = await attempt();
      } catch (err) {
        outcome = fail(describeError(err));
      }
      if (outcome.ok || n === retries) {
        const tries = n === 0 ? "" : `, after ${n + 1} attempts`;
        return { ...outcome, detail: `${outcome.detail}${tries}` };
      }
      const wait = backoff(n + 1);
      console.log(`WAIT  ${name}  ${outcome.detail}; retry ${n + 1} of ${retries} in ${wait} ms`);
      await sleep(wait);
    }
  };

  /** GETs `path` and expects `expected` with `{ [field]: want }`. */
  const jsonStatus = async (path: string, expected: number, field: string, want: string) => {
    const res = await request(at(path));
    const text = await res.text();
    const where = `GET ${at(path).pathname}`;
    if (res.status !== expected) return fail(`${where} answered ${res.status}: ${snippet(text)}`);
    let value: unknown;
    try {
      value = (JSON.parse(text) as Record<string, unknown>)[field];
    } catch {
      return fail(`${where} answered ${res.status} but not JSON: ${snippet(text)}`);
    }
    return value === want
      ? pass(`${where} ${res.status} ${field}=${want}`)
      : fail(`${where} answered ${field}=${JSON.stringify(value)}, expected "${want}"`);
  };

  // 1. Liveness, then readiness: both retried while the service starts.
  const live = await report.check("liveness", () =>
    withRetries("liveness", opts.retries, async () =>
      jsonStatus(health(contract.health.liveness), 200, "status", "ok"),
    ),
  );
  // A service that never came up is not worth waiting for twice.
  await report.check("readiness", () =>
    withRetries("readiness", live ? opts.retries : 0, async () =>
      jsonStatus(health(contract.health.readiness), 200, "status", "ready"),
    ),
  );

  // 2. API round trip with a note that names where it came from, should it ever be left behind.
  const text = `smoke test ${new Date().toISOString()} ${randomUUID()}`;
  let id: string | undefined;
  // Stopped between create and delete (Ctrl-C, a cancelled job), the run deletes its note first.
  let cleanup: URL | undefined;
  const onSignal = (signal: NodeJS.Signals, code: number) => () => {
    console.error(`interrupted (${signal})${cleanup ? ": deleting the smoke-test note" : ""}`);
    const done = () => process.exit(code);
    if (!cleanup) return done();
    fetch(cleanup, { method: "DELETE", signal: AbortSignal.timeout(5000) }).then(done, done);
  };
  process.once("SIGINT", onSignal("SIGINT", 130));
  process.once("SIGTERM", onSignal("SIGTERM", 143));
  await report.check("api create", async () => {
    const res = await request(at("api/notes"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
    });
    const body = await res.text();
    if (res.status !== 201) return fail(`POST /api/notes answered ${res.status}: ${snippet(body)}`);
    const note = JSON.parse(body) as { id?: string; text?: string };
    if (typeof note.id !== "string")
      return fail(`POST /api/notes answered 201 without an id: ${body}`);
    id = note.id;
    cleanup = at(`api/notes/${encodeURIComponent(id)}`);
    if (note.text !== text) return fail(`POST /api/notes stored ${JSON.stringify(note.text)}`);
    return pass(`POST /api/notes 201 id=${id}`);
  });
  if (id === undefined) {
    report.skip("api read", "no note was created");
    report.skip("api delete", "no note was created");
  } else {
    const notePath = at(`api/notes/${encodeURIComponent(id)}`);
    await report.check("api read", async () => {
      const res = await request(notePath);
      const body = await res.text();
      if (res.status !== 200)
        return fail(`GET ${notePath.pathname} answered ${res.status}: ${snippet(body)}`);
      const note = JSON.parse(body) as { text?: string };
      return note.text === text
        ? pass(`GET ${notePath.pathname} 200, same text`)
        : fail(
            `GET ${notePath.pathname} returned ${JSON.stringify(note.text)}, expected ${JSON.stringify(text)}`,
          );
    });
    await report.check("api delete", async () => {
      const res = await request(notePath, { method: "DELETE" });
      await res.arrayBuffer();
      if (res.status !== 204) return fail(`DELETE ${notePath.pathname} answered ${res.status}`);
      cleanup = undefined;
      const after = await request(notePath);
      await after.arrayBuffer();
      return after.status === 404
        ? pass(`DELETE ${notePath.pathname} 204, then GET 404`)
        : fail(`DELETE answered 204 but GET ${notePath.pathname} still answers ${after.status}`);
    });
  }

  // 3. The page and what it references. Asset URLs come from the served HTML: where they live
  //    (the service, or a CDN path) is the deployment's business, not this script's.
  let page: Response | undefined;
  let assets: Asset[] = [];
  const assetResponses: Array<{ asset: Asset; res: Response }> = [];
  const pageOk = await report.check("static page", async () => {
    page = await request(base);
    const html = await page.text();
    const type = page.headers.get("content-type") ?? "";
    if (page.status !== 200) return fail(`GET ${base.pathname} answered ${page.status}`);
    if (!type.startsWith("text/html"))
      return fail(`GET ${base.pathname} is ${type || "untyped"}, not HTML`);
    assets = referencedAssets(html, base);
    const kinds = new Set(assets.map((a) => a.kind));
    if (!kinds.has("script") || !kinds.has("stylesheet")) {
      return fail(`the page references no ${kinds.has("script") ? "stylesheet" : "script"}`);
    }
    const unhashed = assets.filter((a) => !HASHED_NAME.test(a.url.pathname));
    if (unhashed.length > 0) {
      return fail(`not content-hashed: ${unhashed.map((a) => a.url.pathname).join(", ")}`);
    }
    return pass(`GET ${base.pathname} 200 HTML, ${assets.length} hashed assets referenced`);
  });
  if (!pageOk) {
    report.skip("static assets", "the page did not load");
  } else {
    await report.check("static assets", async () => {
      const problems: string[] = [];
      for (const asset of assets) {
        const res = await request(asset.url);
        await res.arrayBuffer();
        assetResponses.push({ asset, res });
        const type = res.headers.get("content-type") ?? "";
        const expected = asset.kind === "script" ? /javascript/ : /^text\/css/;
        if (res.status !== 200) problems.push(`${asset.url.pathname} answered ${res.status}`);
        else if (!expected.test(type))
          problems.push(`${asset.url.pathname} is ${type || "untyped"}`);
      }
      return problems.length === 0
        ? pass(assets.map((a) => `${a.url.pathname} 200`).join(", "))
        : fail(problems.join("; "));
    });
  }

  // 4. Only meaningful where TLS is terminated for real: the CDN or the load balancer.
  if (opts.url.protocol === "https:") {
    const httpUrl = opts.httpUrl ?? Object.assign(new URL(base), { protocol: "http:", port: "" });
    await report.check("https redirect", async () => {
      const res = await request(httpUrl);
      await res.arrayBuffer();
      const location = res.headers.get("location");
      const target = location ? new URL(location, httpUrl) : undefined;
      if (res.status !== 301 && res.status !== 308) {
        return fail(
          `GET ${httpUrl.href} answered ${res.status}, expected a permanent redirect (301 or 308)`,
        );
      }
      if (target?.protocol !== "https:" || target.hostname !== base.hostname) {
        return fail(
          `GET ${httpUrl.href} redirects to ${location ?? "nowhere"}, not https://${base.hostname}`,
        );
      }
      return pass(`GET ${httpUrl.href} ${res.status} -> ${target.href}`);
    });
    if (page) {
      const header = page.headers.get("strict-transport-security");
      await report.check("hsts", async () => {
        const problem = hstsProblem(header);
        return problem ? fail(problem) : pass(`"${header}"`);
      });
    } else {
      report.skip("hsts", "the page did not load");
    }
    if (assetResponses.length > 0 && page) {
      const pageCache = page.headers.get("cache-control") ?? "";
      await report.check("asset cache headers", async () => {
        const problems = assetResponses
          .map(({ asset, res }) => {
            const problem = assetCachingProblem(res.headers.get("cache-control"));
            return problem && `${asset.url.pathname}: ${problem}`;
          })
          .filter(Boolean);
        // The page names the current hashes, so it must be revalidated, never kept for a year.
        if (/immutable/i.test(pageCache))
          problems.push(`the page itself is immutable ("${pageCache}")`);
        return problems.length === 0
          ? pass(
              `${assetResponses.length} assets immutable for a year, the page "${pageCache || "(none)"}"`,
            )
          : fail(problems.join("; "));
      });
    } else {
      report.skip("asset cache headers", "no asset loaded");
    }
  }

  return report.finish();
}

if (require.main === module) {
  runScript(async (argv) => {
    const opts = parseSmokeArgs(argv);
    if (opts === "help") {
      console.log(usage);
      return 0;
    }
    return smokeTest(opts);
  });
}
