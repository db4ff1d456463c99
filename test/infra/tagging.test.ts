import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot, type ProgramRun } from "../../scripts/offline/harness";
import { stackRun } from "./stacks";

describe("tagging", () => {
  for (const stack of ["staging", "prod"] as const) {
    describe(stack, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });

      it("creates one AWS provider whose default tags carry environment, project, owner and cost centre", () => {
        const providers = run.resources.filter((r) => r.type === "pulumi:providers:aws");
        assert.equal(providers.length, 1);
        const defaultTags = JSON.parse(providers[0].inputs.defaultTags as string);
        assert.deepEqual(defaultTags.tags, {
          environment: stack,
          project: "acme",
          "managed-by": "pulumi",
          owner: run.config["acme:owner"],
          "cost-center": run.config["acme:costCenter"],
        });
      });

      it("puts every AWS resource under that provider, so every taggable one gets the tags", () => {
        const provider = run.resources.find((r) => r.type === "pulumi:providers:aws")!;
        const reference = `${provider.urn}::${provider.id}`;
        const awsResources = run.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
        assert.ok(awsResources.length > 20);
        for (const resource of awsResources) {
          assert.equal(resource.provider, reference, `${resource.urn} uses another provider`);
        }
      });

      it("turns off the default AWS provider in the stack file, so a forgotten provider fails", () => {
        const file = parse(readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8"));
        assert.deepEqual(file.config["pulumi:disable-default-providers"], ["aws"]);
      });
    });
  }
});
