/**
 * `npm run preview:offline -- --stack <name> [-c key=value ...] [--details] [--diff EXPORT]
 *   [--write-export FILE]`
 *
 * Runs the real program for a stack with AWS mocked and prints what `pulumi up` would declare:
 * the resource tree (every resource by type and name, each component with its resource count)
 * and the stack outputs. `--config` (`-c`) overrides a stack-file value for this run, as
 * `pulumi preview -c` does. `--details` adds each resource's main inputs under its line;
 * `--diff EXPORT` compares the run with an earlier `pulumi stack export` (or `--write-export`)
 * file input by input, as `pulumi preview --diff` shows a change. `--write-export` writes the
 * resources as a `pulumi stack export` file (deployment v3). Relative paths are from where npm
 * was started (INIT_CWD), as every path the offline commands take.
 * Exits 1 with one line per problem when the run fails (a bad config value, for example).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { HELP, parseStackArgs, runMain } from "./offline/cli";
import { toDeployment } from "./offline/export";
import { runProgram, type RegisteredResource } from "./offline/harness";
import { readExport } from "./offline/read-export";
import { fromUser, userDir } from "./lib/user-paths";

const usage =
  "usage: npm run preview:offline -- --stack <name> [-c key=value ...] [--details] [--diff EXPORT] [--write-export FILE] [--verbose]";

const help = `${usage}

Runs the program for a stack with AWS mocked (no account, no Pulumi CLI) and prints the resources
\`pulumi up\` would create, by type and name under their components, and the stack outputs.

  --stack, -s NAME        the stack: Pulumi.NAME.yaml (dev, staging, prod, or one of yours)
  --config, -c KEY=VALUE  override a stack-file value for this run, as pulumi preview -c does
  --details               each resource's main inputs under its line
  --diff EXPORT           compare with an earlier export file, input by input
                          (+ create, - delete, ~ update), as pulumi preview --diff shows it
  --write-export FILE     also write the run as a pulumi stack export file (deployment v3)
  --verbose               a stack trace with an error
  --help, -h              this help

Relative paths are from the directory npm run was started in; git ignores exports/.
Exit code: 0 done, 1 the program failed (one line per problem), 2 a bad argument.`;

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

/** Inputs that say little in a listing: tags repeat on every resource. */
const quietInputs = new Set(["tags", "tagsAll"]);
const secretSigKey = "4dabf18193072939515e22adb298388d";

/** A secret, in the harness's form or an export's, as one marker: its value never printed. */
function isSecret(value: unknown): boolean {
  return typeof value === "object" && value !== null && secretSigKey in value;
}

/** A value on one line, secrets hidden, long ones cut. */
export function showValue(value: unknown, width = 100): string {
  const text =
    JSON.stringify(value, (_key, v: unknown) => (isSecret(v) ? "[secret]" : v)) ?? "undefined";
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** `key: value` lines for a resource's inputs, tags left out (they repeat everywhere). */
export function mainInputs(r: RegisteredResource): string[] {
  return Object.entries(r.inputs)
    .filter(([key, value]) => !quietInputs.has(key) && !key.startsWith("__") && value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}: ${showValue(value)}`);
}

/** The tree with each resource's main inputs under it (custom resources; components have none). */
export function renderDetails(resources: RegisteredResource[]): string {
  const byLine = new Map(resources.map((r) => [`${r.type}  ${r.name}`, r]));
  return renderTree(resources)
    .split("\n")
    .flatMap((line) => {
      const indent = /^ */.exec(line)![0];
      const r = byLine.get(line.trim().replace(/ {2}\(\d+ resources\)$/, ""));
      if (!r?.custom) return [line];
      return [line, ...mainInputs(r).map((input) => `${indent}    ${input}`)];
    })
    .join("\n");
}

/** A comparable form of a value: secrets by their content, whichever form they come in. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  if (secretSigKey in object) {
    const inner = "plaintext" in object ? JSON.parse(String(object.plaintext)) : object.value;
    return { secret: comparable(inner) };
  }
  return Object.fromEntries(
    Object.entries(object)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, comparable(v)]),
  );
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !isSecret(v);

/**
 * The changes between two values down to the property that changed (`rules[0].expiration.days`),
 * as `pulumi preview --diff` shows them: `~ path: old => new`, `+ path: value`, `- path: value`.
 */
function changeLines(path: string, a: unknown, b: unknown, out: string[]): void {
  if (same(a, b)) return;
  if (a === undefined) out.push(`    + ${path}: ${showValue(b)}`);
  else if (b === undefined) out.push(`    - ${path}: ${showValue(a)}`);
  else if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++)
      changeLines(`${path}[${i}]`, a[i], b[i], out);
  } else if (isPlain(a) && isPlain(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      changeLines(`${path}.${key}`, a[key], b[key], out);
    }
  } else if (
    typeof a === "string" &&
    typeof b === "string" &&
    isJsonDocument(a) &&
    isJsonDocument(b)
  ) {
    // A policy document or container definitions: the property inside, not one long string.
    changeLines(path, JSON.parse(a), JSON.parse(b), out);
  } else out.push(`    ~ ${path}: ${showValue(a, 200)} => ${showValue(b, 200)}`);
}

function isJsonDocument(text: string): boolean {
  if (!text.startsWith("{") && !text.startsWith("[")) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return isPlain(parsed) || Array.isArray(parsed);
  } catch {
    return false;
  }
}

const same = (a: unknown, b: unknown) =>
  JSON.stringify(comparable(a)) === JSON.stringify(comparable(b));

export interface Diff {
  text: string;
  create: number;
  update: number;
  remove: number;
  same: number;
}

/**
 * What changed from `before` (an export) to `after` (this run), by URN: `+` a resource to create,
 * `-` one to delete, `~` one to update with each changed input as `~ key: old => new` (`+`/`-` for
 * an input set or unset). Inputs are compared as the engine does for a diff; the provider's
 * version the engine records among a provider's inputs is not a change.
 */
export function diffResources(before: RegisteredResource[], after: RegisteredResource[]): Diff {
  const old = new Map(before.map((r) => [r.urn, r]));
  const now = new Map(after.map((r) => [r.urn, r]));
  const lines: string[] = [];
  let create = 0;
  let update = 0;
  let unchanged = 0;
  const label = (r: RegisteredResource) => `${r.type}  ${r.name}`;
  for (const r of after) {
    const was = old.get(r.urn);
    if (!was) {
      create++;
      lines.push(`+ ${label(r)}`);
      continue;
    }
    const keys = [...new Set([...Object.keys(was.inputs), ...Object.keys(r.inputs)])]
      .filter((k) => k !== "version" || !r.type.startsWith("pulumi:providers:"))
      .sort();
    const changes: string[] = [];
    for (const key of keys) changeLines(key, was.inputs[key], r.inputs[key], changes);
    if (changes.length === 0) {
      unchanged++;
      continue;
    }
    update++;
    lines.push(`~ ${label(r)}`, ...changes);
  }
  const gone = before.filter((r) => !now.has(r.urn));
  for (const r of gone) lines.push(`- ${label(r)}`);
  return { text: lines.join("\n"), create, update, remove: gone.length, same: unchanged };
}

async function main(argv: string[]): Promise<number> {
  const args = parseStackArgs(argv, true);
  if (args === HELP) {
    console.log(help);
    return 0;
  }
  if (typeof args === "string") {
    console.error(`${args}\n${usage}`);
    return 2;
  }
  const { stack, config, writeExport, details, diff } = args;
  // The earlier export first: a wrong path fails at once, before the program runs.
  const earlier = diff === undefined ? undefined : readExport(fromUser(diff), diff);

  const run = await runProgram(stack, { commandLine: config });

  console.log(`Stack ${run.project}/${run.stack} (offline: AWS mocked, nothing deployed)\n`);
  for (const key of run.standIns) {
    console.log(
      `${key} is encrypted in Pulumi.${run.stack}.yaml, out of reach offline: the program ` +
        `ran with its stand-in "${run.config[key]}", marked secret; pulumi up uses the real value.\n`,
    );
  }
  console.log(details ? renderDetails(run.resources) : renderTree(run.resources));
  console.log(`\n${run.resources.length} resources`);
  console.log("\nOutputs:");
  for (const [key, value] of Object.entries(run.stackOutputs)) {
    console.log(`  ${key}: ${JSON.stringify(value)}`);
  }
  if (earlier && diff !== undefined) {
    const d = diffResources(earlier.resources, run.resources);
    console.log(`\nChanges from ${diff}:`);
    if (d.text) console.log(d.text);
    console.log(
      `${d.create} to create, ${d.update} to update, ${d.remove} to delete, ${d.same} unchanged`,
    );
  }
  if (writeExport !== undefined) {
    const exportTo = fromUser(writeExport);
    mkdirSync(dirname(exportTo), { recursive: true });
    writeFileSync(exportTo, `${JSON.stringify(toDeployment(run), null, 2)}\n`);
    console.log(`\nWrote ${relative(userDir(), exportTo)} (deployment v3)`);
  }
  return 0;
}

if (require.main === module) runMain(main);
