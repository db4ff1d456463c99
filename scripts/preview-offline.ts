/**
 * `npm run preview:offline -- --stack <name> [--config key=value ...] [--write-export FILE]`
 *
 * Runs the real program for a stack with AWS mocked and prints what `pulumi up` would declare:
 * the resource tree (each component with its resources counted by type) and the stack outputs.
 * `--config` (`-c`) overrides a stack-file value for this run, as `pulumi preview -c` does.
 * `--write-export` also writes the resources as a `pulumi stack export` file (deployment v3).
 * Exits 1 with the program's message when it fails (a bad config value, for example).
 */
import { writeFileSync } from "node:fs";
import { parseStackArgs, runMain } from "./offline/cli";
import { toDeployment } from "./offline/export";
import { ProgramError, runProgram, type RegisteredResource } from "./offline/harness";

const usage =
  "usage: npm run preview:offline -- --stack <name> [-c key=value ...] [--write-export FILE]";

export function renderTree(resources: RegisteredResource[]): string {
  const children = new Map<string, RegisteredResource[]>();
  for (const r of resources) {
    if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  }
  const lines: string[] = [];
  const walk = (node: RegisteredResource, indent: string) => {
    const kids = children.get(node.urn) ?? [];
    const total = countDescendants(node.urn, children);
    lines.push(`${indent}${node.type}  ${node.name}${total ? `  (${total} resources)` : ""}`);
    const counts = new Map<string, number>();
    for (const kid of kids) {
      if (children.has(kid.urn) || !kid.custom) walk(kid, `${indent}  `);
      else counts.set(kid.type, (counts.get(kid.type) ?? 0) + 1);
    }
    for (const [type, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`${indent}  ${String(count).padStart(3)} x ${type}`);
    }
  };
  for (const root of resources.filter((r) => !r.parent)) walk(root, "");
  return lines.join("\n");
}

function countDescendants(urn: string, children: Map<string, RegisteredResource[]>): number {
  return (children.get(urn) ?? []).reduce(
    (sum, kid) => sum + 1 + countDescendants(kid.urn, children),
    0,
  );
}

async function main(argv: string[]): Promise<number> {
  const args = parseStackArgs(argv, true);
  if (typeof args === "string") {
    console.error(`${args}\n${usage}`);
    return 2;
  }
  const { stack, config, writeExport } = args;

  let run;
  try {
    run = await runProgram(stack, { config });
  } catch (err) {
    if (err instanceof ProgramError) {
      console.error(`error: the program failed for stack ${stack}:\n${err.message}`);
      return 1;
    }
    throw err;
  }

  console.log(`Stack ${run.project}/${run.stack} (offline: AWS mocked, nothing deployed)\n`);
  console.log(renderTree(run.resources));
  console.log(`\n${run.resources.length} resources`);
  console.log("\nOutputs:");
  for (const [key, value] of Object.entries(run.stackOutputs)) {
    console.log(`  ${key}: ${JSON.stringify(value)}`);
  }
  if (writeExport) {
    writeFileSync(writeExport, `${JSON.stringify(toDeployment(run), null, 2)}\n`);
    console.log(`\nWrote ${writeExport} (deployment v3)`);
  }
  return 0;
}

if (require.main === module) runMain(main);
