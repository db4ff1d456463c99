/**
 * `npm run preview:offline -- --stack <name> [--config key=value ...] [--write-export FILE]`
 *
 * Runs the real program for a stack with AWS mocked and prints what `pulumi up` would declare:
 * the resource tree (every resource by type and name, each component with its resource count)
 * and the stack outputs. `--config` (`-c`) overrides a stack-file value for this run, as
 * `pulumi preview -c` does. `--write-export` also writes the resources as a `pulumi stack export`
 * file (deployment v3); a relative FILE goes under `exports/`, which git ignores.
 * Exits 1 with one line per problem when the run fails (a bad config value, for example).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { parseStackArgs, runMain } from "./offline/cli";
import { toDeployment } from "./offline/export";
import { repoRoot, runProgram, type RegisteredResource } from "./offline/harness";

const usage =
  "usage: npm run preview:offline -- --stack <name> [-c key=value ...] [--write-export FILE] [--verbose]";

/** Where a relative `--write-export` lands: inside the repository, but never committed. */
export const exportsDir = join(repoRoot, "exports");

/**
 * One line per resource, `type  name`, children indented under their parent; a resource with
 * children shows how many resources it stands for, itself included, so the stack's count is
 * the total.
 */
export function renderTree(resources: RegisteredResource[]): string {
  const children = new Map<string, RegisteredResource[]>();
  for (const r of resources) {
    if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  }
  const lines: string[] = [];
  const walk = (node: RegisteredResource, indent: string) => {
    const count = children.has(node.urn) ? `  (${countSubtree(node.urn, children)} resources)` : "";
    lines.push(`${indent}${node.type}  ${node.name}${count}`);
    const kids = [...(children.get(node.urn) ?? [])].sort(
      (a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name),
    );
    for (const kid of kids) walk(kid, `${indent}  `);
  };
  for (const root of resources.filter((r) => !r.parent)) walk(root, "");
  return lines.join("\n");
}

function countSubtree(urn: string, children: Map<string, RegisteredResource[]>): number {
  return (children.get(urn) ?? []).reduce((sum, kid) => sum + countSubtree(kid.urn, children), 1);
}

/** An absolute path as given; a relative one under `exports/`, which it may not leave. */
export function exportPath(file: string): string | undefined {
  if (isAbsolute(file)) return file;
  const path = resolve(exportsDir, file);
  const inside = relative(exportsDir, path);
  return inside === "" || inside === ".." || inside.startsWith(`..${sep}`) ? undefined : path;
}

async function main(argv: string[]): Promise<number> {
  const args = parseStackArgs(argv, true);
  if (typeof args === "string") {
    console.error(`${args}\n${usage}`);
    return 2;
  }
  const { stack, config, writeExport } = args;
  const exportTo = writeExport === undefined ? undefined : exportPath(writeExport);
  if (writeExport !== undefined && exportTo === undefined) {
    console.error(`--write-export: a relative path must stay under exports/, got "${writeExport}"`);
    return 2;
  }

  const run = await runProgram(stack, { commandLine: config });

  console.log(`Stack ${run.project}/${run.stack} (offline: AWS mocked, nothing deployed)\n`);
  console.log(renderTree(run.resources));
  console.log(`\n${run.resources.length} resources`);
  console.log("\nOutputs:");
  for (const [key, value] of Object.entries(run.stackOutputs)) {
    console.log(`  ${key}: ${JSON.stringify(value)}`);
  }
  if (exportTo) {
    mkdirSync(dirname(exportTo), { recursive: true });
    writeFileSync(exportTo, `${JSON.stringify(toDeployment(run), null, 2)}\n`);
    console.log(`\nWrote ${relative(process.cwd(), exportTo)} (deployment v3)`);
  }
  return 0;
}

if (require.main === module) runMain(main);
