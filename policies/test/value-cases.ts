/**
 * Which policies have a failing case with a wrong value. A policy that is only ever shown an
 * absent property proves it notices absence, not that it knows which values are safe: a
 * security group rule set to 0.0.0.0/0, a retention of 1 day or a TLS policy from 2016 would
 * pass a presence check. Every case that runs the gate over a changed stack is classified by
 * what its change did to the resources (set or added a value, or only took something away), and
 * a policy counts as caught by a wrong value when, after a value change, it reports something
 * the same stack without the change does not. test/hooks.ts fails the full run when a policy
 * of the pack has no such case.
 */
import { createHash } from "node:crypto";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { RegisteredResource } from "../../scripts/offline/harness";
import type { Diagnostic } from "../../scripts/offline/policy-host";

type Kind = "value" | "missing";

/** A JSON document held in a string (container definitions, policies), parsed; else undefined. */
function document(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** What changed between `before` and `after`: each kind found, deepest first. */
function differences(before: unknown, after: unknown, kinds: Set<Kind>): void {
  if (before === after) return;
  if (after === undefined || after === null) {
    kinds.add("missing");
    return;
  }
  // A preview's unknowns are not a value a case chose.
  if (after === unknownValue) return;
  if (before === undefined || before === null) {
    kinds.add("value");
    return;
  }
  if (typeof before === "string" && typeof after === "string") {
    const [a, b] = [document(before), document(after)];
    if (a !== undefined && b !== undefined) differences(a, b, kinds);
    else kinds.add("value");
    return;
  }
  if (typeof before === "object" && typeof after === "object") {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      differences(a[key], b[key], kinds);
    }
    return;
  }
  kinds.add("value");
}

/** "value" when the change set or added anything, "missing" when it only removed. */
export function classify(
  before: RegisteredResource[],
  after: RegisteredResource[],
): Kind | undefined {
  const kinds = new Set<Kind>();
  const earlier = new Map(before.map((r) => [r.urn, r]));
  const later = new Set(after.map((r) => r.urn));
  for (const r of after) {
    const old = earlier.get(r.urn);
    if (!old) kinds.add("value");
    else {
      differences(old.inputs, r.inputs, kinds);
      differences(old.outputs, r.outputs, kinds);
    }
  }
  if (before.some((r) => !later.has(r.urn))) kinds.add("missing");
  return kinds.has("value") ? "value" : kinds.has("missing") ? "missing" : undefined;
}

class ValueCases {
  /** The resources a case's change is measured from. */
  private base: RegisteredResource[] = [];
  /** What the gate reports on a base, by its content and config. */
  private readonly baselines = new Map<string, Promise<Set<string>>>();
  /** The policies that reported something new after a change of that kind. */
  readonly caught = new Map<string, Set<Kind>>();

  begin(original: RegisteredResource[]): void {
    this.base = original;
  }

  /** Called once stand-ins have been added, so the case's own change is what is measured. */
  checkpoint(resources: RegisteredResource[]): void {
    this.base = structuredClone(resources);
  }

  /** Records which policies the change made report; `analyze` runs the gate over a copy. */
  async end(
    changed: RegisteredResource[],
    found: Diagnostic[],
    analyze: (resources: RegisteredResource[]) => Promise<Diagnostic[]>,
    config: string,
  ): Promise<void> {
    const kind = classify(this.base, changed);
    if (!kind || found.length === 0) return;
    const base = this.base;
    const key = createHash("sha256").update(JSON.stringify(base)).update(config).digest("hex");
    if (!this.baselines.has(key)) {
      const reported = analyze(structuredClone(base)).then(
        (ds) => new Set(ds.map((d) => `${d.policy}\n${d.message}`)),
      );
      this.baselines.set(key, reported);
    }
    const before = await this.baselines.get(key)!;
    for (const d of found.filter((d) => !before.has(`${d.policy}\n${d.message}`))) {
      if (!this.caught.has(d.policy)) this.caught.set(d.policy, new Set());
      this.caught.get(d.policy)!.add(kind);
    }
  }

  /** The policies among `names` that no case has caught with a wrong value. */
  withoutValueCase(names: string[]): string[] {
    return names.filter((name) => !this.caught.get(name)?.has("value")).sort();
  }
}

export const valueCases = new ValueCases();
