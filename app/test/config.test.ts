import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../src/config";
import { runTs } from "./helpers/process";

describe("config", () => {
  it("defaults everything for local development with the embedded database", () => {
    const c = loadConfig({});
    assert.equal(c.env, "development");
    assert.equal(c.port, 8080);
    assert.equal(c.host, "0.0.0.0");
    assert.equal(c.logLevel, "info");
    assert.equal(c.database.embedded, true);
    assert.equal(c.database.ssl, "disable");
    assert.equal(c.database.schema, "public");
    assert.equal(c.shutdownGraceMs, 20_000);
    assert.equal(c.migrateOnStart, true);
    assert.deepEqual(c.features, {});
    // Outside production a wrong address fails at once instead of retrying for two minutes.
    assert.equal(c.database.connectRetryMs, 0);
    assert.deepEqual(c.database.roles, { owner: "notes_owner", app: "notes_app" });
  });

  it("retries the first database connection for 120 s in production, or DATABASE_CONNECT_RETRY_MS", () => {
    const prod = { NODE_ENV: "production", DATABASE_URL: "postgres://u@db:5432/app" };
    assert.equal(loadConfig(prod).database.connectRetryMs, 120_000);
    assert.equal(
      loadConfig({ ...prod, DATABASE_CONNECT_RETRY_MS: "0" }).database.connectRetryMs,
      0,
    );
    assert.equal(loadConfig({ DATABASE_CONNECT_RETRY_MS: "5000" }).database.connectRetryMs, 5000);
  });

  it("uses DATABASE_URL, or discrete PG* settings, and verifies TLS by default in production", () => {
    const url = loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://u@db:5432/app" });
    assert.equal(url.database.embedded, false);
    assert.equal(url.database.url, "postgres://u@db:5432/app");
    assert.equal(url.database.ssl, "verify-full");
    assert.equal(url.logLevel, "info");
    const discrete = loadConfig({
      NODE_ENV: "production",
      PGHOST: "db.internal",
      PGPORT: "5433",
      PGUSER: "app",
      PGPASSWORD: "pw",
      PGDATABASE: "notes",
      DATABASE_SSL: "require",
    });
    assert.equal(discrete.database.embedded, false);
    assert.equal(discrete.database.port, 5433);
    assert.equal(discrete.database.ssl, "require");
  });

  it("parses FEATURE_* flags", () => {
    const c = loadConfig({ FEATURE_DARK_MODE: "true", FEATURE_BETA: "false" });
    assert.deepEqual(c.features, { dark_mode: true, beta: false });
  });

  const iam = {
    PGHOST: "notes.proxy-abc.eu-west-1.rds.amazonaws.com",
    PGUSER: "app",
    DATABASE_IAM_AUTH: "true",
    DATABASE_SSL: "verify-full",
    AWS_REGION: "eu-west-1",
  };

  it("DATABASE_IAM_AUTH=true with PGHOST, PGUSER, AWS_REGION and TLS: signs tokens in that region", () => {
    assert.equal(loadConfig(iam).database.iamRegion, "eu-west-1");
    assert.equal(loadConfig({ ...iam, DATABASE_SSL: "require" }).database.iamRegion, "eu-west-1");
    // Production defaults to verify-full, which IAM auth accepts.
    const prod = loadConfig({ ...iam, NODE_ENV: "production", DATABASE_SSL: "" });
    assert.equal(prod.database.ssl, "verify-full");
    assert.equal(prod.database.iamRegion, "eu-west-1");
    assert.equal(loadConfig({ ...iam, DATABASE_IAM_AUTH: "false" }).database.iamRegion, undefined);
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: "eighty" }, /^PORT: /],
    [{ PORT: "70000" }, /^PORT: /],
    [{ LOG_LEVEL: "loud" }, /^LOG_LEVEL: /],
    [{ DATABASE_URL: "mysql://x" }, /^DATABASE_URL: /],
    [{ DATABASE_SSL: "maybe" }, /^DATABASE_SSL: /],
    [{ DATABASE_SCHEMA: 'x"; DROP' }, /^DATABASE_SCHEMA: /],
    [{ DATABASE_POOL_MAX: "0" }, /^DATABASE_POOL_MAX: /],
    [{ SHUTDOWN_GRACE_MS: "-1" }, /^SHUTDOWN_GRACE_MS: /],
    [{ MIGRATE_ON_START: "yes" }, /^MIGRATE_ON_START: /],
    [{ DATABASE_CONNECT_RETRY_MS: "2m" }, /^DATABASE_CONNECT_RETRY_MS: /],
    [{ DATABASE_APP_ROLE: "Notes-App" }, /^DATABASE_APP_ROLE: /],
    [{ DATABASE_OWNER_ROLE: "x", DATABASE_APP_ROLE: "x" }, /^DATABASE_APP_ROLE: must differ/],
    [{ FEATURE_X: "on" }, /^FEATURE_X: /],
    [{ NODE_ENV: "production" }, /^DATABASE_URL: required in production/],
    [{ DEPLOY_ENV: "prod env" }, /^DEPLOY_ENV: must be 1-64 letters/],
    [{ DATABASE_SSL_CA: "/nonexistent.pem" }, /^DATABASE_SSL_CA: cannot read \/nonexistent\.pem/],
    [{ ...iam, DATABASE_SSL: "disable" }, /^DATABASE_SSL: must be verify-full or require/],
    [{ ...iam, DATABASE_SSL: "" }, /^DATABASE_SSL: must be verify-full or require/],
    [{ ...iam, DATABASE_URL: "postgres://app@proxy/notes" }, /^DATABASE_URL: must be unset/],
    [{ ...iam, PGPASSWORD: "pw" }, /^PGPASSWORD: must be unset/],
    [{ ...iam, PGUSER: "" }, /^PGUSER: required with DATABASE_IAM_AUTH=true/],
    [{ ...iam, AWS_REGION: "" }, /^AWS_REGION: required with DATABASE_IAM_AUTH=true/],
    [{ ...iam, AWS_REGION: "eu-wst" }, /^AWS_REGION: must be a region/],
  ];
  for (const [env, pattern] of bad) {
    it(`rejects ${JSON.stringify(env)} naming the variable`, () => {
      assert.throws(
        () => loadConfig(env),
        (err: unknown) => err instanceof ConfigError && err.problems.some((p) => pattern.test(p)),
      );
    });
  }

  it("the server exits non-zero at start with a message naming the bad variable", async () => {
    const proc = runTs("src/server.ts", { PORT: "not-a-port", LOG_LEVEL: "loud" });
    const { code } = await proc.exited;
    assert.equal(code, 2);
    const out = proc.lines.join("\n");
    assert.match(out, /Invalid configuration/);
    assert.match(out, /PORT: must be a whole number/);
    assert.match(out, /LOG_LEVEL: /);
  });
});
