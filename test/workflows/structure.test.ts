import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../../scripts/offline/harness";
import {
  awsCredentialProblems,
  ciProblems,
  concurrencyProblems,
  credentialDurationProblems,
  deployProblems,
  drillProblems,
  installScriptProblems,
  loadWorkflows,
  permissionProblems,
  policyPackProblems,
  previewBeforeUpProblems,
  previewProblems,
  promotionProblems,
  pulumiTokenProblems,
  pulumiVersionProblems,
  secretScanProblems,
  unpinnedActions,
  workflowText,
  type Workflow,
} from "./rules";

const files = ["ci.yml", "deploy.yml", "preview.yml", "recovery-drill.yml", "secret-scan.yml"];

/** Every rule that applies to any workflow file. */
function commonProblems(file: string, wf: Workflow, text = workflowText(file)): string[] {
  return [
    ...unpinnedActions(file, wf, text),
    ...permissionProblems(file, wf),
    ...awsCredentialProblems(file, wf),
    ...concurrencyProblems(file, wf),
    ...policyPackProblems(file, wf),
    ...previewBeforeUpProblems(file, wf),
    ...installScriptProblems(file, wf),
    ...pulumiTokenProblems(file, wf),
    ...pulumiVersionProblems(file, wf),
    ...credentialDurationProblems(file, wf),
  ];
}

describe("workflows: structure", () => {
  let wf: Record<string, Workflow>;
  beforeEach(() => {
    wf = loadWorkflows();
  });

  it("are the five the pipeline needs", () => {
    assert.deepEqual(Object.keys(wf).sort(), files);
  });

  for (const file of files) {
    it(`${file}: pinned actions, least permissions, OIDC, per-environment concurrency, policy pack, preview before up, no install scripts with credentials, Pulumi token and version, credential duration`, () => {
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
      { staging: null, "verify-staging": "staging", production: ["staging", "verify-staging"] },
    );
    assert.deepEqual(promotionProblems(wf["deploy.yml"]), []);
  });

  it("secret-scan.yml scans the whole history on a schedule with a pinned scanner", () => {
    assert.deepEqual(secretScanProblems(wf["secret-scan.yml"]), []);
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
      deploy().jobs.production.needs = ["staging"];
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
    ] as const) {
      it(`the policy pack flags (${file} ${job})`, () => {
        const step = wf[file].jobs[job].steps!.find((s) => s.id === "up")!;
        delete step.with!.policyPacks;
        assert.match(policyPackProblems(file, wf[file]).join("\n"), /without --policy-pack/);
        step.with!.policyPacks = "policies";
        step.with!.policyPackConfigs = "policies/config/dev.json";
        assert.match(policyPackProblems(file, wf[file]).join("\n"), /without --policy-pack/);
      });
    }

    it("the policy pack flags (preview.yml preview, a CLI call)", () => {
      const step = wf["preview.yml"].jobs.preview.steps!.find((s) => s.id === "preview")!;
      step.run = step.run!.replace(
        /--policy-pack-config \S+/,
        "--policy-pack-config .base/policies/config/dev.json",
      );
      assert.match(
        policyPackProblems("preview.yml", wf["preview.yml"]).join("\n"),
        /without --policy-pack/,
      );
    });

    it("the policy pack flags on a pulumi CLI call", () => {
      const steps = deploy().jobs.staging.steps!;
      steps.push({ run: "pulumi up --yes -s staging" });
      assert.match(policyPackProblems("deploy.yml", deploy()).join("\n"), /staging without/);
      steps[steps.length - 1].run =
        "pulumi up --yes -s staging --policy-pack policies --policy-pack-config policies/config/staging.json";
      assert.deepEqual(policyPackProblems("deploy.yml", deploy()), []);
    });

    it("the preview of prod, and its pull request comment whatever the outcome", () => {
      const preview = wf["preview.yml"].jobs.preview;
      preview.strategy!.matrix!.stack = ["staging"];
      assert.match(previewProblems(wf["preview.yml"]).join("\n"), /no pulumi preview of prod/);
      preview.steps!.find((s) => /preview-comment/.test(s.run ?? ""))!.if = "success()";
      assert.match(previewProblems(wf["preview.yml"]).join("\n"), /not commented whatever it is/);
    });

    it("the base branch's pack as the judge", () => {
      const preview = wf["preview.yml"].jobs.preview;
      const verdict = preview.steps!.find((s) => s.id === "preview")!;
      verdict.run = verdict.run!.replaceAll(".base/policies", "policies");
      assert.match(previewProblems(wf["preview.yml"]).join("\n"), /not the base branch's pack/);
      preview.steps = preview.steps!.filter((s) => s.with?.path !== ".base");
      assert.match(previewProblems(wf["preview.yml"]).join("\n"), /base branch is not checked out/);
    });

    it("the checks a fork's pull request reports", () => {
      delete wf["preview.yml"].jobs.fork;
      assert.match(
        previewProblems(wf["preview.yml"]).join("\n"),
        /no job reports "Preview \(\$\{\{ matrix.stack \}\}\)" for a fork/,
      );
    });

    it("the policy-checked preview before each up", () => {
      const steps = deploy().jobs.staging.steps!;
      const i = steps.findIndex((s) => s.with?.command === "preview");
      steps[i].with!.policyPacks = "";
      assert.match(
        previewBeforeUpProblems("deploy.yml", deploy()).join("\n"),
        /staging: pulumi up staging without a policy-checked pulumi preview/,
      );
      steps.splice(i, 1);
      const prod = deploy().jobs.production.steps!;
      prod.splice(
        prod.findIndex((s) => s.with?.command === "preview" && s.with?.target),
        1,
      );
      assert.match(
        previewBeforeUpProblems("deploy.yml", deploy()).join("\n"),
        /production: pulumi up prod \(targeted\) without/,
      );
    });

    it("install scripts in a job that can assume an AWS role", () => {
      const step = deploy().jobs.staging.steps!.find((s) => /npm ci/.test(s.run ?? ""))!;
      step.run = "npm ci --no-audit --no-fund";
      assert.match(
        installScriptProblems("deploy.yml", deploy()).join("\n"),
        /may run install scripts/,
      );
    });

    it("the Pulumi Cloud token, the CLI version's one source, the credentials' duration", () => {
      delete deploy().env!.PULUMI_ACCESS_TOKEN;
      assert.match(
        pulumiTokenProblems("deploy.yml", deploy()).join("\n"),
        /staging: runs Pulumi without/,
      );
      const up = deploy().jobs.staging.steps!.find((s) => s.id === "up")!;
      up.with!["pulumi-version"] = "3.248.0";
      assert.match(pulumiVersionProblems("deploy.yml", deploy()).join("\n"), /set by hand/);
      deploy().jobs.staging.steps = deploy().jobs.staging.steps!.filter(
        (s) => !/pulumi-version"$/.test(s.run ?? ""),
      );
      assert.match(pulumiVersionProblems("deploy.yml", deploy()).join("\n"), /nothing writes/);
      const creds = deploy().jobs.production.steps!.find((s) =>
        s.uses?.startsWith("aws-actions/configure-aws-credentials@"),
      )!;
      delete creds.with!["role-duration-seconds"];
      assert.match(
        credentialDurationProblems("deploy.yml", deploy()).join("\n"),
        /production: credentials for less than two hours/,
      );
    });

    it("the promotion of staging's digest to prod", () => {
      const prod = deploy().jobs.production.steps!;
      delete prod.find((s) => s.id === "up")!.with!["config-map"];
      prod.splice(
        prod.findIndex((s) => /skopeo copy/.test(s.run ?? "")),
        1,
      );
      prod.push({ uses: "docker/build-push-action@x" });
      const problems = promotionProblems(deploy()).join("\n");
      assert.match(problems, /does not run staging's digest/);
      assert.match(problems, /not copied/);
      assert.match(problems, /builds an image/);
    });

    it("the full-history secret scan", () => {
      const scan = wf["secret-scan.yml"];
      delete scan.on.schedule;
      scan.jobs.secrets.steps!.find((s) => s.uses?.startsWith("trufflesecurity/"))!.with!.version =
        "latest";
      const problems = secretScanProblems(scan).join("\n");
      assert.match(problems, /no schedule/);
      assert.match(problems, /not pinned/);
    });

    it("CodeQL's and the SARIF upload's actions: read", () => {
      delete (wf["ci.yml"].jobs.gate.permissions as Record<string, string>).actions;
      assert.match(
        permissionProblems("ci.yml", wf["ci.yml"]).join("\n"),
        /gate: a CodeQL step needs actions: read/,
      );
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
      const scan = ci.jobs.image.steps!.find((s) => s.with?.["exit-code"] === "1")!;
      scan.with!["ignore-unfixed"] = false;
      assert.match(ciProblems(ci).join("\n"), /fixable vulnerabilities only/);
      ci.jobs.secrets.steps!.find((s) => s.uses?.startsWith("trufflesecurity/"))!.with!.version =
        "latest";
      assert.match(ciProblems(ci).join("\n"), /secret scanner at a pinned version/);
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
