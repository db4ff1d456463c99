import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import net from "node:net";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";

/**
 * `npm run bench -w app`: autocannon against the real service on real PostgreSQL and against a
 * plain node:http server, each in its own process. The servers share one core and the load
 * generator (this process) gets the other, so neither steals the other's CPU.
 * Targets: /healthz >= 0.7x the plain server's req/s with request logging on; GET
 * /api/notes/:id p99 < 20 ms at 50 connections.
 */
const APP_DIR = path.resolve(__dirname, "..");
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SERVER_CORE = "1";
const LOADGEN_CORE = "0";

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function pin(core: string, pid: number) {
  spawn("taskset", ["-cp", core, String(pid)], { stdio: "ignore" });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a server process pinned to SERVER_CORE and resolves once /healthz answers. */
async function startProcess(
  args: string[],
  env: Record<string, string>,
  logFile: string,
  children: ChildProcess[],
): Promise<number> {
  const port = await freePort();
  // stdout straight to a file: request logging does real I/O, as it would in a container, and
  // none of it passes through (and slows) the load generator.
  const out = openSync(logFile, "w");
  const child = spawn("taskset", ["-c", SERVER_CORE, process.execPath, ...args], {
    cwd: APP_DIR,
    env: { PATH: process.env.PATH ?? "", ...env, PORT: String(port) },
    stdio: ["ignore", out, "inherit"],
  });
  children.push(child);
  closeSync(out);
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return port;
    await sleep(100);
  }
  throw new Error(`${args.join(" ")} did not start`);
}

async function load(name: string, url: string, paths?: string[]): Promise<Row> {
  let i = 0;
  const run = (duration: number) =>
    autocannon({
      url,
      connections: CONNECTIONS,
      duration,
      requests: paths
        ? [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }]
        : undefined,
    });
  await run(2); // warm-up: JIT, pool connections, plan caches
  const r = await run(DURATION_S);
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

async function main() {
  const databaseUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    process.stderr.write("bench: set DATABASE_URL or TEST_DATABASE_URL to a real PostgreSQL\n");
    process.exit(2);
  }
  if (cpus().length < 2) process.stderr.write("bench: fewer than 2 cores; figures will mislead\n");
  pin(LOADGEN_CORE, process.pid);

  const schema = `bench_${Date.now().toString(36)}`;
  const tmp = mkdtempSync(path.join(tmpdir(), "notes-bench-"));
  const children: ChildProcess[] = [];
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const appPort = await startProcess(
      // The compiled build, as the container runs it (`npm run bench` builds first).
      ["dist/server.js"],
      {
        NODE_ENV: "production",
        DATABASE_URL: databaseUrl,
        DATABASE_SSL: "disable",
        DATABASE_SCHEMA: schema,
        LOG_LEVEL: "info",
        HOST: "127.0.0.1",
      },
      path.join(tmp, "app.log"),
      children,
    );
    const baselinePort = await startProcess(
      ["bench/baseline-server.mjs"],
      {},
      path.join(tmp, "baseline.log"),
      children,
    );

    // 1,000 notes to read back at random.
    const { rows } = await admin.query<{ id: string }>(
      `INSERT INTO "${schema}".notes (text)
       SELECT 'benchmark note ' || g FROM generate_series(1, 1000) g RETURNING id`,
    );
    const paths = rows.map((r) => `/api/notes/${r.id}`);

    // Baseline and service alternate, ROUNDS times, and the median ratio counts: other work on
    // the machine then weighs on both sides alike.
    const rounds: Array<{ plain: Row; service: Row }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      rounds.push({
        plain: await load("plain node:http /healthz", `http://127.0.0.1:${baselinePort}/healthz`),
        service: await load("service GET /healthz", `http://127.0.0.1:${appPort}/healthz`),
      });
    }
    const ratios = rounds.map((r) => r.service.rps / r.plain.rps);
    const mid = [...ratios.keys()].sort((a, b) => ratios[a] - ratios[b])[Math.floor(ROUNDS / 2)];
    const results = [
      rounds[mid].plain,
      rounds[mid].service,
      await load("service GET /api/notes/:id", `http://127.0.0.1:${appPort}`, paths),
    ];

    const fmt = (n: number, d = 0) => n.toFixed(d).padStart(10);
    process.stdout.write(
      `\n${"".padEnd(30)}${"req/s".padStart(10)}${"p50 ms".padStart(10)}${"p99 ms".padStart(10)}${"errors".padStart(10)}${"non-2xx".padStart(10)}\n`,
    );
    for (const r of results) {
      process.stdout.write(
        `${r.name.padEnd(30)}${fmt(r.rps)}${fmt(r.p50, 1)}${fmt(r.p99, 1)}${fmt(r.errors)}${fmt(r.non2xx)}\n`,
      );
    }
    const ratio = ratios[mid];
    process.stdout.write(
      `\n/healthz ratio per round: ${ratios.map((x) => x.toFixed(2)).join(", ")} (median round shown)\n`,
    );
    const notes = results[2];
    const okRatio = ratio >= 0.7;
    const okP99 = notes.p99 < 20 && notes.errors === 0 && notes.non2xx === 0;
    process.stdout.write(
      `\n/healthz vs plain node:http: ${ratio.toFixed(2)}x (target >= 0.70) ${okRatio ? "PASS" : "FAIL"}\n` +
        `GET /api/notes/:id p99 at ${CONNECTIONS} connections: ${notes.p99} ms (target < 20) ${okP99 ? "PASS" : "FAIL"}\n` +
        `(${DURATION_S} s per run after a 2 s warm-up, ${ROUNDS} rounds; servers pinned to core ${SERVER_CORE}, load generator to core ${LOADGEN_CORE}; request logging on, to a file)\n`,
    );
    process.exitCode = okRatio && okP99 ? 0 : 1;
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)),
    );
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
