import assert from "node:assert/strict";
import { find, set, violations } from "./gate";

const provider = "pulumi:providers:aws";

describe("tagging", () => {
  describe("tagging-required-tags", () => {
    const policy = "tagging-required-tags";

    it("1: reports every AWS resource when the provider has no default tags", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, provider, "aws"), "defaultTags", undefined),
      );
      assert.ok(found.length > 20);
      assert.match(
        found[0],
        /^missing tags environment, project, managed-by, owner, cost-center: create the resource through the stack's AWS provider/,
      );
    });

    it("2: reports the one tag the provider leaves out", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const aws = find(resources, provider, "aws");
        const { tags } = JSON.parse(aws.inputs.defaultTags as string);
        delete tags["cost-center"];
        set(aws, "defaultTags", JSON.stringify({ tags }));
      });
      assert.ok(found.length > 20);
      assert.ok(found.every((m) => m.startsWith("missing tags cost-center:")));
    });

    it("3: reports a resource created outside the stack's provider", async () => {
      const found = await violations(policy, "staging", (resources) => {
        find(resources, "aws:ec2/vpc:Vpc").provider = "";
      });
      assert.equal(found.length, 1);
    });

    it("passes the program: every AWS resource through the tagged provider", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });

    it("passes a resource that carries the tags itself", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const vpc = find(resources, "aws:ec2/vpc:Vpc");
        const aws = find(resources, provider, "aws");
        set(vpc, "tags", JSON.parse(aws.inputs.defaultTags as string).tags);
        vpc.provider = "";
      });
      assert.deepEqual(found, []);
    });
  });
});
