import assert from "node:assert/strict";
import type { RegisteredResource } from "../../scripts/offline/harness";
import { diagnostics, find, remove, set, violations } from "./gate";

const repository = "aws:ecr/repository:Repository";
const lifecyclePolicy = "aws:ecr/lifecyclePolicy:LifecyclePolicy";

interface Rule {
  rulePriority?: number;
  selection: Record<string, unknown>;
  action: Record<string, unknown>;
}

describe("ecr", () => {
  describe("ecr-repository-scan-on-push", () => {
    const policy = "ecr-repository-scan-on-push";
    const message =
      "images are not scanned on push: set imageScanningConfiguration {scanOnPush: true} " +
      "(basic scanning is free).";

    it("1: reports a repository that does not scan on push", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, repository, "-app"), "imageScanningConfiguration", {
          scanOnPush: false,
        }),
      );
      assert.deepEqual(found, [message]);
    });

    it("2: reports a repository without a scanning configuration", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, repository, "-build-cache"), "imageScanningConfiguration", undefined),
      );
      assert.deepEqual(found, [message]);
    });

    it("passes the program's repositories (the image's and the build cache's)", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });

  describe("ecr-repository-immutable-tags", () => {
    const policy = "ecr-repository-immutable-tags";

    it("1: reports mutable tags", async () => {
      const found = await violations(policy, "prod", (resources) =>
        set(find(resources, repository, "-app"), "imageTagMutability", "MUTABLE"),
      );
      assert.deepEqual(found, [
        'imageTagMutability is MUTABLE: set "IMMUTABLE" (or "IMMUTABLE_WITH_EXCLUSION" with ' +
          "filters naming the few tags that must move).",
      ]);
    });

    it("2: reports an unset mutability (ECR's default, MUTABLE)", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, repository, "-app"), "imageTagMutability", undefined),
      );
      assert.equal(found.length, 1);
      assert.match(found[0], /^imageTagMutability is MUTABLE: /);
    });

    it("3: reports an exclusion filter that makes every tag mutable", async () => {
      const found = await violations(policy, "staging", (resources) =>
        set(find(resources, repository, "-build-cache"), "imageTagMutabilityExclusionFilters", [
          { filter: "**", filterType: "WILDCARD" },
        ]),
      );
      assert.deepEqual(found, [
        'exclusion filter "**" makes every tag mutable: list only the tags that must move ' +
          '(for example "linux-*" for build cache).',
      ]);
    });

    it("passes the program: image tags immutable, only the build cache's tag excluded", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });
  });

  describe("ecr-repository-lifecycle-policy", () => {
    const policy = "ecr-repository-lifecycle-policy";

    it("1: reports a repository without a lifecycle policy", async () => {
      const found = await violations(policy, "prod", (resources) =>
        remove(resources, find(resources, lifecyclePolicy, "-app")),
      );
      assert.deepEqual(found, [
        "repository prod-app has no lifecycle policy: add an aws.ecr.LifecyclePolicy for it " +
          "that expires images beyond a count (imageCountMoreThan).",
      ]);
    });

    it("2: reports a repository whose lifecycle policy names another repository", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const cachePolicy = find(resources, lifecyclePolicy, "-build-cache");
        const appPolicy = find(resources, lifecyclePolicy, "-app");
        set(cachePolicy, "repository", appPolicy.outputs.repository);
        cachePolicy.propertyDependencies.repository = appPolicy.propertyDependencies.repository;
      });
      assert.equal(found.length, 1);
      assert.match(found[0], /^repository staging-build-cache has no lifecycle policy/);
    });

    it("3: reports the wrong value: a lifecycle policy whose only rule does not expire", async () => {
      const found = await violations(policy, "prod", (resources) => {
        const p = find(resources, lifecyclePolicy, "-app");
        const document = JSON.parse(p.inputs.policy as string);
        for (const rule of document.rules) rule.action = { type: "none" };
        set(p, "policy", JSON.stringify(document));
      });
      assert.equal(found.length, 1);
      assert.match(
        found[0],
        /^repository prod-app has a lifecycle policy \(prod-app\) with no rule that expires images/,
      );
    });

    it("4: reports the wrong value: an expiry rule that keeps zero images (countNumber 0)", async () => {
      const found = await violations(policy, "staging", (resources) => {
        const p = find(resources, lifecyclePolicy, "-app");
        const document = JSON.parse(p.inputs.policy as string);
        for (const rule of document.rules) rule.selection.countNumber = 0;
        set(p, "policy", JSON.stringify(document));
      });
      assert.equal(found.length, 1);
    });

    /** Changes the rules of the lifecycle policy named `*nameEnd`. */
    const rules =
      (nameEnd: string, change: (rules: Rule[]) => void) => (resources: RegisteredResource[]) => {
        const p = find(resources, lifecyclePolicy, nameEnd);
        const document = JSON.parse(p.inputs.policy as string);
        change(document.rules);
        set(p, "policy", JSON.stringify(document));
      };

    it("5: reports an immutable repository whose policy expires only untagged images", async () => {
      const found = await violations(
        policy,
        "prod",
        rules("-app", (r) => (r[0].selection.tagStatus = "untagged")),
      );
      assert.deepEqual(found, [
        "repository prod-app has immutable tags, so every image stays tagged, yet its lifecycle " +
          'policy (prod-app) expires only untagged images (tagStatus "untagged"): nothing pushed ' +
          'ever expires: add a rule { selection: { tagStatus: "any", countType: ' +
          '"imageCountMoreThan", countNumber: <n> }, action: { type: "expire" } } (the highest ' +
          "rulePriority).",
      ]);
    });

    it("6: reports rules ECR refuses: tagged without a tag list, any below another rule, days without a unit", async () => {
      const found = [
        ...(await violations(
          policy,
          "staging",
          rules("-app", (r) => (r[0].selection.tagStatus = "tagged")),
        )),
        ...(await violations(
          policy,
          "staging",
          rules("-app", (r) =>
            r.push({
              rulePriority: 2,
              selection: {
                tagStatus: "untagged",
                countType: "sinceImagePushed",
                countUnit: "days",
                countNumber: 1,
              },
              action: { type: "expire" },
            }),
          ),
        )),
        ...(await violations(
          policy,
          "staging",
          rules("-build-cache", (r) => delete r[0].selection.countUnit),
        )),
      ];
      const refused = (repository: string, reason: string) =>
        `repository ${repository} has a lifecycle policy (${repository}) that ECR refuses, so it ` +
        `expires nothing: ${reason}: correct that rule as the properties of a lifecycle policy ` +
        "require.";
      assert.deepEqual(found, [
        refused(
          "staging-app",
          "rule 1 selects tagged images without a tagPrefixList or tagPatternList",
        ),
        refused(
          "staging-app",
          "rule 1 selects any image but is not the rule with the highest rulePriority",
        ),
        refused(
          "staging-build-cache",
          'rule 1 counts sinceImagePushed in countUnit unset, not "days"',
        ),
      ]);
    });

    it("passes a tagged expiry rule with a tagPatternList", async () => {
      const found = await violations(
        policy,
        "prod",
        rules("-app", (r) => {
          r[0].selection.tagStatus = "tagged";
          r[0].selection.tagPatternList = ["*"];
        }),
      );
      assert.deepEqual(found, []);
    });

    it("not checked: a lifecycle policy that is not JSON is said aloud, as advisory", async () => {
      const found = (
        await diagnostics("prod", (resources) =>
          set(find(resources, lifecyclePolicy, "-app"), "policy", "{rules"),
        )
      ).filter((d) => d.policy === policy);
      assert.deepEqual(
        found.map((d) => d.level),
        ["advisory"],
      );
      assert.match(found[0].message, /^not checked: the lifecycle policy prod-app is not JSON/);
    });

    it("passes the program's repositories, each with its policy", async () => {
      assert.deepEqual(await violations(policy, "staging"), []);
      assert.deepEqual(await violations(policy, "prod"), []);
    });

    it("passes on the dependency alone when the repository's name is not known yet (a first preview)", async () => {
      const found = await violations(policy, "prod", (resources) => {
        for (const p of resources.filter((r) => r.type === lifecyclePolicy)) {
          set(p, "repository", undefined);
        }
      });
      assert.deepEqual(found, []);
    });
  });
});
