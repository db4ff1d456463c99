import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { HASHED_NAME } from "../../../scripts/lib/checks";

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface EdgeOptions {
  /** Base URL of the service behind the edge. */
  target: string;
  /** Serve HTTPS with this certificate, and plain HTTP beside it; without it, plain HTTP only. */
  tls?: Certificate;
  /** Status of plain HTTP's redirect to HTTPS; 0 serves plain HTTP like HTTPS instead. Default 301. */
  redirectStatus?: number;
  /** Strict-Transport-Security on HTTPS responses; null for none. Default: a year, subdomains. */
  hsts?: string | null;
  /** Cache-Control replacing the service's on content-hashed assets. */
  assetCacheControl?: string;
  /** Answers a request itself instead of forwarding it ("hang": never answers). */
  intercept?: (req: { method: string; path: string }) => Reply | "hang" | undefined;
  /** Rewrites the page's HTML on its way through. */
  page?: (html: string) => string;
}

export interface Edge {
  /** Where the service is reached through the edge: https:// with `tls`, else http://. */
  url: string;
  /** The plain-HTTP listener (the same as `url` without `tls`). */
  httpUrl: string;
  close(): Promise<void>;
}

export const ONE_YEAR_HSTS = "max-age=31536000; includeSubDomains";

/**
 * A stand-in for what sits in front of the service in the cloud (CloudFront, the load balancer):
 * terminates TLS, redirects plain HTTP, adds HSTS, and can be told to get any of that wrong or
 * to break a route, so the scripts are tested against both a good and a broken deployment.
 */
export async function startEdge(opts: EdgeOptions): Promise<Edge> {
  const hsts = opts.hsts === undefined ? ONE_YEAR_HSTS : opts.hsts;
  const redirectStatus = opts.redirectStatus ?? 301;

  const forward =
    (secure: boolean) => async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const url = new URL(req.url ?? "/", "http://edge");
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const intercepted = opts.intercept?.({ method: req.method ?? "GET", path: url.pathname });
      if (intercepted === "hang") return;
      let reply: Reply;
      if (intercepted) {
        reply = intercepted;
      } else {
        const upstream = await fetch(new URL(`${url.pathname}${url.search}`, opts.target), {
          method: req.method,
          headers: Object.fromEntries(
            Object.entries(req.headers).filter(([k]) => !["host", "connection"].includes(k)),
          ) as Record<string, string>,
          body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
          redirect: "manual",
        });
        const headers: Record<string, string> = {};
        upstream.headers.forEach((value, key) => {
          if (!["content-length", "transfer-encoding", "connection", "keep-alive"].includes(key)) {
            headers[key] = value;
          }
        });
        let body = await upstream.text();
        if (opts.page && headers["content-type"]?.startsWith("text/html")) {
          body = opts.page(body);
          delete headers.etag;
        }
        if (opts.assetCacheControl && HASHED_NAME.test(url.pathname)) {
          headers["cache-control"] = opts.assetCacheControl;
        }
        reply = { status: upstream.status, body, headers };
      }
      if (secure && hsts) res.setHeader("strict-transport-security", hsts);
      res.writeHead(reply.status, reply.headers).end(reply.body);
    };

  const handle = (secure: boolean) => (req: http.IncomingMessage, res: http.ServerResponse) =>
    forward(secure)(req, res).catch((err: Error) => res.writeHead(502).end(err.message));

  const servers: http.Server[] = [];
  const listen = async (server: http.Server) => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  };

  let url: string;
  let httpUrl: string;
  if (opts.tls) {
    const tlsPort = await listen(https.createServer(opts.tls, handle(true)));
    url = `https://127.0.0.1:${tlsPort}`;
    const plain = http.createServer((req, res) => {
      if (redirectStatus === 0) return handle(false)(req, res);
      res.writeHead(redirectStatus, { location: `${url}${req.url ?? "/"}` }).end();
    });
    httpUrl = `http://127.0.0.1:${await listen(plain)}`;
  } else {
    url = httpUrl = `http://127.0.0.1:${await listen(http.createServer(handle(false)))}`;
  }

  return {
    url,
    httpUrl,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              // Kept-alive and hanging requests would otherwise hold close() open.
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}

export interface Certificate {
  key: string;
  cert: string;
  /** The certificate's file: what NODE_EXTRA_CA_CERTS takes to trust it. */
  certFile: string;
  dispose(): void;
}

/** A throw-away self-signed certificate for 127.0.0.1, made with the system's openssl. */
export function selfSignedCertificate(): Certificate {
  const dir = mkdtempSync(path.join(tmpdir(), "smoke-tls-"));
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  // (openssl writes progress to stderr; an error still throws with it.)
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1"],
      ...["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return {
    key: readFileSync(keyFile, "utf8"),
    cert: readFileSync(certFile, "utf8"),
    certFile,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
