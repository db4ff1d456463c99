/**
 * The gate's coverage table: for every resource type the stacks create, each property they set
 * (and each property a policy reads) with the policies that read it, or the reviewed reason none
 * does, from `docs/coverage.json`. Which policy reads what is found by running the pack
 * (./policy-reads), never written by hand. `npm run docs:coverage` writes the table into
 * docs/quality-gate.md; test/infra/coverage.test.ts fails when a stack sets a type or property
 * the table does not explain, when the doc's table is stale, or when it names a policy the pack
 * does not have.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { repoRoot, type RegisteredResource } from "./harness";
import type { PackConfig } from "./policy-config";
import { loadPolicies, policyReads, type PolicyRead } from "./policy-reads";

export const decisionsFile = join(repoRoot, "docs", "coverage.json");
export const docFile = join(repoRoot, "docs", "quality-gate.md");
export const markers = { begin: "<!-- coverage:begin -->", end: "<!-- coverage:end -->" };

/**
 * docs/coverage.json: for each type, `about` (what it is, and what it attaches to, associates or
 * changes the default of) and, per property, why no policy reads it (or a note beside the
 * policies that do). A reason of the form `@key` is the shared reason `shared[key]`.
 */
export interface Decisions {
  shared: Record<string, string>;
  types: Record<string, { about: string; properties?: Record<string, string> }>;
}

export interface Row {
  type: string;
  property: string;
  readBy: string[];
  /** Why no policy reads it; or, beside policies, what they leave to something else. */
  reason?: string;
}

/** A stack's resources and its policy config, as the gate judges them. */
export interface StackResources {
  stack: string;
  resources: RegisteredResource[];
  config: PackConfig;
}

export interface Coverage {
  rows: Row[];
  /** `type` or `type.property` the stacks set that the decisions do not explain. */
  unexplained: string[];
  /** Decisions for a type or property no stack sets and no policy reads any more. */
  stale: string[];
}

export function readDecisions(file = decisionsFile): Decisions {
  return JSON.parse(readFileSync(file, "utf8")) as Decisions;
}

const awsDir = dirname(require.resolve("@pulumi/aws/package.json"));
const inputCache = new Map<string, Set<string> | undefined>();

/**
 * The input properties of an @pulumi/aws type, from its class's constructor
 * (`resourceInputs["x"] = args?.x`); undefined for a type of another package. Outputs a
 * policy reads to follow a reference (`arn`, `id`) are not inputs, so they make no row.
 */
export function awsInputs(type: string): Set<string> | undefined {
  if (!inputCache.has(type)) {
    const [pkg, module] = type.split(":");
    const file = join(awsDir, `${module}.js`);
    inputCache.set(
      type,
      pkg === "aws" && existsSync(file)
        ? new Set(
            [
              ...readFileSync(file, "utf8").matchAll(/resourceInputs\["(\w+)"\] = args\?\.\1\b/g),
            ].map((m) => m[1]),
          )
        : undefined,
    );
  }
  return inputCache.get(type);
}

/** The rows for `stacks`, and what the decisions leave unexplained or explain needlessly. */
export async function coverage(
  stacks: StackResources[],
  decisions: Decisions = readDecisions(),
  policies = loadPolicies(),
): Promise<Coverage> {
  const set = new Map<string, Set<string>>();
  const reads: PolicyRead[] = [];
  for (const { resources, config } of stacks) {
    for (const r of resources.filter((r) => r.custom)) {
      const props = set.get(r.type) ?? new Set<string>();
      Object.keys(r.inputs).forEach((k) => props.add(k));
      set.set(r.type, props);
    }
    reads.push(...(await policyReads(resources, config, policies)));
  }
  const readBy = new Map<string, Set<string>>();
  for (const { type, property, policy } of reads) {
    if (!set.has(type) || !(set.get(type)!.has(property) || awsInputs(type)?.has(property))) {
      continue;
    }
    const key = `${type}.${property}`;
    readBy.set(key, (readBy.get(key) ?? new Set()).add(policy));
  }
  const reasonOf = (text: string | undefined) =>
    text?.startsWith("@") ? decisions.shared[text.slice(1)] : text;

  const rows: Row[] = [];
  const unexplained: string[] = [];
  for (const type of [...set.keys()].sort()) {
    const decided = decisions.types[type];
    if (!decided) unexplained.push(type);
    const properties = new Set([...set.get(type)!, ...Object.keys(decided?.properties ?? {})]);
    for (const [key] of readBy)
      if (key.startsWith(`${type}.`)) properties.add(key.slice(type.length + 1));
    for (const property of [...properties].sort()) {
      const by = [...(readBy.get(`${type}.${property}`) ?? [])].sort();
      const reason = reasonOf(decided?.properties?.[property]);
      if (by.length === 0 && !reason) unexplained.push(`${type}.${property}`);
      rows.push({ type, property, readBy: by, ...(reason ? { reason } : {}) });
    }
  }
  const stale = Object.entries(decisions.types).flatMap(([type, d]) =>
    !set.has(type)
      ? [type]
      : Object.keys(d.properties ?? {})
          .filter((p) => !set.get(type)!.has(p) && !readBy.has(`${type}.${p}`))
          .map((p) => `${type}.${p}`),
  );
  const missingShared = Object.values(decisions.types)
    .flatMap((d) => Object.values(d.properties ?? {}))
    .filter((r) => r.startsWith("@") && !(r.slice(1) in decisions.shared));
  if (missingShared.length > 0) {
    throw new Error(
      `docs/coverage.json: no shared reason ${[...new Set(missingShared)].join(", ")}; ` +
        `expected a key of "shared"`,
    );
  }
  return { rows, unexplained, stale };
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The Markdown of the table: one section per type, one row per property. */
export function renderTable(rows: Row[], decisions: Decisions = readDecisions()): string {
  const lines: string[] = [];
  for (const type of [...new Set(rows.map((r) => r.type))]) {
    const about = decisions.types[type]?.about;
    lines.push(`#### \`${type}\``, "", ...(about ? [cell(about), ""] : []));
    lines.push("| Property | Read by | Why no policy reads it, or what is left to others |");
    lines.push("| --- | --- | --- |");
    for (const r of rows.filter((row) => row.type === type)) {
      const by = r.readBy.map((p) => `\`${p}\``).join(", ") || "none";
      lines.push(`| \`${r.property}\` | ${by} | ${cell(r.reason ?? "")} |`);
    }
    lines.push("");
  }
  return lines.join("\n").trimEnd();
}

/** `doc` with the text between the coverage markers replaced by `table`. */
export function withTable(doc: string, table: string, file = "docs/quality-gate.md"): string {
  const begin = doc.indexOf(markers.begin);
  const end = doc.indexOf(markers.end);
  if (begin < 0 || end < begin) {
    throw new Error(`${file}: no "${markers.begin}" ... "${markers.end}" to put the table between`);
  }
  return `${doc.slice(0, begin + markers.begin.length)}\n${table}\n${doc.slice(end)}`;
}

/** The text between the markers, as `withTable` writes it. */
export function tableIn(doc: string): string | undefined {
  const begin = doc.indexOf(markers.begin);
  const end = doc.indexOf(markers.end);
  return begin < 0 || end < begin
    ? undefined
    : doc.slice(begin + markers.begin.length + 1, end - 1);
}
