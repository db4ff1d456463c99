import assert from "node:assert/strict";
import { find, set, violations } from "./gate";

describe("cloudwatch", () => {
  describe("cloudwatch-log-group-retention", () => {
    const policy = "cloudwatch-log-group-retention";
    const logGroup = "aws:cloudwatch/logGroup:LogGroup";

    it("1: reports a log group kept forever", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, logGroup, "flow-logs"), "retentionInDays", undefined),
      );
      assert.deepEqual(found, [
        "retentionInDays is not set, so logs are kept (and billed) forever: set at least 30.",
      ]);
    });

    it("2: reports retention below production's minimum from config/prod.json", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, logGroup, "flow-logs"), "retentionInDays", 30),
      );
      assert.deepEqual(found, ["retentionInDays is 30: this environment requires at least 90."]);
    });

    it("passes the program's log groups (flow logs 30 days in staging, 365 in prod; database logs 30 and 90)", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });
});
