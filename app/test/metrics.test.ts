import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { useApp } from "./helpers/app";

type Line = Record<string, unknown>;

/**
 * Checks a log line against the EMF specification's rules for what CloudWatch extracts: `_aws`
 * with a millisecond Timestamp and CloudWatchMetrics directives; every dimension and metric a
 * directive names is a root member (a string for dimensions, a number for metrics).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
function assertEmf(line: Line) {
  const aws = line._aws as {
    Timestamp: unknown;
    CloudWatchMetrics: Array<{
      Namespace: unknown;
      Dimensions: unknown[][];
      Metrics: Array<{ Name: unknown; Unit?: unknown }>;
    }>;
  };
  assert.ok(
    Number.isInteger(aws.Timestamp) && Math.abs(Number(aws.Timestamp) - Date.now()) < 60_000,
  );
  assert.ok(aws.CloudWatchMetrics.length > 0);
  for (const d of aws.CloudWatchMetrics) {
    assert.match(String(d.Namespace), /^[^:].{0,255}$/);
    for (const set of d.Dimensions) {
      assert.ok(set.length >= 1 && set.length <= 30);
      for (const name of set)
        assert.equal(typeof line[String(name)], "string", `dimension ${name}`);
    }
    for (const m of d.Metrics)
      assert.equal(typeof line[String(m.Name)], "number", `metric ${m.Name}`);
  }
}

describe("business metrics (CloudWatch Embedded Metric Format log lines)", () => {
  const t = useApp({ env: { SERVICE_NAME: "notes", DEPLOY_ENV: "staging" } });
  const metricLines = (name: string) => t.logs.filter((l) => l._aws && name in l);

  it("a created and a deleted note each log one NotesCreated / NotesDeleted count", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/notes",
      payload: { text: "counted" },
    });
    assert.equal(created.statusCode, 201);
    const deleted = await t.app.inject({
      method: "DELETE",
      url: `/api/notes/${created.json().id}`,
    });
    assert.equal(deleted.statusCode, 204);

    for (const name of ["NotesCreated", "NotesDeleted"]) {
      const lines = metricLines(name);
      assert.equal(lines.length, 1, name);
      const [line] = lines;
      assertEmf(line);
      assert.deepEqual((line._aws as { CloudWatchMetrics: unknown }).CloudWatchMetrics, [
        {
          Namespace: "Notes",
          Dimensions: [["Service", "Environment"]],
          Metrics: [{ Name: name, Unit: "Count" }],
        },
      ]);
      assert.equal(line[name], 1);
      assert.equal(line.Service, "notes");
      assert.equal(line.Environment, "staging");
      assert.equal(typeof line.reqId, "string", "traceable to its request");
    }
  });

  it("nothing is counted for a rejected write or a delete of an absent note", async () => {
    const before = t.logs.filter((l) => l._aws).length;
    await t.app.inject({ method: "POST", url: "/api/notes", payload: { text: "" } });
    await t.app.inject({
      method: "DELETE",
      url: "/api/notes/00000000-0000-4000-8000-000000000000",
    });
    assert.equal(t.logs.filter((l) => l._aws).length, before);
  });
});

describe("active clients (distinct client addresses per window, as an EMF metric)", () => {
  const linesOf = (t: { logs: Line[] }) => t.logs.filter((l) => l._aws && "ActiveClients" in l);
  const request = (t: { app: FastifyInstance }, ip: string, url = "/api/notes") =>
    t.app.inject({ method: "GET", url, headers: { "x-forwarded-for": ip } });

  describe("at the end of a window (here: the app closing)", () => {
    const t = useApp({
      env: { SERVICE_NAME: "notes", DEPLOY_ENV: "prod" },
      build: { activeClientsWindowMs: 3_600_000 },
    });

    it("logs the number of distinct client addresses, probes excluded, addresses never", async () => {
      await request(t, "198.51.100.1");
      await request(t, "198.51.100.2");
      await request(t, "198.51.100.1");
      await request(t, "203.0.113.9", "/readyz");
      await request(t, "203.0.113.9", "/healthz");
      assert.deepEqual(linesOf(t), [], "nothing before the window ends");
      await t.app.close();
      const logged = linesOf(t);
      assert.equal(logged.length, 1);
      const [line] = logged;
      assertEmf(line);
      assert.equal(line.ActiveClients, 2);
      assert.deepEqual((line._aws as { CloudWatchMetrics: unknown }).CloudWatchMetrics, [
        {
          Namespace: "Notes",
          Dimensions: [["Service", "Environment"]],
          Metrics: [{ Name: "ActiveClients", Unit: "Count" }],
        },
      ]);
      assert.equal(line.Environment, "prod");
      assert.ok(!JSON.stringify(line).includes("198.51.100"), "addresses are never logged");
    });
  });

  describe("every window", () => {
    const windowMs = 300;
    const t = useApp({ build: { activeClientsWindowMs: windowMs } });
    const windows = (n: number) =>
      new Promise((resolve) => setTimeout(resolve, n * windowMs + 100));

    it("starts counting afresh, and logs nothing for a window without clients", async () => {
      await request(t, "198.51.100.7");
      await windows(1);
      assert.deepEqual(
        linesOf(t).map((l) => l.ActiveClients),
        [1],
      );
      await windows(2);
      assert.equal(linesOf(t).length, 1);
    });
  });
});
