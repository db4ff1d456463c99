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

      const providers = () => run.resources.filter((r) => r.type === "pulumi:providers:aws");
      const copyRegion = () => run.config["acme:backupCopyRegion"];

      it("creates one AWS provider per region, each with default tags carrying environment, project, owner and cost centre", () => {
        // prod copies its backups to a second region, through a provider of its own; alarms on
        // us-east-1-only metrics (Route 53 health checks) need one there.
        const regions = providers().map((p) => p.inputs.region);
        assert.deepEqual(
          regions,
          [run.config["aws:region"], copyRegion(), "us-east-1"].filter(Boolean),
        );
        for (const provider of providers()) {
          const defaultTags = JSON.parse(provider.inputs.defaultTags as string);
          assert.deepEqual(defaultTags.tags, {
            environment: stack,
            project: "acme",
            "managed-by": "pulumi",
            owner: run.config["acme:owner"],
            "cost-center": run.config["acme:costCenter"],
          });
        }
      });

      it("puts every AWS resource under the stack region's provider, but the off-site backup copy under the copy region's and the probe's alarm in us-east-1", () => {
        const reference = (region: string) => {
          const provider = providers().find((p) => p.inputs.region === region)!;
          return `${provider.urn}::${provider.id}`;
        };
        const awsResources = run.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
        assert.ok(awsResources.length > 20);
        const offSite = awsResources.filter((r) => r.name.includes("-copy-vault"));
        assert.equal(offSite.length, copyRegion() ? 2 : 0);
        // The probe's alarm and the rule forwarding its state changes to the stack's region.
        const inUsEast1 = awsResources.filter((r) =>
          /-probe-us-east-1$|-alarm-mirror-forward$/.test(r.name),
        );
        assert.equal(inUsEast1.length, 3);
        for (const resource of awsResources) {
          const region = offSite.includes(resource)
            ? copyRegion()
            : inUsEast1.includes(resource)
              ? "us-east-1"
              : run.config["aws:region"];
          assert.equal(
            resource.provider,
            reference(region),
            `${resource.urn} uses another provider`,
          );
        }
      });

      it("turns off the default AWS provider in the stack file, so a forgotten provider fails", () => {
        const file = parse(readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8"));
        assert.deepEqual(file.config["pulumi:disable-default-providers"], ["aws"]);
      });
    });
  }
});
