import assert from "node:assert/strict";
import { addBeside, diagnostics, find, set, violations } from "./gate";
import { takesTags } from "../lib/taggable";

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

    it("reports an empty owner: the provider's default left blank, or a resource's own empty tag over it", async () => {
      const blankDefault = await violations(policy, "prod", (resources) => {
        const aws = find(resources, provider, "aws");
        const { tags } = JSON.parse(aws.inputs.defaultTags as string);
        tags.owner = " ";
        set(aws, "defaultTags", JSON.stringify({ tags }));
      });
      assert.ok(blankDefault.length > 20);
      assert.ok(blankDefault.every((m) => m.startsWith("tags owner are empty: give each a value")));
      const ownBlank = await violations(policy, "prod", (resources) => {
        const vpc = find(resources, "aws:ec2/vpc:Vpc");
        set(vpc, "tags", { ...((vpc.inputs.tags as object) ?? {}), owner: "" });
      });
      assert.deepEqual(ownBlank, [
        "tags owner are empty (the resource's own tags replace the provider's default): give each a value, or drop the resource's own empty tag so the provider's default applies.",
      ]);
    });

    it("3: reports a resource created outside the stack's provider", async () => {
      const found = await violations(policy, "staging", (resources) => {
        find(resources, "aws:ec2/vpc:Vpc").provider = "";
      });
      assert.equal(found.length, 1);
    });

    it("4: asks a taggable resource for tags even when others in the stack cannot take any", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const aws = find(resources, provider, "aws");
        set(aws, "defaultTags", undefined);
        // Only the VPC keeps its tags; every other taggable resource is reported, no other one.
        const vpc = find(resources, "aws:ec2/vpc:Vpc");
        set(vpc, "tags", {
          environment: "p",
          project: "p",
          "managed-by": "p",
          owner: "p",
          "cost-center": "p",
        });
      });
      const all = await diagnostics("prod", (resources) =>
        set(find(resources, provider, "aws"), "defaultTags", undefined),
      );
      assert.equal(found.length, all.filter((d) => d.policy === policy).length - 1);
    });

    it("asks nothing of resource types that cannot carry tags (read from @pulumi/aws's Args types)", async () => {
      const found = (
        await diagnostics("prod", (resources) =>
          set(find(resources, provider, "aws"), "defaultTags", undefined),
        )
      ).filter((d) => d.policy === policy);
      const types = new Set(found.map((d) => d.urn.split("::")[2].split("$").pop()));
      for (const untaggable of [
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
      ]) {
        assert.equal(takesTags(untaggable), false, untaggable);
        assert.ok(!types.has(untaggable), `${untaggable} was asked for tags`);
      }
      for (const taggable of [
        "aws:ec2/vpc:Vpc",
        "aws:s3/bucket:Bucket",
        "aws:rds/instance:Instance",
      ]) {
        assert.equal(takesTags(taggable), true, taggable);
      }
      assert.ok(types.has("aws:ec2/vpc:Vpc"));
    });

    it("not checked: a type the installed provider does not define is said aloud, as advisory", async () => {
      const found = (
        await diagnostics("prod", (resources) => {
          const vpc = find(resources, "aws:ec2/vpc:Vpc");
          // Built from parts: test/resource-types.spec.ts rejects any whole token @pulumi/aws lacks.
          addBeside(resources, vpc, ["aws:future", "widget:Widget"].join("/"), "widget", {});
        })
      ).filter((d) => d.policy === policy);
      assert.deepEqual(
        found.map((d) => [d.level, d.message]),
        [
          [
            "advisory",
            "not checked: the installed @pulumi/aws does not say whether aws:future/widget:Widget takes tags",
          ],
        ],
      );
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
