/**
 * What the delivery pipeline must keep, as checks over the parsed workflow files. Each check
 * returns the problems it finds (empty: the rule holds), so a test can run it on the committed
 * workflows and on a copy with one thing removed, and see it fail for that reason.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../../scripts/offline/harness";

export const workflowsDir = join(repoRoot, ".github", "workflows");

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  "continue-on-error"?: boolean;
}

export interface Job {
  name?: string;
  if?: string;
  needs?: string | string[];
  "runs-on"?: unknown;
  environment?: string | { name: string; url?: string };
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; "cancel-in-progress"?: boolean } | string;
  strategy?: { matrix?: Record<string, unknown[]> };
  services?: Record<string, { image: string }>;
  env?: Record<string, unknown>;
  steps?: Step[];
}

export interface Workflow {
  name?: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: unknown;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

/** The committed workflows by file name, parsed afresh (tests mutate them). */
export function loadWorkflows(): Record<string, Workflow> {
  const out: Record<string, Workflow> = {};
  for (const file of readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f))) {
    out[file] = parse(readFileSync(join(workflowsDir, file), "utf8")) as Workflow;
  }
  return out;
}

export function workflowText(file: string): string {
  return readFileSync(join(workflowsDir, file), "utf8");
}

const steps = (job: Job): Step[] => job.steps ?? [];
const action = (step: Step): string | undefined => step.uses?.split("@")[0];
const needsOf = (job: Job): string[] =>
  job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
const environmentOf = (job: Job): string | undefined =>
  typeof job.environment === "string" ? job.environment : job.environment?.name;

/** Values a `${{ matrix.x }}` expression takes in a job, or the literal itself. */
function expand(job: Job, value: unknown): string[] {
  const text = String(value ?? "");
  const m = /^\$\{\{\s*matrix\.(\w+)\s*\}\}$/.exec(text);
  if (!m) return [text];
  return (job.strategy?.matrix?.[m[1]] ?? []).map(String);
}

/** A Pulumi operation a step runs: through pulumi/actions, or the CLI in a `run:`. */
interface PulumiOp {
  job: string;
  index: number;
  command: "up" | "preview";
  stacks: string[];
  /** `--policy-pack P --policy-pack-config P/config/<stack>.json`, P as given. */
  policyFlagsOk: boolean;
  /** The pack directory: `policies`, or `.base/policies` (the base branch's). */
  pack: string;
  /** `--target` URNs, if any. */
  target: string;
  /** The step goes on when it fails (so it decides nothing). */
  advisory: boolean;
}

/** The policy pack directories a gate may use: the checkout's, or the base branch's. */
const packDirs = ["policies", ".base/policies"];

export function pulumiOps(wf: Workflow): PulumiOp[] {
  const ops: PulumiOp[] = [];
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    steps(job).forEach((step, index) => {
      if (action(step) === "pulumi/actions") {
        const command = String(step.with?.command ?? "");
        if (command !== "up" && command !== "preview") return;
        const stackExpr = String(step.with?.["stack-name"] ?? "");
        const configExpr = String(step.with?.policyPackConfigs ?? "");
        const stacks = expand(job, stackExpr);
        const configFor = (stack: string) =>
          configExpr.replace(/\$\{\{\s*matrix\.\w+\s*\}\}/, stack).trim();
        const pack = String(step.with?.policyPacks ?? "").trim();
        ops.push({
          job: jobId,
          index,
          command,
          stacks,
          pack,
          target: String(step.with?.target ?? "").trim(),
          advisory: step["continue-on-error"] === true,
          policyFlagsOk:
            packDirs.includes(pack) &&
            stacks.length > 0 &&
            stacks.every((s) => configFor(s) === `${pack}/config/${s}.json`),
        });
      } else if (step.run) {
        for (const m of step.run.matchAll(/pulumi\s+(up|preview)\b([^\n]*)/g)) {
          const args = m[2];
          const stackExpr = /(?:-s|--stack)[ =](\$\{\{[^}]*\}\}|\S+)/.exec(args)?.[1] ?? "";
          const stacks = expand(job, stackExpr);
          const pack = /--policy-pack[ =](\S+)/.exec(args)?.[1] ?? "";
          // A value may hold an expression with spaces: `config/${{ matrix.stack }}.json`.
          const config =
            /--policy-pack-config[ =](\S*\$\{\{[^}]*\}\}\S*|\S+)/.exec(args)?.[1] ?? "";
          ops.push({
            job: jobId,
            index,
            command: m[1] as "up" | "preview",
            stacks,
            pack,
            target: /--target[ =](\S+)/.exec(args)?.[1] ?? "",
            advisory: step["continue-on-error"] === true,
            policyFlagsOk:
              packDirs.includes(pack) &&
              stacks.length > 0 &&
              stacks.every(
                (s) =>
                  config.replace(/\$\{\{\s*matrix\.\w+\s*\}\}/, s) === `${pack}/config/${s}.json`,
              ),
          });
        }
      }
    });
  }
  return ops;
}

/** Every `uses:` is a full commit SHA with a `# vX.Y.Z` comment naming the release. */
export function unpinnedActions(file: string, wf: Workflow, text: string): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    for (const step of steps(job)) {
      if (step.uses && !/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/.test(step.uses)) {
        problems.push(`${file} ${jobId}: ${step.uses} is not pinned to a 40-hex commit SHA`);
      }
    }
  }
  for (const line of text.split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l))) {
    if (!/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(line.trim())) {
      problems.push(`${file}: "${line.trim()}" lacks a "# vX.Y.Z" comment after its SHA`);
    }
  }
  return problems;
}

/**
 * The default token reads only; a job that needs more says so itself, and only what it uses:
 * `id-token: write` with AWS role assumption, `security-events: write` with a SARIF upload or
 * CodeQL, `pull-requests: write` with a comment on the pull request.
 */
export function permissionProblems(file: string, wf: Workflow): string[] {
  const problems: string[] = [];
  const top = wf.permissions;
  if (typeof top !== "object" || JSON.stringify(top) !== JSON.stringify({ contents: "read" })) {
    problems.push(`${file}: top-level permissions must be exactly {contents: read}`);
  }
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    const perms = typeof job.permissions === "object" ? job.permissions : {};
    if (typeof job.permissions === "string") {
      problems.push(`${file} ${jobId}: permissions "${job.permissions}" is not least privilege`);
    }
    const uses = steps(job).map(action);
    const codeql = uses.some((a) => a?.startsWith("github/codeql-action/"));
    const justified: Record<string, boolean> = {
      "id-token": uses.includes("aws-actions/configure-aws-credentials"),
      "security-events": codeql,
      "pull-requests": steps(job).some(
        (s) =>
          String(s.with?.["comment-on-pr"]) === "true" || /preview-comment\.mjs/.test(s.run ?? ""),
      ),
    };
    for (const [scope, level] of Object.entries(perms)) {
      if (level === "write" && !justified[scope]) {
        problems.push(`${file} ${jobId}: ${scope}: write is not needed by any step`);
      }
    }
    for (const [scope, needed] of Object.entries(justified)) {
      if (needed && perms[scope] !== "write") {
        problems.push(`${file} ${jobId}: a step needs ${scope}: write, which the job lacks`);
      }
    }
    // CodeQL's analyze and upload-sarif read the workflow run (codeql-action v4.32.2,
    // src/api-client.ts:162); in a private repository the token needs actions: read for that,
    // and the job's own permissions replace the workflow's.
    if (codeql && perms.actions !== "read") {
      problems.push(`${file} ${jobId}: a CodeQL step needs actions: read, which the job lacks`);
    }
  }
  return problems;
}

/** AWS only through OIDC role assumption: never an access key. */
export function awsCredentialProblems(file: string, wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    for (const step of steps(job)) {
      if (action(step) !== "aws-actions/configure-aws-credentials") continue;
      if (!step.with?.["role-to-assume"]) {
        problems.push(`${file} ${jobId}: configure-aws-credentials without role-to-assume`);
      }
      for (const key of ["aws-access-key-id", "aws-secret-access-key"]) {
        if (step.with?.[key]) problems.push(`${file} ${jobId}: long-lived key input ${key}`);
      }
    }
  }
  return problems;
}

/** Each job that changes an environment queues behind the previous one and is never cancelled. */
export function concurrencyProblems(file: string, wf: Workflow): string[] {
  const problems: string[] = [];
  const groups = new Map<string, string>();
  for (const op of pulumiOps(wf).filter((o) => o.command === "up")) {
    const job = wf.jobs[op.job];
    const c = job.concurrency;
    const stack = op.stacks[0];
    if (typeof c !== "object" || !c.group.includes(stack)) {
      problems.push(`${file} ${op.job}: pulumi up ${stack} without a concurrency group naming it`);
      continue;
    }
    if (c["cancel-in-progress"] !== false) {
      problems.push(`${file} ${op.job}: cancel-in-progress must be false for a deploy`);
    }
    if (groups.has(c.group) && groups.get(c.group) !== stack) {
      problems.push(`${file} ${op.job}: concurrency group ${c.group} shared by two environments`);
    }
    groups.set(c.group, stack);
  }
  return problems;
}

export function policyPackProblems(file: string, wf: Workflow): string[] {
  return pulumiOps(wf)
    .filter((op) => !op.policyFlagsOk)
    .map(
      (op) =>
        `${file} ${op.job}: pulumi ${op.command} ${op.stacks.join(",") || "?"} without ` +
        `--policy-pack policies --policy-pack-config policies/config/<stack>.json`,
    );
}

function runsScript(step: Step, script: string): boolean {
  return new RegExp(`npm run ${script}\\b`).test(step.run ?? "");
}

/** Whether job `a` needs job `b`, directly or through other jobs. */
function dependsOn(wf: Workflow, a: string, b: string, seen = new Set<string>()): boolean {
  for (const need of needsOf(wf.jobs[a] ?? {})) {
    if (need === b) return true;
    if (!seen.has(need)) {
      seen.add(need);
      if (dependsOn(wf, need, b, seen)) return true;
    }
  }
  return false;
}

/**
 * deploy.yml: up staging (with the pack) -> smoke and browser tests against staging -> the
 * `production` environment's approval -> up prod (with the pack) -> smoke tests -> rollback when
 * they fail, and only then.
 */
export function deployProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  if (!("push" in wf.on)) problems.push("deploy.yml: not triggered by a push");
  const ups = pulumiOps(wf).filter((o) => o.command === "up");
  const upStaging = ups.find((o) => o.stacks.includes("staging"));
  const upProd = ups.find((o) => o.stacks.includes("prod"));
  if (!upStaging) problems.push("deploy.yml: no pulumi up of staging");
  if (!upProd) problems.push("deploy.yml: no pulumi up of prod");
  if (!upStaging || !upProd) return problems;

  const stagingChecks = Object.entries(wf.jobs).filter(
    ([id, job]) =>
      (id === upStaging.job || dependsOn(wf, id, upStaging.job)) &&
      steps(job).some((s) => runsScript(s, "smoke-test")),
  );
  const verify = stagingChecks.find(([id]) => id !== upProd.job);
  if (!verify) {
    problems.push("deploy.yml: no smoke tests against staging after its pulumi up");
  } else {
    const [verifyId, verifyJob] = verify;
    if (!steps(verifyJob).some((s) => runsScript(s, "e2e"))) {
      problems.push(`deploy.yml ${verifyId}: no browser test (npm run e2e) against staging`);
    } else if (!verifyJob.env?.CHROMIUM_PATH) {
      problems.push(`deploy.yml ${verifyId}: no browser for the browser test (CHROMIUM_PATH)`);
    }
    if (!dependsOn(wf, upProd.job, verifyId)) {
      problems.push(`deploy.yml ${upProd.job}: prod does not wait for staging's tests`);
    }
  }

  const prod = wf.jobs[upProd.job];
  if (environmentOf(prod) !== "production") {
    problems.push(`deploy.yml ${upProd.job}: prod is not deployed in the production environment`);
  }
  const prodSteps = steps(prod);
  const smoke = prodSteps.findIndex((s, i) => i > upProd.index && runsScript(s, "smoke-test"));
  if (smoke < 0) {
    problems.push(`deploy.yml ${upProd.job}: no smoke tests after pulumi up prod`);
    return problems;
  }
  const smokeId = prodSteps[smoke].id;
  const rollback = prodSteps.findIndex(
    (s, i) => i > smoke && runsScript(s, "rollback") && /--stack prod\b/.test(s.run ?? ""),
  );
  const rollbackStep = prodSteps[rollback];
  if (!rollbackStep || /--record-current/.test(rollbackStep.run ?? "")) {
    problems.push(`deploy.yml ${upProd.job}: no rollback of prod after its smoke tests`);
  } else if (
    !smokeId ||
    !/failure\(\)/.test(rollbackStep.if ?? "") ||
    !new RegExp(`steps\\.${smokeId}\\.outcome == 'failure'`).test(rollbackStep.if ?? "")
  ) {
    problems.push(
      `deploy.yml ${upProd.job}: the rollback must run exactly when the smoke tests failed`,
    );
  }
  return problems;
}

/**
 * preview.yml: every pull request previews staging and prod, judged by the base branch's pack
 * (checked out apart, so the pull request cannot change its judge), and comments the outcome
 * whatever it is; a fork's pull request still reports the checks branch protection requires.
 */
export function previewProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  if (!("pull_request" in wf.on)) problems.push("preview.yml: not triggered by pull requests");
  const previews = pulumiOps(wf).filter((o) => o.command === "preview");
  const verdicts = previews.filter((o) => !o.advisory);
  for (const stack of ["staging", "prod"]) {
    if (!verdicts.some((o) => o.stacks.includes(stack))) {
      problems.push(`preview.yml: no pulumi preview of ${stack}`);
    }
  }
  for (const op of verdicts) {
    const job = wf.jobs[op.job];
    const jobSteps = steps(job);
    if (op.pack !== ".base/policies") {
      problems.push(
        `preview.yml ${op.job}: the verdict is not the base branch's pack (.base/policies)`,
      );
    }
    const base = jobSteps.findIndex(
      (s) =>
        action(s) === "actions/checkout" &&
        s.with?.path === ".base" &&
        /github\.event\.pull_request\.base\.sha/.test(String(s.with?.ref ?? "")),
    );
    if (base < 0 || base > op.index) {
      problems.push(`preview.yml ${op.job}: the base branch is not checked out into .base first`);
    }
    const id = jobSteps[op.index].id;
    const comment = jobSteps.find(
      (s, i) =>
        i > op.index &&
        /preview-comment\.mjs/.test(s.run ?? "") &&
        /always\(\)/.test(s.if ?? "") &&
        id !== undefined &&
        new RegExp(`steps\\.${id}\\.outcome`).test(String(s.env?.OUTCOME ?? "")),
    );
    if (!comment) {
      problems.push(
        `preview.yml ${op.job}: the preview's outcome is not commented whatever it is (if: always())`,
      );
    }
  }
  // A job skipped by `if` reports its matrix name unexpanded: the required "Preview (<stack>)"
  // checks of a fork's pull request must come from a job that runs for forks.
  const names = new Set(
    verdicts.map((o) => wf.jobs[o.job].name).filter((n): n is string => n !== undefined),
  );
  for (const name of names) {
    const fork = Object.values(wf.jobs).find(
      (j) =>
        j.name === name &&
        /head\.repo\.full_name != github\.repository/.test(String(j.if ?? "")) &&
        JSON.stringify(j.strategy?.matrix?.stack) === JSON.stringify(["staging", "prod"]),
    );
    if (!fork) problems.push(`preview.yml: no job reports "${name}" for a fork's pull request`);
  }
  return problems;
}

/** ci.yml: the build, test and security stages the pipeline needs, each as a job that can fail. */
export function ciProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  const all = Object.values(wf.jobs);
  const allSteps = all.flatMap(steps);
  const has = (what: string, ok: boolean) => ok || problems.push(`ci.yml: no ${what}`);
  has("pull_request trigger", "pull_request" in wf.on);
  has("push trigger", "push" in wf.on);
  has(
    "npm ci",
    allSteps.some((s) => /\bnpm ci\b/.test(s.run ?? "")),
  );
  has(
    "lint",
    allSteps.some((s) => /\bnpm run lint\b/.test(s.run ?? "")),
  );
  has(
    "typecheck",
    allSteps.some((s) => /\bnpm run typecheck\b/.test(s.run ?? "")),
  );
  const testJob = all.find((j) =>
    steps(j).some((s) => /c8 --check-coverage npm test/.test(s.run ?? "")),
  );
  has("tests under c8 --check-coverage", testJob !== undefined);
  if (testJob) {
    const nodes = (testJob.strategy?.matrix?.node ?? []).map(String).sort();
    has("test matrix on Node 22 and 24", JSON.stringify(nodes) === '["22","24"]');
    has(
      "PostgreSQL service for the tests",
      Object.values(testJob.services ?? {}).some((s) => s.image.startsWith("postgres:")) &&
        typeof testJob.env?.TEST_DATABASE_URL === "string",
    );
    // npm test runs the browser tests; GitHub's runners have Google Chrome, not Debian's
    // /usr/bin/chromium that scripts/e2e.ts looks for by default.
    has("browser for the browser tests (CHROMIUM_PATH)", Boolean(testJob.env?.CHROMIUM_PATH));
  }
  has(
    "dependency scan failing on high",
    allSteps.some((s) => /npm audit --audit-level=(high|critical)/.test(s.run ?? "")),
  );
  has(
    "CodeQL init",
    allSteps.some((s) => action(s) === "github/codeql-action/init"),
  );
  has(
    "CodeQL analyze",
    allSteps.some((s) => action(s) === "github/codeql-action/analyze"),
  );
  const build = allSteps.find((s) => action(s) === "docker/build-push-action");
  has(
    "Buildx image build with the GitHub Actions layer cache",
    allSteps.some((s) => action(s) === "docker/setup-buildx-action") &&
      String(build?.with?.["cache-from"]).includes("type=gha") &&
      String(build?.with?.["cache-to"]).includes("type=gha"),
  );
  const trivy = allSteps.find(
    (s) => action(s) === "aquasecurity/trivy-action" && String(s.with?.["exit-code"]) === "1",
  );
  has(
    "image scan failing on CRITICAL",
    trivy !== undefined && String(trivy.with?.severity).includes("CRITICAL"),
  );
  // Only a vulnerability with a fix can be acted on; the others are reported, failing nothing.
  has(
    "image scan failing on fixable vulnerabilities only (ignore-unfixed), with a report of the rest",
    String(trivy?.with?.["ignore-unfixed"]) === "true" &&
      allSteps.some(
        (s) =>
          action(s) === "aquasecurity/trivy-action" &&
          String(s.with?.["exit-code"]) === "0" &&
          String(s.with?.["ignore-unfixed"]) === "false" &&
          /always\(\)/.test(s.if ?? ""),
      ),
  );
  has(
    "secret scanning",
    allSteps.some((s) =>
      ["trufflesecurity/trufflehog", "gitleaks/gitleaks-action"].includes(action(s) ?? ""),
    ),
  );
  has(
    "secret scanner at a pinned version (the action's default image tag is latest)",
    allSteps
      .filter((s) => action(s) === "trufflesecurity/trufflehog")
      .every((s) => /^\d+\.\d+\.\d+$/.test(String(s.with?.version ?? ""))),
  );
  for (const stack of ["staging", "prod"]) {
    const gate = Object.values(wf.jobs).find((j) =>
      steps(j).some(
        (s) =>
          expand(j, /--stack (\$\{\{[^}]*\}\}|\S+)/.exec(s.run ?? "")?.[1]).includes(stack) &&
          /npm run gate:offline -- --stack .+ --sarif .+\.sarif/.test(s.run ?? ""),
      ),
    );
    has(
      `offline gate for ${stack} with its SARIF uploaded`,
      gate !== undefined &&
        steps(gate).some((s) => action(s) === "github/codeql-action/upload-sarif"),
    );
  }
  return problems;
}

/** recovery-drill.yml: monthly, the restore drill against staging, its timing kept. */
export function drillProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  const schedule = (wf.on.schedule as { cron: string }[] | undefined) ?? [];
  // minute hour day-of-month month day-of-week: a fixed day of every month.
  if (!schedule.some((s) => /^\S+ \S+ \d+ \* \*$/.test(s.cron))) {
    problems.push("recovery-drill.yml: no monthly schedule");
  }
  const allSteps = Object.values(wf.jobs).flatMap(steps);
  const drill = allSteps.findIndex(
    (s) => runsScript(s, "restore-drill") && /--stack staging\b/.test(s.run ?? ""),
  );
  if (drill < 0) problems.push("recovery-drill.yml: no restore drill against staging");
  const output = /--output (\S+)/.exec(allSteps[drill]?.run ?? "")?.[1];
  const upload = allSteps.find(
    (s, i) =>
      i > drill && action(s) === "actions/upload-artifact" && s.with?.path === output && s.if,
  );
  if (!output || !upload || !/always\(\)/.test(upload.if ?? "")) {
    problems.push("recovery-drill.yml: the measured time is not always kept as an artifact");
  }
  return problems;
}

/** secret-scan.yml: on a schedule, TruffleHog over the whole history at a pinned version. */
export function secretScanProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  if (!Array.isArray(wf.on.schedule) || wf.on.schedule.length === 0) {
    problems.push("secret-scan.yml: no schedule");
  }
  const job = Object.values(wf.jobs).find((j) =>
    steps(j).some((s) => action(s) === "trufflesecurity/trufflehog"),
  );
  const checkout = job && steps(job).find((s) => action(s) === "actions/checkout");
  const scan = job && steps(job).find((s) => action(s) === "trufflesecurity/trufflehog");
  // With no base and no head on a scheduled run, the action scans every commit (its action.yml).
  if (
    !scan ||
    scan.with?.base ||
    scan.with?.head ||
    String(checkout?.with?.["fetch-depth"]) !== "0"
  ) {
    problems.push("secret-scan.yml: no scan of the whole history");
  }
  if (!/^\d+\.\d+\.\d+$/.test(String(scan?.with?.version ?? ""))) {
    problems.push("secret-scan.yml: the scanner's version is not pinned");
  }
  return problems;
}

/**
 * Every `pulumi up` follows a policy-checked `pulumi preview` of the same stack (and targets) in
 * its job, one that fails the job: `up` through pulumi/actions runs with --skip-preview and the
 * engine evaluates stack policies only after every step has run (pulumi v3.248.0,
 * pkg/resource/deploy/deployment_executor.go:404-408).
 */
export function previewBeforeUpProblems(file: string, wf: Workflow): string[] {
  const ops = pulumiOps(wf);
  const problems: string[] = [];
  for (const up of ops.filter((o) => o.command === "up")) {
    const upStep = steps(wf.jobs[up.job])[up.index];
    const preview = ops.find(
      (o) =>
        o.job === up.job &&
        o.command === "preview" &&
        o.index < up.index &&
        !o.advisory &&
        o.policyFlagsOk &&
        o.pack === up.pack &&
        o.target === up.target &&
        JSON.stringify(o.stacks) === JSON.stringify(up.stacks) &&
        steps(wf.jobs[o.job])[o.index].if === upStep.if,
    );
    if (!preview) {
      problems.push(
        `${file} ${up.job}: pulumi up ${up.stacks.join(",")}${up.target ? " (targeted)" : ""} ` +
          "without a policy-checked pulumi preview of the same before it",
      );
    }
  }
  return problems;
}

const mintsAwsCredentials = (job: Job) =>
  typeof job.permissions === "object" && job.permissions["id-token"] === "write";

/**
 * A job that can mint an OIDC token for an AWS role runs no dependency's install script,
 * whatever npm the runner has: `npm ci`/`npm install` there carry --ignore-scripts.
 */
export function installScriptProblems(file: string, wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    if (!mintsAwsCredentials(job)) continue;
    for (const step of steps(job)) {
      for (const line of (step.run ?? "").split("\n")) {
        if (/\bnpm (ci|install|i)\b/.test(line) && !/--ignore-scripts\b/.test(line)) {
          problems.push(`${file} ${jobId}: "${line.trim()}" may run install scripts`);
        }
      }
    }
  }
  return problems;
}

const runsPulumi = (wf: Workflow, jobId: string) =>
  pulumiOps(wf).some((o) => o.job === jobId) ||
  steps(wf.jobs[jobId]).some((s) => action(s) === "pulumi/actions");

/** Every job that runs Pulumi can log in to Pulumi Cloud when it is the backend. */
export function pulumiTokenProblems(file: string, wf: Workflow): string[] {
  const want = "${{ secrets.PULUMI_ACCESS_TOKEN }}";
  return Object.keys(wf.jobs)
    .filter((id) => runsPulumi(wf, id))
    .filter((id) => (wf.jobs[id].env?.PULUMI_ACCESS_TOKEN ?? wf.env?.PULUMI_ACCESS_TOKEN) !== want)
    .map((id) => `${file} ${id}: runs Pulumi without PULUMI_ACCESS_TOKEN from the secrets`);
}

export const pulumiVersionFile = "${{ runner.temp }}/pulumi-version";

/**
 * The Pulumi CLI's version has one source: the SDK's in package.json. Every pulumi/actions step
 * reads the file (`pulumi-version-file`) an earlier step of its job wrote from package.json.
 */
export function pulumiVersionProblems(file: string, wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    steps(job).forEach((step, index) => {
      if (action(step) !== "pulumi/actions") return;
      if (step.with?.["pulumi-version"] !== undefined) {
        problems.push(`${file} ${jobId}: pulumi-version set by hand`);
      }
      if (step.with?.["pulumi-version-file"] !== pulumiVersionFile) {
        problems.push(`${file} ${jobId}: pulumi/actions without pulumi-version-file`);
      } else if (
        !pulumiVersionCommands({ jobs: { [jobId]: { steps: steps(job).slice(0, index) } }, on: {} })
          .length
      ) {
        problems.push(
          `${file} ${jobId}: nothing writes the CLI version file before pulumi/actions`,
        );
      }
    });
  }
  return problems;
}

/** The `run:` commands that write the CLI version file (run by the tests to see what they write). */
export function pulumiVersionCommands(wf: Workflow): string[] {
  return Object.values(wf.jobs)
    .flatMap(steps)
    .map((s) => s.run ?? "")
    .filter((run) => /> "\$RUNNER_TEMP\/pulumi-version"/.test(run));
}

/**
 * Credentials outlast the work: a job that runs `pulumi up` or the restore drill asks for two
 * hours (configure-aws-credentials' default is one: its action.yml, role-duration-seconds).
 */
export function credentialDurationProblems(file: string, wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(wf.jobs)) {
    const long =
      pulumiOps(wf).some((o) => o.job === jobId && o.command === "up") ||
      steps(job).some((s) => runsScript(s, "restore-drill"));
    if (!long) continue;
    for (const step of steps(job).filter(
      (s) => action(s) === "aws-actions/configure-aws-credentials",
    )) {
      if (!(Number(step.with?.["role-duration-seconds"]) >= 7200)) {
        problems.push(`${file} ${jobId}: credentials for less than two hours`);
      }
    }
  }
  return problems;
}

/** deploy.yml: production runs the digest staging built and tested; it builds nothing. */
export function promotionProblems(wf: Workflow): string[] {
  const problems: string[] = [];
  const ups = pulumiOps(wf).filter(
    (o) => o.command === "up" && o.stacks.includes("prod") && !o.target,
  );
  const up = ups[0];
  if (!up) return ["deploy.yml: no pulumi up of prod"];
  const prodSteps = steps(wf.jobs[up.job]);
  const configMap = String(prodSteps[up.index].with?.["config-map"] ?? "");
  if (!/imageDigest: \{value: '\$\{\{ steps\.tested\.outputs\.digest \}\}'/.test(configMap)) {
    problems.push(
      "deploy.yml production: pulumi up prod does not run staging's digest (imageDigest)",
    );
  }
  const copy = prodSteps.findIndex(
    (s) => /skopeo copy --all --preserve-digests/.test(s.run ?? "") && /\$DIGEST/.test(s.run ?? ""),
  );
  if (copy < 0 || copy > up.index) {
    problems.push(
      "deploy.yml production: the tested image is not copied (digest checked) before pulumi up",
    );
  }
  if (prodSteps.some((s) => action(s)?.startsWith("docker/"))) {
    problems.push("deploy.yml production: builds an image");
  }
  return problems;
}
