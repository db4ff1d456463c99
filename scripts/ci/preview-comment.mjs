#!/usr/bin/env node
/**
 * Posts, or updates, one comment per stack on the pull request with the outcome of its preview,
 * whatever that outcome: pulumi/actions comments only after a successful command (v7.0.0,
 * src/main.ts:120 throws before the comment at :153-161), so a failed preview left the last
 * green comment standing. Run by preview.yml with `if: always()`.
 *
 * Environment: GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN (GitHub sets the first two),
 * PR_NUMBER, STACK, OUTCOME (the verdict step's outcome: success, failure, cancelled, skipped),
 * LOG (its output), and optionally OWN_OUTCOME and OWN_LOG (the pull request's own pack, when
 * it changes the pack), RUN_URL.
 */
/* global fetch */
import { existsSync, readFileSync } from "node:fs";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
};

/** A comment holds at most 65,536 characters: keep the end of a long log, where the verdict is. */
const tail = (text, limit = 28000) => (text.length > limit ? `…\n${text.slice(-limit)}` : text);

const readLog = (path) =>
  path && existsSync(path) ? tail(readFileSync(path, "utf8").trim()) : "(no output)";

const verdicts = {
  success: "passed",
  failure: "FAILED",
  cancelled: "was cancelled",
  skipped: "did not run (an earlier step failed)",
};

export function commentBody({ stack, outcome, log, ownOutcome, ownLog, runUrl }) {
  const marker = `<!-- acme-preview:${stack} -->`;
  const verdict = verdicts[outcome] ?? outcome;
  const lines = [
    marker,
    `### Preview of \`${stack}\` ${verdict}`,
    "",
    outcome === "success"
      ? "Judged by the base branch's policy pack and `policies/config/" + stack + ".json`."
      : "The preview did not pass: the reason is at the end of the output below. Merging is blocked until it does.",
  ];
  if (runUrl) lines.push("", `Run: ${runUrl}`);
  lines.push("", "<details><summary>Output</summary>", "", "```", log, "```", "", "</details>");
  if (ownOutcome && ownOutcome !== "skipped") {
    lines.push(
      "",
      `#### This pull request's own policy pack: ${verdicts[ownOutcome] ?? ownOutcome}`,
      "",
      "Shown for information: the verdict above is the base branch's pack's.",
      "",
      "<details><summary>Output</summary>",
      "",
      "```",
      ownLog,
      "```",
      "",
      "</details>",
    );
  }
  return { marker, body: lines.join("\n") };
}

async function github(method, path, body) {
  const response = await fetch(`${env("GITHUB_API_URL", "https://api.github.com")}${path}`, {
    method,
    headers: {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${env("GITHUB_TOKEN")}`,
      "content-type": "application/json",
      "x-github-api-version": "2022-11-28",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  }
  return response.json();
}

export async function main() {
  const repo = env("GITHUB_REPOSITORY");
  const pr = env("PR_NUMBER");
  const { marker, body } = commentBody({
    stack: env("STACK"),
    outcome: env("OUTCOME"),
    log: readLog(process.env.LOG),
    ownOutcome: process.env.OWN_OUTCOME,
    ownLog: readLog(process.env.OWN_LOG),
    runUrl: process.env.RUN_URL,
  });
  let existing;
  for (let page = 1; !existing; page++) {
    const comments = await github(
      "GET",
      `/repos/${repo}/issues/${pr}/comments?per_page=100&page=${page}`,
    );
    existing = comments.find((c) => typeof c.body === "string" && c.body.startsWith(marker));
    if (comments.length < 100) break;
  }
  if (existing) {
    await github("PATCH", `/repos/${repo}/issues/comments/${existing.id}`, { body });
  } else {
    await github("POST", `/repos/${repo}/issues/${pr}/comments`, { body });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
