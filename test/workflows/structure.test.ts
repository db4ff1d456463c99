import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../../scripts/offline/harness";
import {
  awsCredentialProblems,
  ciProblems,
  concurrencyProblems,
  deployProblems,
  drillProblems,
  loadWorkflows,
  permissionProblems,
  policyPackProblems,
  previewProblems,
  unpinnedActions,
  workflowText,
  type Workflow,
} from "./rules";

const files = ["ci.yml", "deploy.yml", "preview.yml", "recovery-drill.yml"];

/** Every rule that applies to any workflow file. */
function commonProblems(file: string, wf: Workflow, text = workflowText(file)): string[] {
  return [
    ...unpinnedActions(file, wf, text),
    ...permissionProblems(file, wf),
    ...awsCredentialProblems(file, wf),
    ...concurrencyProblems(file, wf),
    ...policyPackProblems(file, wf),
  ];
}

describe("workflows: structure", () => {
  let wf: Record<string, Workflow>;
  beforeEach(() => {
    wf = loadWorkflows();
  });

  it("are the four the pipeline needs", () => {
    assert.deepEqual(Object.keys(wf).sort(), files);
  });

  for (const file of files) {
    it(`${file}: pinned actions, least permissions, OIDC, per-environment concurrency, policy pack`, () => {
      assert.deepEqual(commonProblems(file, wf[file]), []);
    });
  }

  it("ci.yml has every build, test and security stage", () => {
    assert.deepEqual(ciProblems(wf["ci.yml"]), []);
  });

  it("deploy.yml runs staging -> tests -> approval -> prod -> smoke -> rollback on failure", () => {
    assert.deepEqual(deployProblems(wf["deploy.yml"]), []);
    const jobs = wf["deploy.yml"].jobs;
    assert.deepEqual(
      Object.fromEntries(Object.entries(jobs).map(([id, j]) => [id, j.needs ?? null])),
      { staging: null, "verify-staging": "staging", production: "verify-staging" },
    );
  });

  it("preview.yml previews staging and prod on every pull request, commented", () => {
    assert.deepEqual(previewProblems(wf["preview.yml"]), []);
  });

  it("recovery-drill.yml drills staging monthly and keeps the time", () => {
    assert.deepEqual(drillProblems(wf["recovery-drill.yml"]), []);
  });

  it("the coverage thresholds CI checks are set for lines, statements, branches and functions", () => {
    const c8 = JSON.parse(readFileSync(join(repoRoot, ".c8rc.json"), "utf8")) as Record<
      string,
      unknown
    >;
    for (const metric of ["lines", "statements", "branches", "functions"]) {
      assert.ok(Number(c8[metric]) >= 80, `.c8rc.json: ${metric} threshold ${c8[metric]}`);
    }
  });

  it("Dependabot updates npm, the actions and the Docker base image", () => {
    const config = parse(readFileSync(join(repoRoot, ".github", "dependabot.yml"), "utf8")) as {
      updates: { "package-ecosystem": string; directory: string }[];
    };
    const ecosystems = config.updates.map((u) => `${u["package-ecosystem"]} ${u.directory}`);
    assert.deepEqual(ecosystems.sort(), ["docker /app", "github-actions /", "npm /"]);
  });

  describe("fail when a required part is removed", () => {
    const deploy = () => wf["deploy.yml"];
    const prodSteps = () => deploy().jobs.production.steps!;
    const stepIndex = (job: string, pred: (run: string) => boolean) =>
      deploy().jobs[job].steps!.findIndex((s) => pred(s.run ?? ""));

    it("the production approval (environment)", () => {
      delete deploy().jobs.production.environment;
      assert.match(deployProblems(deploy()).join("\n"), /not deployed in the production env/);
    });

    it("the staging tests stage", () => {
      delete deploy().jobs["verify-staging"];
      deploy().jobs.production.needs = "staging";
      assert.match(deployProblems(deploy()).join("\n"), /no smoke tests against staging/);
    });

    it("prod waiting for staging's tests", () => {
      deploy().jobs.production.needs = "staging";
      assert.match(deployProblems(deploy()).join("\n"), /prod does not wait/);
    });

    it("the browser test", () => {
      const steps = deploy().jobs["verify-staging"].steps!;
      steps.splice(
        stepIndex("verify-staging", (r) => r.includes("npm run e2e")),
        1,
      );
      assert.match(deployProblems(deploy()).join("\n"), /no browser test/);
    });

    it("the browser test's browser", () => {
      delete deploy().jobs["verify-staging"].env!.CHROMIUM_PATH;
      assert.match(deployProblems(deploy()).join("\n"), /no browser for the browser test/);
    });

    it("the prod smoke tests", () => {
      prodSteps().splice(
        stepIndex("production", (r) => r.includes("smoke-test")),
        1,
      );
      assert.match(deployProblems(deploy()).join("\n"), /no smoke tests after pulumi up prod/);
    });

    it("the automatic rollback, or its condition", () => {
      const i = stepIndex("production", (r) => /rollback -- --stack prod$/.test(r.trim()));
      prodSteps()[i].if = "always()";
      assert.match(deployProblems(deploy()).join("\n"), /exactly when the smoke tests failed/);
      prodSteps().splice(i, 1);
      assert.match(deployProblems(deploy()).join("\n"), /no rollback of prod/);
    });

    it("the prod deploy", () => {
      delete deploy().jobs.production;
      assert.match(deployProblems(deploy()).join("\n"), /no pulumi up of prod/);
    });

    for (const [file, job] of [
      ["deploy.yml", "production"],
      ["deploy.yml", "staging"],
      ["preview.yml", "preview"],
    ] as const) {
      it(`the policy pack flags (${file} ${job})`, () => {
        const step = wf[file].jobs[job].steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
        delete step.with!.policyPacks;
        assert.match(policyPackProblems(file, wf[file]).join("\n"), /without --policy-pack/);
        step.with!.policyPacks = "policies";
        step.with!.policyPackConfigs = "policies/config/dev.json";
        assert.match(policyPackProblems(file, wf[file]).join("\n"), /without --policy-pack/);
      });
    }

    it("the policy pack flags on a pulumi CLI call", () => {
      const steps = deploy().jobs.staging.steps!;
      steps.push({ run: "pulumi up --yes -s staging" });
      assert.match(policyPackProblems("deploy.yml", deploy()).join("\n"), /staging without/);
      steps[steps.length - 1].run =
        "pulumi up --yes -s staging --policy-pack policies --policy-pack-config policies/config/staging.json";
      assert.deepEqual(policyPackProblems("deploy.yml", deploy()), []);
    });

    it("the preview of prod, and its pull request comment", () => {
      const preview = wf["preview.yml"].jobs.preview;
      preview.strategy!.matrix!.stack = ["staging"];
      assert.match(previewProblems(wf["preview.yml"]).join("\n"), /no pulumi preview of prod/);
      preview.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))!.with!["comment-on-pr"] =
        false;
      assert.match(previewProblems(wf["preview.yml"]).join("\n"), /not commented/);
    });

    it("a pinned action (a tag instead of a SHA)", () => {
      const text = workflowText("ci.yml").replace(
        /actions\/checkout@[0-9a-f]{40} # v[\d.]+/,
        "actions/checkout@v4",
      );
      const problems = unpinnedActions("ci.yml", parse(text) as Workflow, text);
      assert.match(problems.join("\n"), /actions\/checkout@v4 is not pinned/);
      assert.match(problems.join("\n"), /lacks a "# vX.Y.Z" comment/);
    });

    it("least permissions (write at the top, or a write no step needs)", () => {
      wf["ci.yml"].permissions = "write-all";
      assert.match(permissionProblems("ci.yml", wf["ci.yml"]).join("\n"), /exactly/);
      wf["ci.yml"].permissions = { contents: "read" };
      wf["ci.yml"].jobs.lint.permissions = { contents: "read", "id-token": "write" };
      assert.match(permissionProblems("ci.yml", wf["ci.yml"]).join("\n"), /lint: id-token/);
      delete deploy().jobs.staging.permissions;
      assert.match(
        permissionProblems("deploy.yml", deploy()).join("\n"),
        /staging: a step needs id-token: write/,
      );
    });

    it("OIDC (an access key instead of a role)", () => {
      const step = deploy().jobs.staging.steps!.find((s) =>
        s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
      )!;
      delete step.with!["role-to-assume"];
      step.with!["aws-access-key-id"] = "${{ secrets.AWS_ACCESS_KEY_ID }}";
      const problems = awsCredentialProblems("deploy.yml", deploy()).join("\n");
      assert.match(problems, /without role-to-assume/);
      assert.match(problems, /long-lived key input aws-access-key-id/);
    });

    it("the deploy concurrency (missing, cancelling, or shared by environments)", () => {
      deploy().jobs.production.concurrency = { group: "deploy-prod", "cancel-in-progress": true };
      assert.match(concurrencyProblems("deploy.yml", deploy()).join("\n"), /cancel-in-progress/);
      delete deploy().jobs.production.concurrency;
      assert.match(concurrencyProblems("deploy.yml", deploy()).join("\n"), /without a concurrency/);
    });

    it("a CI stage (image scan, coverage, secret scan, gate SARIF)", () => {
      const ci = wf["ci.yml"];
      ci.jobs.image.steps = ci.jobs.image.steps!.filter((s) => !s.uses?.includes("trivy"));
      delete ci.jobs.secrets;
      ci.jobs.gate.steps = ci.jobs.gate.steps!.filter((s) => !s.uses?.includes("upload-sarif"));
      ci.jobs.test.strategy!.matrix!.node = [24];
      delete ci.jobs.test.env!.CHROMIUM_PATH;
      const problems = ciProblems(ci).join("\n");
      assert.match(problems, /image scan failing on CRITICAL/);
      assert.match(problems, /secret scanning/);
      assert.match(problems, /gate for staging with its SARIF/);
      assert.match(problems, /Node 22 and 24/);
      assert.match(problems, /browser for the browser tests/);
    });

    it("the drill's schedule or its artifact", () => {
      const drill = wf["recovery-drill.yml"];
      drill.on.schedule = [{ cron: "0 6 * * 1" }];
      const job = drill.jobs["restore-drill"];
      job.steps = job.steps!.filter((s) => !s.uses?.startsWith("actions/upload-artifact@"));
      const problems = drillProblems(drill).join("\n");
      assert.match(problems, /no monthly schedule/);
      assert.match(problems, /always kept as an artifact/);
    });
  });
});
