/**
 * A bigger stack to time the gate on: a `pulumi stack export` of one stack with its resources
 * repeated, as if the program ran the same services several times over in one stack. Copy 1 is
 * the export as it is; each further copy renames every resource (its URN's name, its id) with a
 * suffix of its own, and every reference to them inside the copy with it (parent, provider,
 * dependencies, and ids and URNs inside inputs and outputs, ARNs and policy documents included),
 * so each copy refers only to itself. The stack resource stays one.
 */
import type { UntypedDeployment } from "./export";

type State = Record<string, unknown>;

const rootStackType = "pulumi:pulumi:Stack";

/**
 * Ids shorter than this are words other values use too (`none`, a name shared with a tag):
 * renaming them inside values would rename what is not a reference.
 */
const minimumIdLength = 8;

/** `deployment` with its resources `copies` times over (`copies` >= 1). */
export function scaleExport(deployment: UntypedDeployment, copies: number): UntypedDeployment {
  if (!Number.isInteger(copies) || copies < 1) throw new Error(`copies: ${copies}`);
  const states = deployment.deployment.resources as State[];
  const stack = states.filter((s) => s.type === rootStackType);
  const rest = states.filter((s) => s.type !== rootStackType);
  const resources = [...stack, ...rest];
  for (let copy = 2; copy <= copies; copy++) {
    const rename = renamer(rest, `-c${copy}`);
    resources.push(...rest.map((s) => rename(s) as State));
  }
  return { ...deployment, deployment: { ...deployment.deployment, resources } };
}

/** Renames, in any value, the URNs and ids of `states` by appending `suffix`. */
function renamer(states: State[], suffix: string): (value: unknown) => unknown {
  const urns = new Map(states.map((s) => [String(s.urn), `${String(s.urn)}${suffix}`]));
  const ids = [
    ...new Set(
      states
        .map((s) => s.id)
        .filter((id): id is string => typeof id === "string" && id.length >= minimumIdLength),
    ),
  ];
  // Longest first, so an id inside a longer one (a bucket's name in its ARN's id) is not
  // renamed on its own; and only as a whole word: `prod-db` is no part of `prod-db-proxy`.
  const idPattern =
    ids.length === 0
      ? undefined
      : new RegExp(
          `(?<![A-Za-z0-9_.-])(?:${ids
            .sort((a, b) => b.length - a.length)
            .map(escapeRegExp)
            .join("|")})(?![A-Za-z0-9_.-])`,
          "g",
        );
  const renameText = (text: string): string => {
    const urn = urns.get(text);
    if (urn !== undefined) return urn;
    // A provider reference: `<provider URN>::<provider id>`.
    const at = text.lastIndexOf("::");
    if (text.startsWith("urn:pulumi:")) {
      if (at > 0 && urns.has(text.slice(0, at))) {
        return `${urns.get(text.slice(0, at))}::${renameText(text.slice(at + 2))}`;
      }
      // The stack's URN (every copy's top resources are its children): the same in all copies.
      return text;
    }
    return idPattern ? text.replace(idPattern, (id) => `${id}${suffix}`) : text;
  };
  const rename = (value: unknown): unknown => {
    if (typeof value === "string") return renameText(value);
    if (Array.isArray(value)) return value.map(rename);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, rename(v)]));
    }
    return value;
  };
  return rename;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
