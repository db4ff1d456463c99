import assert from "node:assert/strict";
import { npmRun } from "./npm-run";

describe("npm run gate:offline", function () {
  // Two processes (program and pack host) on machines shared with other test runs.
  this.timeout(300_000);

  it("passes the prod program under config/prod.json", async () => {
    const { code, stdout } = await npmRun("gate:offline", "--stack", "prod");
    assert.equal(code, 0, stdout);
    assert.match(
      stdout,
      /\d+ resources checked against policies\/config\/prod\.json: 0 mandatory, 0 advisory/,
    );
  });

  it("fails, naming the policy and the resource, when a change breaks a mandatory policy", async () => {
    const { code, stdout } = await npmRun(
      "gate:offline",
      "--stack",
      "staging",
      "-c",
      "acme:flowLogRetentionDays=7",
    );
    assert.equal(code, 1);
    assert.match(
      stdout,
      /MANDATORY {2}cloudwatch-log-group-retention\n {2}urn:pulumi:staging::acme::acme:network:Network\$aws:cloudwatch\/logGroup:LogGroup::staging-flow-logs\n {2}retentionInDays is 7: this environment requires at least 30\./,
    );
  });
});
