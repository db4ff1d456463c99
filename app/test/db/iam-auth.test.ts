import assert from "node:assert/strict";
import { loadConfig } from "../../src/config";
import { clientConfig, type TokenTarget } from "../../src/db/pool";

/** IAM database authentication, without AWS: the signer is injected. */
describe("clientConfig with DATABASE_IAM_AUTH=true", () => {
  const config = loadConfig({
    PGHOST: "notes.proxy-abc.eu-west-1.rds.amazonaws.com",
    PGPORT: "5432",
    PGDATABASE: "notes",
    PGUSER: "app",
    DATABASE_IAM_AUTH: "true",
    DATABASE_SSL: "verify-full",
    AWS_REGION: "eu-west-1",
  });

  it("passes a password function that signs a fresh token per connection for host, port, user and region", async () => {
    const targets: TokenTarget[] = [];
    let issued = 0;
    const pgConfig = clientConfig(config.database, (target) => {
      targets.push(target);
      return { getAuthToken: async () => `token-${++issued}` };
    });
    assert.equal(typeof pgConfig.password, "function");
    const password = pgConfig.password as () => Promise<string>;
    assert.equal(await password(), "token-1");
    assert.equal(await password(), "token-2", "each new connection gets a new token");
    assert.deepEqual(targets, [
      {
        hostname: "notes.proxy-abc.eu-west-1.rds.amazonaws.com",
        port: 5432,
        username: "app",
        region: "eu-west-1",
      },
    ]);
    assert.equal(pgConfig.user, "app");
    assert.equal(pgConfig.connectionString, undefined);
  });

  it("verifies the proxy's certificate against Node's default CA store when no DATABASE_SSL_CA is set", () => {
    const { ssl } = clientConfig(config.database, () => ({ getAuthToken: async () => "t" }));
    assert.deepEqual(ssl, { rejectUnauthorized: true, ca: undefined });
  });

  it("the default signer is @aws-sdk/rds-signer's: a presigned rds-db:connect URL for the target", async () => {
    // Static credentials, so nothing is fetched; signing is local.
    process.env.AWS_ACCESS_KEY_ID = "AKIDEXAMPLE";
    process.env.AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    try {
      const token = await (clientConfig(config.database).password as () => Promise<string>)();
      const url = new URL(`https://${token}`);
      assert.equal(url.host, "notes.proxy-abc.eu-west-1.rds.amazonaws.com:5432");
      assert.equal(url.searchParams.get("Action"), "connect");
      assert.equal(url.searchParams.get("DBUser"), "app");
      assert.match(String(url.searchParams.get("X-Amz-Credential")), /\/eu-west-1\/rds-db\//);
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it("without IAM auth the password is the configured one", () => {
    const plain = loadConfig({ PGHOST: "db", PGUSER: "app", PGPASSWORD: "pw" });
    assert.equal(clientConfig(plain.database).password, "pw");
  });
});
