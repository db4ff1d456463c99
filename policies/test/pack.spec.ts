import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { packDir, stackPolicyConfig } from "../../scripts/offline/policy-config";
import { diagnostics, gate } from "./gate";

describe("policy pack", () => {
  it("declares exactly these policies, each mandatory", async () => {
    const policies = await gate().policies();
    const byLevel = (level: string) =>
      policies
        .filter((p) => p.level === level)
        .map((p) => p.name)
        .sort();
    assert.deepEqual(byLevel("mandatory"), [
      "cloudwatch-log-group-retention",
      "ec2-security-group-public-ingress",
      "ec2-vpc-flow-logs",
      "tagging-required-tags",
    ]);
    assert.deepEqual(byLevel("advisory"), []);
    for (const p of policies) assert.ok(p.description.length > 20, `${p.name} explains itself`);
  });

  it("has one file per policy, named after it", async () => {
    const files = ["cloudwatch", "ec2", "tagging"].flatMap((area) =>
      readdirSync(join(packDir, area))
        .filter((f) => f !== "index.ts")
        .map((f) => `${area}-${f.replace(/\.ts$/, "")}`),
    );
    assert.deepEqual(files.sort(), (await gate().policies()).map((p) => p.name).sort());
  });

  for (const stack of ["staging", "prod"] as const) {
    it(`lets the real ${stack} program through with config/${stack}.json`, async () => {
      assert.deepEqual(await diagnostics(stack), []);
    });
  }

  it("rejects a config file that names no policy of the pack", async () => {
    await assert.rejects(
      diagnostics("staging", undefined, { "cloudwatch-log-retention": { minimumDays: 7 } }),
      /"cloudwatch-log-retention" is not a policy of the pack; did you mean "cloudwatch-log-group-retention"\?/,
    );
  });

  it("rejects a config value its policy's schema forbids", async () => {
    await assert.rejects(
      diagnostics("staging", undefined, {
        ...stackPolicyConfig("staging"),
        "cloudwatch-log-group-retention": { minimumDays: "thirty" },
      }),
      /cloudwatch-log-group-retention\.minimumDays must be integer, got "thirty"/,
    );
  });

  it("reports violations as advisory when the config turns a policy down", async () => {
    const found = await diagnostics(
      "staging",
      (resources) => {
        const group = resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!;
        delete group.inputs.retentionInDays;
      },
      { "cloudwatch-log-group-retention": { enforcementLevel: "advisory" } },
    );
    assert.deepEqual(
      found.map((d) => [d.policy, d.level]),
      [["cloudwatch-log-group-retention", "advisory"]],
    );
  });
});
