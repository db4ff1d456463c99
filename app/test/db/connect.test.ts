import assert from "node:assert/strict";
import pg from "pg";
import {
  CONNECT_RETRY_BUDGET_MS,
  backoffDelayMs,
  connectWithRetry,
  isRetryableConnectError,
  type RetryNotice,
} from "../../src/db/connect";

const withCode = (code: string | undefined, message = "boom") =>
  Object.assign(new Error(message), code === undefined ? {} : { code });

function sqlError(code: string, message: string) {
  const err = new pg.DatabaseError(message, 0, "error");
  err.code = code;
  return err;
}

describe("connectWithRetry: which first-connection errors are worth waiting out", () => {
  const retryable: Array<[string, Error]> = [
    ["nothing listening (ECONNREFUSED)", withCode("ECONNREFUSED", "connect ECONNREFUSED")],
    ["reset (ECONNRESET)", withCode("ECONNRESET")],
    ["network timeout (ETIMEDOUT)", withCode("ETIMEDOUT")],
    ["new proxy name not resolvable yet (ENOTFOUND)", withCode("ENOTFOUND")],
    ["DNS hiccup (EAI_AGAIN)", withCode("EAI_AGAIN")],
    ["server starting up (57P03)", sqlError("57P03", "the database system is starting up")],
    ["server shutting down for a failover (57P01)", sqlError("57P01", "terminating connection")],
    ["too many connections (53300)", sqlError("53300", "sorry, too many clients already")],
    ["connection exception class 08 (08001)", sqlError("08001", "could not connect to target")],
    ["node-postgres connect timeout", new Error("timeout expired")],
    ["socket closed during start-up", new Error("Connection terminated unexpectedly")],
    [
      "RDS Proxy, target not registered yet (no code)",
      new Error("The DB proxy target is not available"),
    ],
    [
      "RDS Proxy, no pooled connection in time (no code)",
      new Error("Timed-out waiting to acquire database connection"),
    ],
  ];
  for (const [what, err] of retryable) {
    it(`retries: ${what}`, () => assert.equal(isRetryableConnectError(err), true));
  }

  const fatal: Array<[string, unknown]> = [
    ["wrong password (28P01)", sqlError("28P01", 'password authentication failed for user "x"')],
    ["IAM token refused / no such role (28000)", sqlError("28000", 'role "x" does not exist')],
    ["unknown database (3D000)", sqlError("3D000", 'database "x" does not exist')],
    ["protocol violation (08P01): a bug, not a wait", sqlError("08P01", "invalid packet")],
    ["syntax error in a migration (42601)", sqlError("42601", "syntax error at or near")],
    ["certificate expired", withCode("CERT_HAS_EXPIRED", "certificate has expired")],
    ["server without TLS", new Error("The server does not support SSL connections")],
    [
      "no AWS credentials",
      Object.assign(new Error("Could not load credentials"), { name: "CredentialsProviderError" }),
    ],
    ["not an Error", "ECONNREFUSED"],
  ];
  for (const [what, err] of fatal) {
    it(`fails at once: ${what}`, () => assert.equal(isRetryableConnectError(err), false));
  }
});

describe("connectWithRetry: bounded exponential backoff", () => {
  /** A fake clock: sleeping advances it, so the schedule is checked without waiting. */
  function fakeTime() {
    let t = 0;
    const sleeps: number[] = [];
    return {
      sleeps,
      now: () => t,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        t += ms;
      },
      spend: (ms: number) => (t += ms),
    };
  }

  it("waits 1, 2, 4, 8, 16, 16 ... s and stops starting attempts after 120 s", async () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map(backoffDelayMs),
      [1000, 2000, 4000, 8000, 16000, 16000, 16000],
    );
    const time = fakeTime();
    const notices: RetryNotice[] = [];
    let attempts = 0;
    const err = await connectWithRetry(
      async () => {
        attempts++;
        throw withCode("ECONNREFUSED");
      },
      {
        budgetMs: CONNECT_RETRY_BUDGET_MS,
        ...time,
        random: () => 0.5, // no jitter
        onRetry: (n) => notices.push(n),
      },
    ).catch((e: unknown) => e as Error & { connectAttempts?: number });
    assert.equal(err.message, "boom");
    assert.equal(attempts, 11);
    assert.deepEqual(
      time.sleeps,
      [1, 2, 4, 8, 16, 16, 16, 16, 16, 16].map((s) => s * 1000),
    );
    assert.equal(time.now(), 111_000, "the last attempt starts at 111 s; 127 s would be over");
    assert.equal(err.connectAttempts, 11);
    assert.deepEqual(
      notices.map((n) => n.attempt),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
  });

  it("counts the time attempts themselves take against the budget", async () => {
    const time = fakeTime();
    let attempts = 0;
    await assert.rejects(
      connectWithRetry(
        async () => {
          attempts++;
          time.spend(10_000); // each attempt hits a 10 s connect timeout
          throw new Error("timeout expired");
        },
        { budgetMs: 30_000, ...time, random: () => 0.5 },
      ),
    );
    // Attempts start at 0, 11 s and 23 s; the next would start at 37 s.
    assert.equal(attempts, 3);
  });

  it("varies each wait by at most ±20 %", async () => {
    for (const [random, expected] of [
      [0, 800],
      [1, 1200],
    ] as const) {
      const time = fakeTime();
      let first = true;
      await connectWithRetry(
        async () => {
          if (first) {
            first = false;
            throw withCode("ECONNREFUSED");
          }
          return "ok";
        },
        { budgetMs: 10_000, ...time, random: () => random },
      );
      assert.deepEqual(time.sleeps, [expected]);
    }
  });

  it("returns the first success, and does not retry an authentication failure", async () => {
    const time = fakeTime();
    let attempts = 0;
    const result = await connectWithRetry(
      async () => {
        if (++attempts < 3) throw withCode("ECONNREFUSED");
        return "connected";
      },
      { budgetMs: 120_000, ...time },
    );
    assert.equal(result, "connected");
    assert.equal(attempts, 3);

    attempts = 0;
    const auth = sqlError("28P01", "password authentication failed");
    await assert.rejects(
      connectWithRetry(
        async () => {
          attempts++;
          throw auth;
        },
        { budgetMs: 120_000, ...time },
      ),
      (e) => e === auth && !("connectAttempts" in auth),
    );
    assert.equal(attempts, 1);
  });

  it("makes a single attempt with a budget of 0", async () => {
    let attempts = 0;
    await assert.rejects(
      connectWithRetry(
        async () => {
          attempts++;
          throw withCode("ECONNREFUSED");
        },
        { budgetMs: 0 },
      ),
    );
    assert.equal(attempts, 1);
  });
});
