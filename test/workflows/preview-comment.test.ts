/**
 * scripts/ci/preview-comment.mjs, run as preview.yml runs it (a separate node process, the
 * GitHub API at GITHUB_API_URL), against a local stand-in for the API: a failed preview leaves
 * its reason on the pull request, replacing the stack's earlier (green) comment.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../scripts/offline/harness";

interface Comment {
  id: number;
  body: string;
}

describe("preview comment (scripts/ci/preview-comment.mjs)", () => {
  let server: Server;
  let api: string;
  let comments: Comment[];
  let requests: string[];
  let dir: string;

  beforeEach(async () => {
    comments = [{ id: 1, body: "an unrelated comment" }];
    requests = [];
    dir = mkdtempSync(join(tmpdir(), "preview-comment-"));
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk) => (text += chunk));
      req.on("end", () => {
        requests.push(`${req.method} ${req.url}`);
        assert.equal(req.headers.authorization, "Bearer test-token");
        const send = (status: number, value: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(value));
        };
        if (req.method === "GET" && req.url?.startsWith("/repos/o/r/issues/7/comments")) {
          return send(200, comments);
        }
        if (req.method === "POST" && req.url === "/repos/o/r/issues/7/comments") {
          const comment = { id: comments.length + 1, body: JSON.parse(text).body };
          comments.push(comment);
          return send(201, comment);
        }
        const patch = /^\/repos\/o\/r\/issues\/comments\/(\d+)$/.exec(req.url ?? "");
        if (req.method === "PATCH" && patch) {
          const comment = comments.find((c) => c.id === Number(patch[1]))!;
          comment.body = JSON.parse(text).body;
          return send(200, comment);
        }
        send(404, { message: "not found" });
      });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise((done) => server.close(done));
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (outcome: string, log: string, extra: Record<string, string> = {}) => {
    const logFile = join(dir, `${outcome}.log`);
    writeFileSync(logFile, log);
    return promisify(execFile)(
      process.execPath,
      [join(repoRoot, "scripts", "ci", "preview-comment.mjs")],
      {
        env: {
          PATH: process.env.PATH,
          GITHUB_API_URL: api,
          GITHUB_REPOSITORY: "o/r",
          GITHUB_TOKEN: "test-token",
          PR_NUMBER: "7",
          STACK: "prod",
          OUTCOME: outcome,
          LOG: logFile,
          ...extra,
        },
      },
    );
  };

  it("posts a failed preview's reason, then replaces its earlier green comment with it", async () => {
    await post("success", "Resources: 195 unchanged");
    assert.equal(comments.length, 2);
    assert.match(comments[1].body, /^<!-- acme-preview:prod -->\n### Preview of `prod` passed/);

    const reason =
      "Policies:\n    ❌ acme-quality-gate@v0.1.0 (local: .base/policies)\n" +
      "        - [mandatory]  cloudwatch-log-group-retention  (aws:cloudwatch/logGroup:LogGroup: prod-flow-logs)\n" +
      "error: preview failed";
    await post("failure", reason);
    assert.equal(comments.length, 2, "the stack's comment is updated, not a second one added");
    assert.match(comments[1].body, /### Preview of `prod` FAILED/);
    assert.ok(comments[1].body.includes(reason));
    assert.doesNotMatch(comments[1].body, /passed/);
    assert.equal(comments[0].body, "an unrelated comment");
    assert.deepEqual(
      requests.filter((r) => !r.startsWith("GET")),
      ["POST /repos/o/r/issues/7/comments", "PATCH /repos/o/r/issues/comments/2"],
    );
  });

  it("shows the pull request's own pack's result beside the verdict", async () => {
    const own = join(dir, "own.log");
    writeFileSync(own, "own pack: 1 mandatory violation");
    await post("success", "ok", { OWN_OUTCOME: "failure", OWN_LOG: own });
    assert.match(comments[1].body, /#### This pull request's own policy pack: FAILED/);
    assert.ok(comments[1].body.includes("own pack: 1 mandatory violation"));
  });

  it("keeps the end of a log too long for a comment", async () => {
    await post("failure", `${"x".repeat(100_000)}\nerror: the reason`);
    assert.ok(comments[1].body.length < 65_536);
    assert.ok(comments[1].body.includes("error: the reason"));
  });
});
