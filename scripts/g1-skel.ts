import { writeFileSync } from "node:fs";
import { coverage } from "./offline/coverage";
import { runProgram, stacksHere } from "./offline/harness";
import { stackPolicyConfig } from "./offline/policy-config";
(async () => {
  const stacks = [];
  for (const stack of stacksHere()) {
    const run = await runProgram(stack);
    stacks.push({ stack, resources: run.resources, config: stackPolicyConfig(stack) });
  }
  const { rows } = await coverage(stacks, { shared: {}, types: {} });
  writeFileSync("/tmp/g1-rows.json", JSON.stringify(rows, null, 1));
})();
