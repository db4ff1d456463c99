import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from "fastify";
import { LogController } from "fastify";
import pino, {
  type Bindings,
  type ChildLoggerOptions,
  type Logger,
  type LoggerOptions,
} from "pino";

/**
 * Pino options for the service: JSON lines, and anything that could carry a credential removed
 * before it is written. Paths are explicit (no wildcards): wildcard redaction walks every logged
 * object and doubled the cost of a request log line in the benchmark.
 */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  "password",
  "database.password",
  "database.url",
  "config.database.password",
  "config.database.url",
  "connectionString",
  "databaseUrl",
  "err.client.connectionParameters.password",
];

const common = (level: string): LoggerOptions => ({
  level,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  base: { service: "notes-app" },
});

export function loggerOptions(level: string): LoggerOptions {
  return { ...common(level), redact: { paths: REDACT_PATHS, censor: "[REDACTED]" } };
}

/**
 * Collects log lines and hands them to the real destination in chunks of about `maxBytes`, and
 * at least every `intervalMs`, so there is one write call per chunk instead of one per line.
 * (sonic-boom's own `minLength` buffering measures its whole pending buffer on every write, which
 * cost about 4 µs per request line in the benchmark; README, "Benchmark".)
 */
export class LineBatcher {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly dest: { write(chunk: string): unknown; flushSync?(): void },
    private readonly maxBytes = 8192,
    intervalMs = 1000,
  ) {
    setInterval(() => this.flush(), intervalMs).unref();
  }

  write(line: string): boolean {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= this.maxBytes) this.flush();
    return true;
  }

  flush(): void {
    if (this.size === 0) return;
    const chunk = this.parts.join("");
    this.parts = [];
    this.size = 0;
    this.dest.write(chunk);
  }

  /** Writes everything out; called before the process exits. */
  flushSync(): void {
    this.flush();
    this.dest.flushSync?.();
  }
}

/** The destination a pino logger writes to. */
export function streamOf(log: Logger): pino.DestinationStream {
  return (log as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
}

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
type Level = (typeof LEVELS)[number];

/**
 * `request.log` that creates its pino child (bound to the request id) only when something is
 * logged through it. Most requests log nothing but their request line, which does not need it.
 */
class LazyChildLogger {
  private instance?: FastifyBaseLogger;
  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}
  private get log(): FastifyBaseLogger {
    return (this.instance ??= this.parent.child(this.bindings, this.opts));
  }
  get level(): string {
    return this.log.level;
  }
  set level(value: string) {
    this.log.level = value;
  }
  child(bindings: Bindings, opts?: ChildLoggerOptions): FastifyBaseLogger {
    return this.log.child(bindings, opts);
  }
  silent(): void {}
}
for (const level of LEVELS) {
  Object.defineProperty(LazyChildLogger.prototype, level, {
    value: function (this: { log: FastifyBaseLogger }, ...args: unknown[]) {
      (this.log[level as Level] as (...a: unknown[]) => void)(...args);
    },
  });
}

export function lazyChildLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  opts: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, opts) as unknown as FastifyBaseLogger;
}

/**
 * Fastify's hook for request logging, replacing its two lines per request ("incoming request",
 * "request completed") with one line written when the response has been sent.
 *
 * The line has the same shape as every other log line but is formatted here rather than by
 * pino: it is built from a fixed allow-list of fields (never headers or bodies), so it needs no
 * redaction pass, and at one line per request pino's generic path cost a third of the service's
 * throughput in the benchmark (README, "Benchmark").
 */
export class RequestLogController extends LogController {
  private readonly enabled: boolean;
  private readonly stream: pino.DestinationStream;

  constructor(log: Logger) {
    super({ disableRequestLogging: false });
    this.enabled = log.isLevelEnabled("info");
    this.stream = streamOf(log);
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const route = request.is404 ? "(unmatched)" : request.routeOptions.url;
    const durationMs = Math.round(reply.elapsedTime * 100) / 100;
    if (error) {
      request.log.error(
        { route, status: reply.statusCode, durationMs, err: error },
        "request failed while responding",
      );
      return;
    }
    if (!this.enabled) return;
    const ua = request.headers["user-agent"];
    this.stream.write(
      `{"level":"info","time":"${isoNow()}","service":"notes-app"` +
        `,"reqId":${JSON.stringify(request.id)},"method":${JSON.stringify(request.method)}` +
        `,"route":${JSON.stringify(route)},"path":${JSON.stringify(pathOf(request.url))}` +
        `,"status":${reply.statusCode},"durationMs":${durationMs}` +
        `,"userAgent":${ua === undefined ? "null" : JSON.stringify(ua)},"msg":"request"}\n`,
    );
  }
}

// Many request lines share a millisecond under load; format its ISO string once.
let lastMs = 0;
let lastIso = "";
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

function pathOf(url: string): string {
  const q = url.indexOf("?");
  return (q === -1 ? url : url.slice(0, q)).slice(0, 200);
}
