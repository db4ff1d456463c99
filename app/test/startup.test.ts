import assert from "node:assert/strict";
import { loadConfig } from "../src/config";
import { explainStartupError } from "../src/startup";

/**
 * The failures the real-process tests (lifecycle/startup-errors) cannot provoke on this machine:
 * password authentication (the server trusts local users), certificates, privileged ports, IAM.
 */
describe("explainStartupError", () => {
  const withCode = (message: string, props: Record<string, unknown>) =>
    Object.assign(new Error(message), props);
  const discrete = loadConfig({ PGHOST: "db.internal", PGUSER: "app", PGPASSWORD: "s3cret" });
  const iam = loadConfig({
    PGHOST: "proxy.example",
    PGUSER: "app",
    DATABASE_IAM_AUTH: "true",
    DATABASE_SSL: "verify-full",
    AWS_REGION: "eu-west-1",
  });
  const url = loadConfig({ DATABASE_URL: "postgres://app:s3cret@db.internal:6432/notes" });

  const cases: Array<[string, Error, ReturnType<typeof loadConfig>, RegExp]> = [
    [
      "wrong password (28P01), discrete settings",
      withCode('password authentication failed for user "app"', { code: "28P01" }),
      discrete,
      /^PostgreSQL at db\.internal:5432 refused user "app" .*check PGUSER and PGPASSWORD$/,
    ],
    [
      "wrong password, URL",
      withCode('password authentication failed for user "app"', { code: "28P01" }),
      url,
      /at db\.internal:6432 refused user "app" .*check the user and password in DATABASE_URL$/,
    ],
    [
      "IAM token refused",
      withCode('PAM authentication failed for user "app"', { code: "28000" }),
      iam,
      /check PGUSER, and that the task role may rds-db:connect as that user/,
    ],
    [
      "untrusted certificate",
      withCode("self-signed certificate in certificate chain", {
        code: "SELF_SIGNED_CERT_IN_CHAIN",
      }),
      discrete,
      /certificate of db\.internal:5432 failed verification .*set DATABASE_SSL_CA/,
    ],
    [
      "privileged port",
      withCode("listen EACCES: permission denied 0.0.0.0:80", {
        code: "EACCES",
        syscall: "listen",
      }),
      loadConfig({ PORT: "80" }),
      /^not permitted to listen on 0\.0\.0\.0:80: .*set PORT to 1024 or above$/,
    ],
    [
      "no AWS credentials for the IAM token",
      Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      }),
      iam,
      /^no AWS credentials to sign the database IAM token/,
    ],
    [
      "unknown database host",
      withCode("getaddrinfo ENOTFOUND db.internal", { code: "ENOTFOUND" }),
      url,
      /^PostgreSQL host "db\.internal" not found \(ENOTFOUND\): check the host and port in DATABASE_URL$/,
    ],
  ];
  for (const [name, err, config, expected] of cases) {
    it(`${name}: names what to change, never the password`, () => {
      const msg = explainStartupError(err, config);
      assert.match(String(msg), expected);
      assert.doesNotMatch(String(msg), /s3cret/);
    });
  }

  it("leaves programming errors unexplained, so they are logged with their stack", () => {
    assert.equal(explainStartupError(new TypeError("x is not a function"), discrete), undefined);
  });
});
