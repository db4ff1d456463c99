import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export const APP_DIR = path.resolve(__dirname, "../..");

export interface RunningProcess {
  child: ChildProcess;
  /** stdout and stderr lines, in arrival order. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

/** Runs an app entry point (src/server.ts, src/migrate.ts) as its own Node process via ts-node. */
export function runTs(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
): RunningProcess {
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(APP_DIR, entry), ...args],
    {
      cwd: APP_DIR,
      // A minimal environment: nothing from the test runner leaks into the service's config.
      env: {
        PATH: process.env.PATH ?? "",
        TS_NODE_PROJECT: path.join(APP_DIR, "tsconfig.json"),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  running.add(child);
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onData = (buf: Buffer) => {
    for (const line of buf.toString("utf8").split("\n").filter(Boolean)) {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    lines,
    exited,
    kill: (signal = "SIGTERM") => void child.kill(signal),
    waitForLine(pattern, timeoutMs = 30_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${lines.join("\n")}`),
            ),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(
            new Error(`process exited before a line matching ${pattern}:\n${lines.join("\n")}`),
          );
        });
      });
    },
  };
}

export interface RunningServer extends RunningProcess {
  baseUrl: string;
}

/** Starts the real service on a free port and resolves once it is listening. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const proc = runTs("src/server.ts", { HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env });
  const line = await proc.waitForLine(/Server listening at http:\/\/127\.0\.0\.1:\d+/, 60_000);
  const port = /127\.0\.0\.1:(\d+)/.exec(line)?.[1];
  return { ...proc, baseUrl: `http://127.0.0.1:${port}` };
}

/** Mocha root hook: no test may leave a child process behind, even when it fails. */
export async function killAll() {
  const waits = [...running].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  );
  await Promise.all(waits);
}
