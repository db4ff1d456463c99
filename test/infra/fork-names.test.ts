import assert from "node:assert/strict";
import { runProgram, type ProgramRun } from "../../scripts/offline/harness";

/**
 * Inputs that name a resource AWS keeps unique in an account (and region): two projects whose
 * stacks share a name must never choose the same one, or the second `pulumi up` fails (or, for
 * an alias, takes the first's over). Names left to Pulumi's auto-naming get a random suffix and
 * cannot collide; DNS names come from config and are meant to differ.
 */
const uniqueNameInputs = [
  "name",
  "alarmName",
  "dashboardName",
  "identifier",
  "policyName",
  "finalSnapshotIdentifier",
];
const notAccountUnique = new Set([
  // DNS records: the host names come from the stack file.
  "aws:route53/record:Record",
]);

function chosenNames(run: ProgramRun): Map<string, string> {
  // A name that carries an id AWS assigned (vpc-0a1b...) is unique through it.
  const assignedIds = run.resources
    .map((r) => String(r.id ?? ""))
    .filter((id) => /^[a-z]+-[0-9a-f]{8,17}$/.test(id));
  const names = new Map<string, string>();
  for (const r of run.resources) {
    if (!r.custom || r.type.startsWith("pulumi:") || notAccountUnique.has(r.type)) continue;
    const keys = [
      ...uniqueNameInputs,
      ...(r.type === "aws:ecs/taskDefinition:TaskDefinition" ? ["family"] : []),
    ];
    for (const key of keys) {
      const value = r.inputs[key];
      if (typeof value !== "string" || assignedIds.some((id) => value.includes(id))) continue;
      names.set(`${r.type} ${key}=${value}`, r.name);
    }
  }
  return names;
}

describe("two projects with the same stack names in one account", () => {
  for (const stack of ["staging", "prod"]) {
    it(`${stack}: choose no account-unique name in common`, async () => {
      const acme = chosenNames(await runProgram(stack));
      const payments = chosenNames(await runProgram(stack, { project: "payments" }));
      assert.ok(acme.size > 20, `names the stack chooses itself (${acme.size})`);
      const shared = [...acme.keys()].filter((n) => payments.has(n));
      assert.deepEqual(shared, []);
    });
  }
});
