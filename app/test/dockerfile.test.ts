import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DockerfileParser, type Instruction, type From } from "dockerfile-ast";
import { contract } from "../src/contract";
import { APP_DIR } from "./helpers/process";

/**
 * The Dockerfile, parsed (no Docker engine is needed): each property of a production image the
 * deployment gate asks for is asserted on the instructions, not on text fragments.
 */
const REPO_ROOT = path.resolve(APP_DIR, "..");
const dockerfile = DockerfileParser.parse(readFileSync(path.join(APP_DIR, "Dockerfile"), "utf8"));

interface Stage {
  from: From;
  name: string | null;
  instructions: Instruction[];
}

const stages: Stage[] = [];
for (const instruction of dockerfile.getInstructions()) {
  if (instruction.getKeyword() === "FROM") {
    const from = instruction as From;
    stages.push({ from, name: from.getBuildStage(), instructions: [] });
  } else {
    assert.ok(stages.length > 0, `${instruction.getKeyword()} before the first FROM`);
    stages[stages.length - 1].instructions.push(instruction);
  }
}
const stageNames = new Set(stages.map((s) => s.name));
const finalStage = stages[stages.length - 1];
const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const keyword = (stage: Stage, kw: string) =>
  stage.instructions.filter((i) => i.getKeyword() === kw);
const flag = (i: Instruction, name: string) =>
  (i as unknown as { getFlags(): Array<{ getName(): string; getValue(): string | null }> })
    .getFlags()
    .find((f) => f.getName() === name)
    ?.getValue();
const runs = (stage: Stage) => keyword(stage, "RUN").map((i) => i.getArgumentsContent() ?? "");
const isNpmInstall = (cmd: string) => /\bnpm (ci|install|i)\b/.test(cmd);
const jsonArgs = (i: Instruction) =>
  (i as unknown as { getJSONStrings(): Array<{ getJSONValue(): string }> })
    .getJSONStrings()
    .map((s) => s.getJSONValue());
/** Where the node image keeps its package managers. */
const PACKAGE_MANAGER_PATHS = [
  "/usr/local/lib/node_modules/npm",
  "/usr/local/lib/node_modules/corepack",
  "/usr/local/bin/npm",
  "/usr/local/bin/npx",
  "/usr/local/bin/corepack",
  "/usr/local/bin/yarn",
  "/usr/local/bin/yarnpkg",
];
/** `rm -rf` of package-manager paths only: the one RUN the runtime stage may have. */
const isPackageManagerRemoval = (cmd: string) => {
  const words = cmd.replace(/\\\n/g, " ").trim().split(/\s+/);
  return (
    words[0] === "rm" &&
    words[1] === "-rf" &&
    words.slice(2).every((w) => PACKAGE_MANAGER_PATHS.includes(w) || w === "/opt/yarn-*")
  );
};

/** Files copied from the build context (not from another stage), per COPY/ADD. */
const contextSources = stages.flatMap((stage) =>
  [...keyword(stage, "COPY"), ...keyword(stage, "ADD")]
    .filter((i) => flag(i, "from") === undefined)
    .flatMap((i) => args(i).slice(0, -1)),
);

describe("app/Dockerfile", () => {
  it("is a multi-stage build whose final stage is `production`, built from a build stage", () => {
    assert.ok(stages.length >= 2, "at least two stages");
    assert.ok(stageNames.has("build"), "a stage named build");
    assert.equal(finalStage.name, "production");
    const fromStages = keyword(finalStage, "COPY").map((i) => flag(i, "from"));
    assert.ok(fromStages.includes("build"), "production copies the build output from `build`");
    for (const cmd of runs(finalStage)) {
      assert.ok(
        isPackageManagerRemoval(cmd),
        `nothing is compiled or installed in the runtime stage, got RUN ${cmd}`,
      );
    }
  });

  it("removes npm, npx, corepack and yarn from the runtime stage, and nothing there calls them", () => {
    const removals = runs(finalStage).filter(isPackageManagerRemoval);
    assert.equal(removals.length, 1, "one RUN removing the package managers");
    const removed = removals[0].split(/\s+/);
    for (const p of PACKAGE_MANAGER_PATHS) assert.ok(removed.includes(p), `removes ${p}`);
    // What runs in the container: CMD, HEALTHCHECK, and the commands the infrastructure gives
    // the migrate and bootstrap containers. Each is node on a compiled file.
    const [cmd] = keyword(finalStage, "CMD");
    const [hc] = keyword(finalStage, "HEALTHCHECK");
    assert.deepEqual(jsonArgs(cmd).slice(0, 1), ["node"]);
    assert.match(hc.getArgumentsContent() ?? "", /CMD \["node", /);
    for (const i of finalStage.instructions) {
      if (i.getKeyword() === "RUN") continue;
      assert.doesNotMatch(
        i.getArgumentsContent() ?? "",
        /\b(npm|npx|corepack|yarn)\b/,
        i.getKeyword(),
      );
    }
    for (const entry of ["server", "healthcheck", "migrate", "bootstrap"]) {
      assert.ok(existsSync(path.join(APP_DIR, "src", `${entry}.ts`)), `dist/${entry}.js is built`);
    }
    // The commands the infrastructure gives the containers come from the contract.
    for (const command of Object.values(contract.commands)) {
      assert.deepEqual(command.slice(0, 1), ["node"], command.join(" "));
      const entry = /^dist\/([a-z-]+)\.js$/.exec(command[1])?.[1];
      assert.ok(entry && existsSync(path.join(APP_DIR, "src", `${entry}.ts`)), command.join(" "));
    }
  });

  it("pins every base image by version tag and sha256 digest", () => {
    for (const { from } of stages) {
      const name = from.getImageName();
      if (stageNames.has(name)) continue;
      const tag = from.getImageTag();
      assert.ok(tag, `${from.getImage()} has a tag`);
      assert.notEqual(tag, "latest");
      assert.match(tag, /^\d+\.\d+\.\d+(-[a-z0-9.-]+)?$/, `${from.getImage()}: exact version`);
      assert.match(String(from.getImageDigest()), /^sha256:[0-9a-f]{64}$/, `${from.getImage()}`);
    }
  });

  it("uses the Node version the CI runs the tests on (.ci/run's NODE24_VERSION)", () => {
    const ci = readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8");
    const tested = /^NODE24_VERSION=(\S+)$/m.exec(ci)?.[1];
    assert.ok(tested, ".ci/run sets NODE24_VERSION");
    for (const { from } of stages) {
      if (from.getImageName() !== "node") continue;
      assert.equal(String(from.getImageTag()).split("-")[0], tested, String(from.getImage()));
    }
  });

  it("uses a minimal base image for the runtime stage", () => {
    assert.match(String(finalStage.from.getImageTag()), /-(slim|alpine)|distroless/);
  });

  it("runs as a non-root user, set before the command", () => {
    const users = keyword(finalStage, "USER");
    assert.ok(users.length > 0, "USER in the production stage");
    const last = users[users.length - 1];
    const user = args(last)[0].split(":")[0];
    assert.ok(!["root", "0"].includes(user), `runs as ${user}`);
    const cmd = keyword(finalStage, "CMD")[0];
    assert.ok(cmd, "a CMD");
    assert.ok(last.getRange().start.line < cmd.getRange().start.line);
  });

  it("defines a HEALTHCHECK that probes the liveness endpoint with Node alone", () => {
    const [hc] = keyword(finalStage, "HEALTHCHECK");
    assert.ok(hc, "HEALTHCHECK in the production stage");
    const content = hc.getArgumentsContent() ?? "";
    assert.doesNotMatch(content, /^NONE/i);
    // The contract's health check command, which ECS runs too.
    const command = /\bCMD (\[.*\])\s*$/s.exec(content)?.[1];
    assert.ok(command, `HEALTHCHECK ... CMD [exec form], got ${content}`);
    assert.deepEqual(JSON.parse(command), contract.commands.healthCheck);
    assert.match(
      readFileSync(path.join(APP_DIR, "src", "healthcheck.ts"), "utf8"),
      /contract\.health\.liveness/,
    );
  });

  it("exposes the contract's port", () => {
    assert.deepEqual(keyword(finalStage, "EXPOSE").map(args), [[String(contract.port)]]);
  });

  it("starts node directly in exec form, so it receives SIGTERM as PID 1", () => {
    const [cmd] = keyword(finalStage, "CMD");
    assert.equal(keyword(finalStage, "ENTRYPOINT").length, 0);
    assert.deepEqual(
      (cmd as unknown as { getJSONStrings(): Array<{ getJSONValue(): string }> })
        .getJSONStrings()
        .map((s) => s.getJSONValue()),
      contract.commands.app,
    );
  });

  it("bakes in no secrets: no ENV or ARG named like a credential, no secret files copied", () => {
    const secretName = /pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential/i;
    for (const stage of stages) {
      for (const env of keyword(stage, "ENV")) {
        for (const p of (
          env as unknown as { getProperties(): Array<{ getName(): string }> }
        ).getProperties()) {
          assert.doesNotMatch(p.getName(), secretName, `ENV ${p.getName()}`);
        }
      }
      for (const arg of keyword(stage, "ARG")) {
        assert.doesNotMatch(args(arg)[0], secretName, `ARG ${args(arg)[0]}`);
      }
    }
    for (const src of contextSources) assert.doesNotMatch(src, /\.env|\.pem|\.key$|\.npmrc/);
  });

  it("ships production dependencies only", () => {
    const depsStage = keyword(finalStage, "COPY")
      .filter((i) => args(i)[0].endsWith("/node_modules"))
      .map((i) => stages.find((s) => s.name === flag(i, "from")));
    assert.ok(depsStage.length > 0, "node_modules come from a dependency stage");
    for (const stage of depsStage) {
      assert.ok(stage, "the stage exists");
      const installs = runs(stage).filter(isNpmInstall);
      assert.ok(installs.length > 0);
      for (const cmd of installs) {
        assert.match(cmd, /\bnpm ci\b/, "installs exactly the lockfile");
        assert.match(cmd, /--omit=dev/);
        assert.match(
          cmd,
          /--workspace app\b/,
          "only the app's dependencies, not the Pulumi program's",
        );
      }
    }
    const envs = keyword(finalStage, "ENV").map((e) => e.getArgumentsContent() ?? "");
    assert.ok(envs.some((e) => /NODE_ENV=production/.test(e)));
  });

  it("installs dependencies before copying the sources, so source edits reuse the install layer", () => {
    for (const stage of stages) {
      const installAt = stage.instructions.findIndex(
        (i) => i.getKeyword() === "RUN" && isNpmInstall(i.getArgumentsContent() ?? ""),
      );
      if (installAt === -1) continue;
      stage.instructions.forEach((inst, at) => {
        if (inst.getKeyword() !== "COPY" || flag(inst, "from") !== undefined) return;
        const sources = args(inst).slice(0, -1);
        const onlyManifests = sources.every((s) => /(^|\/)package(-lock)?\.json$/.test(s));
        if (at < installAt)
          assert.ok(onlyManifests, `only manifests before npm ci, got ${sources}`);
      });
      const sourceCopyAt = stage.instructions.findIndex(
        (i) => i.getKeyword() === "COPY" && args(i).some((a) => a.startsWith("app/src")),
      );
      if (sourceCopyAt !== -1) assert.ok(installAt < sourceCopyAt);
    }
  });

  describe("the root .dockerignore", () => {
    const lines = readFileSync(path.join(REPO_ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));

    it("denies everything by default and keeps secrets, .git and node_modules out", () => {
      assert.equal(lines[0], "*");
      const allowed = lines.filter((l) => l.startsWith("!")).map((l) => l.slice(1));
      for (const a of allowed)
        assert.doesNotMatch(a, /^\.|node_modules|\.env|\.git|Pulumi\..*\.yaml/);
      for (const must of ["**/node_modules", "**/.env", "**/dist"])
        assert.ok(lines.includes(must), must);
    });

    it("lets in every file the Dockerfile copies from the context, and those files exist", () => {
      const allowed = lines
        .filter((l) => l.startsWith("!"))
        .map((l) => l.slice(1).replace(/\/$/, ""));
      for (const src of contextSources) {
        const clean = src.replace(/\/$/, "");
        assert.ok(
          allowed.some((a) => clean === a || clean.startsWith(`${a}/`)),
          `${src} is excluded by .dockerignore`,
        );
        assert.ok(existsSync(path.join(REPO_ROOT, clean)), `${src} exists in the repository`);
      }
    });
  });
});
