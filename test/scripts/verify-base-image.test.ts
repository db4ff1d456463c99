import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  INDEX_MEDIA_TYPES,
  baseImages,
  main,
  parseReference,
} from "../../scripts/verify-base-image";

const REPO_ROOT = path.resolve(__dirname, "../..");
const PINNED = /@(sha256:[0-9a-f]{64})/.exec(
  readFileSync(path.join(REPO_ROOT, "app/Dockerfile"), "utf8"),
)![1];
const OTHER = `sha256:${"1".repeat(64)}`;

/**
 * A stand-in for Docker Hub on 127.0.0.1, speaking the same protocol: a manifest HEAD without a
 * token gets 401 and a Bearer challenge naming the token service; the token service hands out a
 * token for `repository:<name>:pull`; the HEAD with that token gets the digest in
 * Docker-Content-Digest, the media type following the Accept header as Docker Hub does.
 */
class StandInRegistry {
  tags = new Map<string, { digest: string; mediaType: string }>();
  requests: Array<{ method: string; url: string; accept?: string; authorization?: string }> = [];
  private server = http.createServer((req, res) => this.handle(req, res));
  url = "";

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop() {
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    this.requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      accept: req.headers.accept,
      authorization: req.headers.authorization,
    });
    const url = new URL(req.url ?? "/", this.url);
    if (url.pathname === "/token") {
      const scope = url.searchParams.get("scope");
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ token: `t:${scope}` }));
      return;
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!m || req.method !== "HEAD") {
      res.statusCode = 404;
      res.end();
      return;
    }
    const [, repository, tag] = m;
    if (req.headers.authorization !== `Bearer t:repository:${repository}:pull`) {
      res.statusCode = 401;
      res.setHeader(
        "www-authenticate",
        `Bearer realm="${this.url}/token",service="registry.docker.io",scope="repository:${repository}:pull"`,
      );
      res.end();
      return;
    }
    const found = this.tags.get(`${repository}:${decodeURIComponent(tag)}`);
    if (!found) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const accepted = (req.headers.accept ?? "").includes(found.mediaType);
    res.setHeader("docker-content-digest", found.digest);
    res.setHeader("content-type", accepted ? found.mediaType : "application/octet-stream");
    res.end();
  }
}

describe("verify-base-image (npm run verify:base-image)", function () {
  this.timeout(60_000);
  const registry = new StandInRegistry();
  let out: string[];
  let err: string[];
  const original = { log: console.log, error: console.error };

  before(() => registry.start());
  after(() => registry.stop());
  beforeEach(() => {
    registry.tags.clear();
    registry.requests = [];
    out = [];
    err = [];
    console.log = (...a: unknown[]) => void out.push(a.join(" "));
    console.error = (...a: unknown[]) => void err.push(a.join(" "));
  });
  afterEach(() => {
    console.log = original.log;
    console.error = original.error;
  });

  const index = (digest: string) => ({ digest, mediaType: INDEX_MEDIA_TYPES[0] });
  const tag = () => baseImages(readFileSync(path.join(REPO_ROOT, "app/Dockerfile"), "utf8"))[0];

  it("reads the Dockerfile's external FROM lines, not its stage references", () => {
    const images = baseImages(
      [
        "FROM --platform=$BUILDPLATFORM node:24.20.0-bookworm-slim@" + PINNED + " AS build",
        "RUN true",
        "FROM build AS test",
        "FROM ghcr.io/acme/base:1.2.3 AS other  # comment",
      ].join("\n"),
    );
    assert.deepEqual(
      images.map((i) => [i.line, i.host, i.repository, i.tag, i.digest]),
      [
        [1, undefined, "library/node", "24.20.0-bookworm-slim", PINNED],
        [4, "ghcr.io", "acme/base", "1.2.3", undefined],
      ],
    );
    assert.deepEqual(parseReference("localhost:5000/x/y:1@sha256:ab"), {
      host: "localhost:5000",
      repository: "x/y",
      tag: "1",
      digest: "sha256:ab",
    });
  });

  it("passes when the pinned digest is the registry's current index digest, asking once per tag", async () => {
    registry.tags.set(`library/node:${tag().tag}`, index(PINNED));
    const code = await main(["--registry", registry.url]);
    assert.equal(code, 0, err.join("\n"));
    assert.equal(out.length, 3, "one line per FROM");
    assert.match(
      out[0],
      /^app\/Dockerfile:\d+: node:24\.20\.0-bookworm-slim is pinned to the registry's current index digest sha256:/,
    );
    // The protocol: HEAD (401), token for the repository's pull scope, HEAD with the token.
    const heads = registry.requests.filter((r) => r.method === "HEAD");
    assert.equal(heads.length, 2, "the three FROM lines share a tag: asked once");
    assert.equal(heads[1].authorization, "Bearer t:repository:library/node:pull");
    assert.match(String(heads[1].accept), /application\/vnd\.oci\.image\.index\.v1\+json/);
    const token = registry.requests.find((r) => r.url.startsWith("/token"))!;
    assert.match(token.url, /service=registry\.docker\.io/);
    assert.match(token.url, /scope=repository%3Alibrary%2Fnode%3Apull/);
  });

  it("fails naming the line, the tag, the pinned and the current digest when they differ", async () => {
    registry.tags.set(`library/node:${tag().tag}`, index(OTHER));
    const code = await main([], { BASE_IMAGE_REGISTRY_URL: registry.url });
    assert.equal(code, 1);
    assert.equal(err.length, 1, "fails fast, at the first FROM");
    const [message] = err;
    assert.match(
      message,
      new RegExp(`^error: app/Dockerfile:${tag().line}: FROM node:24\\.20\\.0-bookworm-slim@`),
    );
    assert.ok(
      message.includes(`current digest for node:24.20.0-bookworm-slim is ${OTHER}`),
      message,
    );
    assert.ok(message.includes(`but ${PINNED} is pinned`), message);
  });

  it("fails when the tag is gone, the digest is a single-platform manifest, or a FROM is unpinned", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "verify-base-image-"));
    try {
      const file = path.join(dir, "Dockerfile");
      writeFileSync(file, `FROM node:24.20.0-bookworm-slim@${PINNED}\n`);
      assert.equal(await main(["--registry", registry.url, "--dockerfile", file]), 1);
      assert.match(
        err.pop()!,
        /cannot read the current digest of node:24\.20\.0-bookworm-slim .*has no tag/,
      );

      registry.tags.set("library/node:24.20.0-bookworm-slim", {
        digest: PINNED,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
      });
      assert.equal(await main(["--registry", registry.url, "--dockerfile", file]), 1);
      assert.match(err.pop()!, /single-platform manifest .*not a multi-arch index/);

      writeFileSync(file, "FROM node:24.20.0-bookworm-slim\n");
      assert.equal(await main(["--registry", registry.url, "--dockerfile", file]), 1);
      assert.match(err.pop()!, /:1: FROM node:24\.20\.0-bookworm-slim: not pinned by both/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails with a clear line when the registry cannot be reached", async () => {
    const code = await main(["--registry", "http://127.0.0.1:9"]);
    assert.equal(code, 1);
    assert.match(
      err[0],
      /cannot read the current digest of node:24\.20\.0-bookworm-slim from http:\/\/127\.0\.0\.1:9/,
    );
  });

  it("runs as the npm script the pipeline calls, and its exit code is the verdict", async () => {
    registry.tags.set(`library/node:${tag().tag}`, index(OTHER));
    const child = spawn(
      process.execPath,
      ["-r", path.join(REPO_ROOT, "scripts/register.cjs"), "scripts/verify-base-image.ts"],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? "", BASE_IMAGE_REGISTRY_URL: registry.url },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /is pinned\. Either the pin was never read from the registry/);
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    assert.equal(pkg.scripts["verify:base-image"], "ts-node --swc scripts/verify-base-image.ts");
  });
});
