import assert from "node:assert/strict";
import net from "node:net";
import { UsageError } from "../../scripts/lib/checks";
import { parseSmokeArgs, referencedAssets } from "../../scripts/smoke-test";
import {
  selfSignedCertificate,
  startEdge,
  type Certificate,
  type Edge,
  type EdgeOptions,
} from "./helpers/edge";
import { assertOutcome, npmRun, resultLine, startScript } from "./helpers/run";
import { useLocalService } from "./helpers/service";

const CHECKS = [
  "liveness",
  "readiness",
  "api create",
  "api read",
  "api delete",
  "static page",
  "static assets",
];
const HTTPS_CHECKS = ["https redirect", "hsts", "asset cache headers"];

describe("scripts/smoke-test.ts (npm run smoke-test)", function () {
  this.timeout(120_000);
  const service = useLocalService();
  let cert: Certificate;
  const edges: Edge[] = [];
  const edge = async (opts: Omit<EdgeOptions, "target">) => {
    const started = await startEdge({ target: service.baseUrl, ...opts });
    edges.push(started);
    return started;
  };
  before(() => {
    cert = selfSignedCertificate();
  });
  afterEach(async () => {
    await Promise.all(edges.splice(0).map((e) => e.close()));
  });
  after(() => cert?.dispose());

  describe("against the local service", () => {
    it("passes every check over HTTP, creating and deleting a note", async () => {
      const run = await npmRun("smoke-test", ["--url", service.baseUrl]);
      assertOutcome(run, 0, CHECKS);
      assert.match(run.lines.at(-1)!, /7 passed, 0 failed, 0 skipped/);
      assert.ok(
        run.lines.every((l) => !/https redirect|hsts/.test(l)),
        "no HTTPS checks over HTTP",
      );
      assert.match(resultLine(run, "static assets")!, /\/app\.[0-9a-f]{10}\.js 200/);
    });

    it("passes the HTTPS checks behind an edge that redirects, sends HSTS and caches assets", async () => {
      const e = await edge({ tls: cert });
      const run = await npmRun("smoke-test", ["--url", e.url, "--http-url", e.httpUrl], {
        NODE_EXTRA_CA_CERTS: cert.certFile,
      });
      assertOutcome(run, 0, [...CHECKS, ...HTTPS_CHECKS]);
      assert.match(resultLine(run, "https redirect")!, / 301 -> https:\/\/127\.0\.0\.1:\d+\//);
      assert.match(resultLine(run, "hsts")!, /max-age=31536000; includeSubDomains/);
    });

    it("waits with backoff for a service that is still starting", async () => {
      let readyz = 0;
      const e = await edge({
        intercept: ({ path }) =>
          path === "/readyz" && ++readyz <= 2
            ? { status: 503, body: '{"status":"unavailable","reason":"schema not migrated"}' }
            : undefined,
      });
      const run = await npmRun("smoke-test", ["--url", e.url, "--retries", "3"]);
      assertOutcome(run, 0, CHECKS);
      const waits = run.lines.filter((l) => l.startsWith("WAIT  readiness  "));
      assert.equal(waits.length, 2, run.stdout);
      assert.match(waits[0], /answered 503.*retry 1 of 3 in 1000 ms/);
      assert.match(waits[1], /retry 2 of 3 in 2000 ms/);
      assert.match(resultLine(run, "readiness")!, /after 3 attempts/);
    });
  });

  describe("against a broken service", () => {
    it("fails readiness after its bounded retries, quoting the answer, and still runs the other checks", async () => {
      const e = await edge({
        intercept: ({ path }) =>
          path === "/readyz"
            ? { status: 500, body: "<html>\n  <h1>Internal Server Error</h1>\n</html>\n" }
            : undefined,
      });
      const run = await npmRun("smoke-test", ["--url", e.url, "--retries", "1"]);
      assertOutcome(run, 1, CHECKS, ["readiness"]);
      assert.match(
        resultLine(run, "readiness")!,
        /^FAIL {2}readiness {2}GET \/readyz answered 500: <html> <h1>Internal Server Error<\/h1> <\/html>, after 2 attempts/,
      );
      assert.match(run.lines.at(-1)!, /6 passed, 1 failed, 0 skipped/);
    });

    it("fails the API round trip when notes cannot be created, skipping read and delete", async () => {
      const e = await edge({
        intercept: ({ method, path }) =>
          method === "POST" && path === "/api/notes"
            ? { status: 500, body: '{"error":{}}' }
            : undefined,
      });
      const run = await npmRun("smoke-test", ["--url", e.url]);
      assertOutcome(run, 1, CHECKS, ["api create", "api read", "api delete"]);
      assert.match(
        resultLine(run, "api create")!,
        /^FAIL {2}api create {2}POST \/api\/notes answered 500/,
      );
      assert.match(resultLine(run, "api read")!, /^SKIP {2}api read {2}no note was created/);
    });

    it("fails the static assets check naming an asset the page references but nobody serves", async () => {
      const e = await edge({
        intercept: ({ path }) =>
          path.endsWith(".css") ? { status: 404, body: "not found" } : undefined,
      });
      const run = await npmRun("smoke-test", ["--url", e.url]);
      assertOutcome(run, 1, CHECKS, ["static assets"]);
      assert.match(
        resultLine(run, "static assets")!,
        /^FAIL {2}static assets {2}\/assets\/styles\.[0-9a-f]{10}\.css answered 404/,
      );
    });

    it("fails the static page when it references an asset without a content hash", async () => {
      const e = await edge({
        page: (html) => html.replace(/styles\.[0-9a-f]{10}\.css/, "styles.css"),
      });
      const run = await npmRun("smoke-test", ["--url", e.url]);
      assertOutcome(run, 1, CHECKS, ["static page", "static assets"]);
      assert.match(resultLine(run, "static page")!, /not content-hashed: \/assets\/styles\.css/);
    });

    it("fails each HTTPS check an edge gets wrong: temporary redirect, short HSTS, revalidated assets", async () => {
      const e = await edge({
        tls: cert,
        redirectStatus: 302,
        hsts: "max-age=300",
        assetCacheControl: "public, max-age=60",
      });
      const run = await npmRun("smoke-test", ["--url", e.url, "--http-url", e.httpUrl], {
        NODE_EXTRA_CA_CERTS: cert.certFile,
      });
      assertOutcome(run, 1, [...CHECKS, ...HTTPS_CHECKS], HTTPS_CHECKS);
      assert.match(
        resultLine(run, "https redirect")!,
        /answered 302, expected a permanent redirect/,
      );
      assert.match(
        resultLine(run, "hsts")!,
        /"max-age=300": max-age below 31536000, no includeSubDomains/,
      );
      assert.match(
        resultLine(run, "asset cache headers")!,
        /"public, max-age=60": not immutable, max-age below/,
      );
    });

    it("fails when plain HTTP serves the site instead of redirecting, or HSTS is missing", async () => {
      const e = await edge({ tls: cert, redirectStatus: 0, hsts: null });
      const run = await npmRun("smoke-test", ["--url", e.url, "--http-url", e.httpUrl], {
        NODE_EXTRA_CA_CERTS: cert.certFile,
      });
      assertOutcome(run, 1, [...CHECKS, ...HTTPS_CHECKS], ["https redirect", "hsts"]);
      assert.match(
        resultLine(run, "https redirect")!,
        /answered 200, expected a permanent redirect/,
      );
      assert.match(resultLine(run, "hsts")!, /no Strict-Transport-Security header/);
    });

    it("names the certificate error when the service's certificate is not trusted", async () => {
      const e = await edge({ tls: cert });
      const run = await npmRun("smoke-test", [
        "--url",
        e.url,
        "--http-url",
        e.httpUrl,
        "--retries",
        "0",
      ]);
      assert.equal(run.code, 1, run.stdout);
      assert.match(
        resultLine(run, "liveness")!,
        /^FAIL {2}liveness {2}fetch failed: DEPTH_ZERO_SELF_SIGNED_CERT/,
      );
    });

    it("gives up on a request that never answers after --timeout", async () => {
      const e = await edge({ intercept: ({ path }) => (path === "/readyz" ? "hang" : undefined) });
      const run = await npmRun("smoke-test", [
        "--url",
        e.url,
        "--retries",
        "0",
        "--timeout",
        "500",
      ]);
      assertOutcome(run, 1, CHECKS, ["readiness"]);
      assert.match(resultLine(run, "readiness")!, /^FAIL {2}readiness {2}no answer in time \(/);
    });

    it("deletes its note when stopped between create and delete", async () => {
      // Reading the note back never answers, so the run is between create and delete.
      const e = await edge({
        intercept: ({ method, path }) =>
          method === "GET" && path.startsWith("/api/notes/") ? "hang" : undefined,
      });
      const script = startScript("smoke-test", ["--url", e.url]);
      const created = await script.waitForLine(/^PASS {2}api create {2}/);
      const id = /id=(\S+)/.exec(created)![1];
      script.child.kill("SIGINT");
      const run = await script.done;
      assert.equal(run.code, 130, `${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /^interrupted \(SIGINT\): deleting the smoke-test note$/m);
      const res = await fetch(`${service.baseUrl}/api/notes/${id}`);
      assert.equal(res.status, 404, "the note is gone");
    });

    it("fails fast when nothing listens, without waiting twice", async () => {
      const port = await closedPort();
      const run = await npmRun("smoke-test", [
        "--url",
        `http://127.0.0.1:${port}`,
        "--retries",
        "1",
      ]);
      assertOutcome(run, 1, ["liveness", "readiness"], ["liveness", "readiness"]);
      assert.match(resultLine(run, "liveness")!, /ECONNREFUSED, after 2 attempts/);
      assert.equal(run.lines.filter((l) => l.startsWith("WAIT")).length, 1, run.stdout);
    });
  });

  describe("arguments", () => {
    it("gives one line and exit 2 for a missing argument", async () => {
      const run = await npmRun("smoke-test", []);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, "");
      assert.equal(run.stderr, "error: --url is required (the service's base URL) (see --help)\n");
    });

    it("rejects bad values with a message naming the flag and what it takes", () => {
      const rejects = (args: string[], message: RegExp) =>
        assert.throws(
          () => parseSmokeArgs(args),
          (err: Error) => {
            assert.ok(err instanceof UsageError, String(err));
            assert.match(err.message, message);
            assert.doesNotMatch(err.message, /\n/);
            return true;
          },
        );
      rejects(["--url", "example.com"], /^--url must be an absolute URL/);
      rejects(["--url", "ftp://example.com"], /^--url must be http:\/\/ or https:\/\//);
      rejects(
        ["--url", "https://x", "--http-url", "https://x"],
        /^--http-url must be an http:\/\//,
      );
      rejects(
        ["--url", "http://x", "--retries", "51"],
        /^--retries must be an integer from 0 to 50, got "51"/,
      );
      rejects(
        ["--url", "http://x", "--retries", "-1"],
        /^Option '--retries' argument is ambiguous\. Did you forget/,
      );
      rejects(
        ["--url", "http://x", "--timeout", "soon"],
        /^--timeout must be an integer from 1 to 600000/,
      );
      rejects(["--url", "http://x", "--verbose"], /^Unknown option '--verbose'/);
      assert.deepEqual(
        parseSmokeArgs(["--url", "https://x", "--retries", "0", "--timeout", "500"]),
        {
          url: new URL("https://x"),
          httpUrl: undefined,
          retries: 0,
          timeoutMs: 500,
        },
      );
    });

    it("explains itself with --help", async () => {
      const run = await npmRun("smoke-test", ["--help"]);
      assert.equal(run.code, 0);
      assert.match(run.stdout, /^usage: npm run smoke-test -- --url URL/);
      assert.match(run.stdout, /NODE_EXTRA_CA_CERTS/);
    });
  });

  describe("asset discovery", () => {
    it("finds scripts and stylesheets wherever the page puts them, e.g. under assets/", () => {
      const html = `<link rel="preload" href="font.woff2"><link href='/assets/styles.0123456789.css' rel="stylesheet">
        <script defer src=assets/app.abcdef0123.js></script><script>inline()</script>`;
      const found = referencedAssets(html, new URL("https://example.com/"));
      assert.deepEqual(
        found.map((a) => [a.kind, a.url.href]),
        [
          ["stylesheet", "https://example.com/assets/styles.0123456789.css"],
          ["script", "https://example.com/assets/app.abcdef0123.js"],
        ],
      );
    });
  });
});

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
