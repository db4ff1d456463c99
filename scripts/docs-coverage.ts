/**
 * `npm run docs:coverage [-- --check]`
 *
 * Runs the program once per stack under mocks, finds which policy reads which property of each
 * resource type it creates (scripts/offline/coverage.ts), and writes the coverage table into
 * docs/quality-gate.md between its markers. Fails, naming each, when a stack sets a type or
 * property docs/coverage.json does not explain. `--check` writes nothing and fails when the doc's
 * table is not the one it would write.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { HELP, parseOptions, runMain } from "./offline/cli";
import {
  coverage,
  docFile,
  readDecisions,
  renderTable,
  tableIn,
  withTable,
} from "./offline/coverage";
import { runProgram, stacksHere } from "./offline/harness";
import { stackPolicyConfig } from "./offline/policy-config";

runMain(async (argv) => {
  const options = parseOptions(argv, { check: { type: "boolean", default: false } });
  if (options === HELP) {
    console.log("usage: npm run docs:coverage [-- --check]");
    return 0;
  }
  if (typeof options === "string") {
    console.error(`error: ${options}`);
    return 2;
  }
  const stacks = [];
  for (const stack of stacksHere()) {
    const run = await runProgram(stack);
    stacks.push({ stack, resources: run.resources, config: stackPolicyConfig(stack) });
  }
  const decisions = readDecisions();
  const { rows, unexplained, stale } = await coverage(stacks, decisions);
  const problems = [
    ...unexplained.map(
      (u) => `${u}: set by a stack, read by no policy, and no reason in docs/coverage.json`,
    ),
    ...stale.map((s) => `${s}: docs/coverage.json explains it, but no stack sets it any more`),
  ];
  for (const p of problems) console.error(`error: ${p}`);
  const doc = readFileSync(docFile, "utf8");
  const table = renderTable(rows, decisions);
  if (options.check) {
    if (tableIn(doc) !== table) {
      console.error(
        "error: docs/quality-gate.md's coverage table is stale: run npm run docs:coverage",
      );
      return 1;
    }
  } else {
    writeFileSync(docFile, withTable(doc, table));
  }
  return problems.length > 0 ? 1 : 0;
});
