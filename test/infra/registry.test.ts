import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitIn, resolveImageTag } from "../../infra/config";
import {
  ofType,
  repoRoot,
  runProgram,
  type ProgramRun,
  type RegisteredResource,
} from "../../scripts/offline/harness";
import { configKey, stackRun } from "./stacks";

const repositories = (run: ProgramRun) => ofType(run, "aws:ecr/repository:Repository");
const appRepository = (run: ProgramRun) =>
  repositories(run).find((r) => r.inputs.imageTagMutability === "IMMUTABLE")!;
const cacheRepository = (run: ProgramRun) =>
  repositories(run).find((r) => r.inputs.imageTagMutability !== "IMMUTABLE")!;
const lifecycleOf = (run: ProgramRun, repository: RegisteredResource) =>
  JSON.parse(
    ofType(run, "aws:ecr/lifecyclePolicy:LifecyclePolicy").find(
      (p) => p.inputs.repository === repository.outputs.name,
    )!.inputs.policy as string,
  );
const image = (run: ProgramRun) => ofType(run, "docker-build:index:Image")[0];
const containers = (run: ProgramRun) =>
  JSON.parse(
    ofType(run, "aws:ecs/taskDefinition:TaskDefinition")[0].inputs.containerDefinitions as string,
  ) as { name: string; image: string }[];

describe("registry", () => {
  const expected = { dev: { kept: 10 }, staging: { kept: 20 }, prod: { kept: 50 } };

  for (const [stack, want] of Object.entries(expected) as [
    keyof typeof expected,
    { kept: number },
  ][]) {
    describe(stack, () => {
      let run: ProgramRun;
      before(async () => {
        run = await stackRun(stack);
      });

      it(`ECR: immutable tags, scan on push, encryption, and the newest ${want.kept} images kept`, () => {
        const repository = appRepository(run);
        assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE");
        assert.deepEqual(repository.inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.deepEqual(repository.inputs.encryptionConfigurations, [
          { encryptionType: "AES256" },
        ]);
        const { rules } = lifecycleOf(run, repository);
        assert.equal(rules.length, 1);
        assert.deepEqual(rules[0].selection, {
          tagStatus: "any",
          countType: "imageCountMoreThan",
          countNumber: want.kept,
        });
        assert.equal(rules[0].action.type, "expire");
        // Images of a production history survive a destroy; dev's go with the stack.
        assert.equal(repository.inputs.forceDelete, stack !== "prod");
      });

      it("keeps the build cache in a repository of its own, where only the cache's tag may be overwritten", () => {
        const cache = cacheRepository(run);
        assert.equal(cache.inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
        assert.deepEqual(cache.inputs.imageTagMutabilityExclusionFilters, [
          { filter: "linux-arm64", filterType: "WILDCARD" },
        ]);
        assert.deepEqual(cache.inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.deepEqual(cache.inputs.encryptionConfigurations, [{ encryptionType: "AES256" }]);
        const [rule] = lifecycleOf(run, cache).rules;
        assert.equal(rule.selection.tagStatus, "untagged");
        assert.equal(rule.action.type, "expire");
      });

      it("Image: builds app/Dockerfile's production stage for linux/arm64 from the repository root and pushes it to ECR with the registry's credentials", () => {
        const built = image(run);
        assert.deepEqual(built.inputs.context, { location: repoRoot });
        assert.deepEqual(built.inputs.dockerfile, {
          location: join(repoRoot, "app", "Dockerfile"),
        });
        assert.equal(built.inputs.target, "production");
        assert.deepEqual(built.inputs.platforms, ["linux/arm64"]);
        assert.equal(built.inputs.push, true);
        const url = appRepository(run).outputs.repositoryUrl as string;
        // Sent as a secret (Pulumi's wire signature): the token is encrypted in the state.
        const secret = built.inputs.registries as Record<string, unknown>;
        assert.ok(secret["4dabf18193072939515e22adb298388d"]);
        const [registry] = secret.value as Record<string, string>[];
        assert.equal(registry.address, url.split("/")[0]);
        // What aws.ecr.getAuthorizationToken answers for the repository's registry.
        assert.equal(registry.username, "AWS");
        assert.match(registry.password, /^[0-9a-f]{64}$/);
      });

      it("Image: tagged with the commit being deployed, never latest", () => {
        const url = appRepository(run).outputs.repositoryUrl as string;
        // The commit checked out (CI's GITHUB_SHA), marked -dirty-<hash> with local changes.
        const commit = process.env.GITHUB_SHA || gitIn(repoRoot)("rev-parse", "HEAD");
        const tag = run.stackOutputs.imageTag as string;
        assert.match(tag, new RegExp(`^${commit}(-dirty-[0-9a-f]{12})?$`));
        assert.deepEqual(image(run).inputs.tags, [`${url}:${tag}`]);
      });

      it("Image: reads and writes the build cache in the registry (mode max, as an OCI image manifest ECR accepts)", () => {
        const built = image(run);
        const ref = `${cacheRepository(run).outputs.repositoryUrl}:linux-arm64`;
        assert.deepEqual(built.inputs.cacheFrom, [{ registry: { ref } }]);
        assert.deepEqual(built.inputs.cacheTo, [
          { registry: { ref, mode: "max", imageManifest: true, ociMediaTypes: true } },
        ]);
      });

      it("Image: the task definition runs the pushed image by digest", () => {
        const url = appRepository(run).outputs.repositoryUrl as string;
        const reference = `${url}@${image(run).outputs.digest}`;
        assert.match(reference, /@sha256:[0-9a-f]{64}$/);
        for (const container of containers(run)) assert.equal(container.image, reference);
        assert.equal(run.stackOutputs.image, reference);
      });
    });
  }

  it("Image: an amd64 platform builds for amd64 and caches separately", async () => {
    const run = await runProgram("staging", { config: { imagePlatform: "linux/amd64" } });
    assert.deepEqual(image(run).inputs.platforms, ["linux/amd64"]);
    assert.match(
      (image(run).inputs.cacheFrom as { registry: { ref: string } }[])[0].registry.ref,
      /:linux-amd64$/,
    );
    assert.deepEqual(cacheRepository(run).inputs.imageTagMutabilityExclusionFilters, [
      { filter: "linux-amd64", filterType: "WILDCARD" },
    ]);
  });

  it("Image: a preview builds and pushes nothing (no build, no cache export); a removed or replaced build keeps its pushed image", async () => {
    // As `pulumi preview` runs the program (isDryRun), which pull requests do with read-only roles.
    const preview = await runProgram("staging", { preview: true });
    assert.equal(image(preview).inputs.buildOnPreview, false);
    const up = await runProgram("staging");
    assert.equal(image(up).inputs.buildOnPreview, false);
    assert.equal(image(up).options.retainOnDelete, true);
  });

  describe("prod with imageDigest: runs the image staging tested instead of building", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    let run: ProgramRun;
    before(async () => {
      run = await runProgram("prod", { config: { imageDigest: digest } });
    });

    it("builds nothing", () => {
      assert.deepEqual(ofType(run, "docker-build:index:Image"), []);
    });

    it("the task definition and the stack output name that digest in this stack's repository", () => {
      const url = appRepository(run).outputs.repositoryUrl as string;
      for (const container of containers(run)) assert.equal(container.image, `${url}@${digest}`);
      assert.equal(run.stackOutputs.image, `${url}@${digest}`);
      // Where deploy.yml copies the image to before `pulumi up`.
      assert.equal(run.stackOutputs.repositoryUrl, url);
    });

    it("refuses a digest that is not sha256:<64 hex>", async () => {
      await assert.rejects(
        runProgram("prod", { config: { imageDigest: "sha256:abc" } }),
        new RegExp(
          `${configKey("imageDigest")} must be an image digest, "sha256:" and 64 lower-case hex digits`,
        ),
      );
    });
  });

  it("Image: takes the tag from config when set", async () => {
    const run = await runProgram("staging", { config: { imageTag: "v1.2.3" } });
    assert.match((image(run).inputs.tags as string[])[0], /:v1\.2\.3$/);
  });
});

describe("resolveImageTag", () => {
  let dir: string;
  let git: ReturnType<typeof gitIn>;
  const commit = () => git("rev-parse", "HEAD");

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "image-tag-"));
    execFileSync("git", ["init", "-q", dir]);
    git = gitIn(dir);
    git("config", "user.email", "test@example.com");
    git("config", "user.name", "test");
    writeFileSync(join(dir, "server.js"), "console.log(1);\n");
    git("add", ".");
    git("commit", "-qm", "first");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("uses GITHUB_SHA in CI", () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    assert.equal(resolveImageTag({ GITHUB_SHA: sha }, git, dir), sha);
    assert.throws(
      () => resolveImageTag({ GITHUB_SHA: "main" }, git, dir),
      /GITHUB_SHA must be a 40-character commit hash, got "main"/,
    );
  });

  it("uses the commit of a clean checkout", () => {
    assert.equal(resolveImageTag({}, git, dir), commit());
  });

  it("gives uncommitted changes their own tag, the same for the same changes", () => {
    writeFileSync(join(dir, "server.js"), "console.log(2);\n");
    const dirty = resolveImageTag({}, git, dir);
    assert.match(dirty, new RegExp(`^${commit()}-dirty-[0-9a-f]{12}$`));
    assert.equal(resolveImageTag({}, git, dir), dirty);

    writeFileSync(join(dir, "server.js"), "console.log(3);\n");
    const other = resolveImageTag({}, git, dir);
    assert.notEqual(other, dirty);

    // A new untracked file is a change too.
    writeFileSync(join(dir, "extra.js"), "x\n");
    assert.notEqual(resolveImageTag({}, git, dir), other);
  });

  it("tags a copy outside git by its files, the same for the same files", () => {
    const outside = mkdtempSync(join(tmpdir(), "no-git-"));
    try {
      writeFileSync(join(outside, "server.js"), "console.log(1);\n");
      const tag = resolveImageTag({}, gitIn(outside), outside);
      assert.match(tag, /^nogit-[0-9a-f]{12}$/);
      assert.equal(resolveImageTag({}, gitIn(outside), outside), tag);
      writeFileSync(join(outside, "server.js"), "console.log(2);\n");
      assert.notEqual(resolveImageTag({}, gitIn(outside), outside), tag);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
