import { setTimeout as sleep } from "node:timers/promises";

/**
 * Bounded exponential backoff for the FIRST connection of a start-up step (the migrate
 * container, the bootstrap task, the server when it migrates on start). On a fresh deploy the
 * tasks can start before RDS Proxy has a registered, available target, or before its DNS name
 * resolves; a task that gives up at once exits 1, and three such tasks trip the ECS deployment
 * circuit breaker. Waiting a little outlasts that window; a wrong password or a failing
 * migration still fails at once, because waiting would not fix it.
 *
 * Figures (README, "Start-up failures"): first wait 1 s, doubling, each wait capped at 16 s,
 * no new attempt once 120 s have passed since the first: attempts at about 0, 1, 3, 7, 15, 31,
 * 47, 63, 79, 95 and 111 s (11 attempts), each wait varied by up to ±20 % so that tasks started
 * together do not retry in step. An attempt can itself last up to the connect timeout, so the
 * whole wait is at most the budget plus one connect timeout.
 */
export const CONNECT_RETRY_FIRST_DELAY_MS = 1_000;
export const CONNECT_RETRY_FACTOR = 2;
export const CONNECT_RETRY_MAX_DELAY_MS = 16_000;
/** Default budget in production (`DATABASE_CONNECT_RETRY_MS`); 0 elsewhere (fail at once). */
export const CONNECT_RETRY_BUDGET_MS = 120_000;
export const CONNECT_RETRY_JITTER = 0.2;

/** Network errors: nothing there yet, or the path is not open yet. */
const RETRYABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  // DNS: a new RDS Proxy endpoint's name can take a while to resolve.
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs a server sends while it cannot serve yet: class 08 (connection exceptions, e.g.
 * 08001 from a proxy that cannot reach its target, 08006 connection failure), 57P03
 * cannot_connect_now (starting up, recovering), 57P01/57P02 (shutting down for a restart or
 * failover), 53300 too_many_connections. Not 08P01 (protocol violation: a bug, not a wait).
 */
const RETRYABLE_SQLSTATE = /^(08(?!P01)|57P0[123]$|53300$)/;

/**
 * Messages without a usable code: node-postgres's own connection failures, and RDS Proxy's
 * answers while its target is registering or unavailable (it reports these as FATAL errors
 * whose wording, not code, says the target is missing).
 */
const RETRYABLE_MESSAGES = new RegExp(
  [
    "timeout expired",
    "Connection terminated due to connection timeout",
    "Connection terminated unexpectedly",
    "timeout exceeded when trying to connect",
    "the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)",
    "target (is )?not available",
    "no (available )?targets?",
    "timed[- ]out waiting to acquire database connection",
    "database (proxy )?is not available",
  ].join("|"),
  "i",
);

/**
 * True when waiting and connecting again may succeed. False for everything else, notably
 * authentication (28P01, 28000: an IAM policy or password does not fix itself), an unknown
 * database (3D000), TLS and certificate errors, and missing AWS credentials.
 */
export function isRetryableConnectError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (RETRYABLE_CODES.has(code) || RETRYABLE_SQLSTATE.test(code)) return true;
    // Any other code is a definite answer (28P01, 3D000, CERT_HAS_EXPIRED, ...).
    if (/^[0-9A-Z]{5}$/.test(code) || /^[A-Z_]+$/.test(code)) return false;
  }
  return RETRYABLE_MESSAGES.test(err.message);
}

/** The wait before attempt `attempt + 1` (attempt counts from 1), before jitter. */
export function backoffDelayMs(attempt: number): number {
  return Math.min(
    CONNECT_RETRY_FIRST_DELAY_MS * CONNECT_RETRY_FACTOR ** (attempt - 1),
    CONNECT_RETRY_MAX_DELAY_MS,
  );
}

export interface RetryNotice {
  /** The attempt that just failed, from 1. */
  attempt: number;
  /** How long until the next one. */
  delayMs: number;
  /** Since the first attempt began. */
  elapsedMs: number;
  budgetMs: number;
  err: Error;
}

export interface ConnectRetryOptions {
  /** Stop starting new attempts this long after the first; 0 = a single attempt. */
  budgetMs: number;
  /** Called before each wait; the entry points log it as one JSON line. */
  onRetry?: (notice: RetryNotice) => void;
  /** For tests: the clock, the wait and the jitter source. */
  now?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, or the budget is spent. The
 * error finally thrown is the last attempt's, with `connectAttempts` set, so the one start-up
 * failure line can say how long it tried.
 */
export async function connectWithRetry<T>(
  attempt: () => Promise<T>,
  opts: ConnectRetryOptions,
): Promise<T> {
  const now = opts.now ?? Date.now;
  const wait = opts.sleep ?? sleep;
  const random = opts.random ?? Math.random;
  const started = now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const elapsedMs = now() - started;
      const jitter = 1 + CONNECT_RETRY_JITTER * (2 * random() - 1);
      const delayMs = Math.round(backoffDelayMs(n) * jitter);
      if (!isRetryableConnectError(err) || elapsedMs + delayMs > opts.budgetMs) {
        if (err instanceof Error && n > 1) {
          Object.assign(err, { connectAttempts: n, connectElapsedMs: elapsedMs });
        }
        throw err;
      }
      opts.onRetry?.({
        attempt: n,
        delayMs,
        elapsedMs,
        budgetMs: opts.budgetMs,
        err: err as Error,
      });
      await wait(delayMs);
    }
  }
}
