/**
 * Reads a `pulumi stack export` file (deployment v3) into the resources the gate sends to the
 * pack, as the engine would from a stack's state: so a team can audit a stack that already
 * exists, whatever program made it. Values the pack's SDK cannot read from a state file are
 * turned into what the engine would send: a secret's plaintext (`--show-secrets`) into the
 * secret, an encrypted secret (out of reach offline) into an unknown secret, a resource reference
 * into its id (a component's: its URN), an output value into its value.
 */
import { readFileSync } from "node:fs";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { ExportFileError } from "./errors";
import type { RegisteredResource } from "./harness";
import { jsonErrorAt } from "./policy-config";

/** Signatures of the special values a state file can hold (pulumi/pulumi sdk/go/common/resource/sig). */
const sigKey = "4dabf18193072939515e22adb298388d";
const sig = {
  secret: "1b47061264138c4ac30d75fd1eb44270",
  asset: "c44067f5952c0a294b673a41bacd8c17",
  archive: "0def7320c3a5731c473e5ecbe6d01bc7",
  resourceReference: "5cf8f73096256a8f31e491e813e4eb8e",
  outputValue: "d0e6a833031e9bbcd3f4e8bde6ca49a4",
};

export interface StackExport {
  /** The stack and project the URNs name (the first resource's). */
  stack?: string;
  project?: string;
  resources: RegisteredResource[];
}

const expected = 'a `pulumi stack export` file: {"version": 3, "deployment": {"resources": [...]}}';

/** Reads `path`; errors name the file as `file` (as the user gave it; default `path`). */
export function readExport(path: string, file = path): StackExport {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : `cannot read it (${code})`;
    throw new ExportFileError(`${file}: ${why}; expected ${expected}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ExportFileError(`${file}:${jsonErrorAt(text)}; expected ${expected}`);
  }
  if (!isObject(parsed) || !isObject(parsed.deployment) || parsed.version === undefined) {
    throw new ExportFileError(`${file}: not a stack export; expected ${expected}`);
  }
  if (parsed.version !== 3) {
    throw new ExportFileError(
      `${file}: deployment version ${JSON.stringify(parsed.version)} is not supported; expected ` +
        "version 3 (what `pulumi stack export` writes since Pulumi 3)",
    );
  }
  const states = parsed.deployment.resources ?? [];
  if (!Array.isArray(states)) {
    throw new ExportFileError(`${file}: deployment.resources must be a list of resources`);
  }
  const problems: string[] = [];
  states.forEach((state, i) => {
    const where = `deployment.resources[${i}]`;
    if (!isObject(state)) problems.push(`${where} must be an object`);
    else if (typeof state.urn !== "string" || !/^urn:pulumi:[^:]+::[^:]+::.+::.+$/.test(state.urn))
      problems.push(
        `${where}.urn must be a resource URN (urn:pulumi:<stack>::<project>::<type>::<name>)`,
      );
    else if (typeof state.type !== "string" || state.type === "")
      problems.push(`${where}.type must be a resource type token`);
  });
  if (problems.length > 0) {
    // The first few say what is wrong; a file wrong throughout is not an export at all.
    const shown = problems.slice(0, 3).map((p) => `${file}: ${p}`);
    if (problems.length > 3) shown.push(`${file}: and ${problems.length - 3} more`);
    throw new ExportFileError(shown.join("\n"));
  }

  // Resources pending deletion are the old copies of replaced ones: not part of the stack.
  const live = (states as Record<string, unknown>[]).filter((s) => s.delete !== true);
  const [, stack, project] = /^urn:pulumi:([^:]*)::([^:]*)::/.exec(String(live[0]?.urn)) ?? [];
  const byUrn = new Map(live.map((s) => [s.urn as string, s]));
  return { stack, project, resources: live.map((s) => toResource(s, byUrn)) };
}

function toResource(
  state: Record<string, unknown>,
  byUrn: Map<string, Record<string, unknown>>,
): RegisteredResource {
  const urn = state.urn as string;
  const custom = typeof state.custom === "boolean" ? state.custom : state.id !== undefined;
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  const propertyDependencies = Object.fromEntries(
    Object.entries(isObject(state.propertyDependencies) ? state.propertyDependencies : {}).map(
      ([key, urns]) => [key, strings(urns)],
    ),
  );
  return {
    urn,
    type: state.type as string,
    name: urn.split("::").slice(3).join("::"),
    custom,
    ...(custom ? { id: typeof state.id === "string" ? state.id : "" } : {}),
    inputs: properties(state.inputs, byUrn),
    outputs: properties(state.outputs, byUrn),
    ...(typeof state.parent === "string" ? { parent: state.parent } : {}),
    ...(typeof state.provider === "string" ? { provider: state.provider } : {}),
    dependencies: strings(state.dependencies),
    propertyDependencies,
    options: {
      protect: state.protect === true,
      dependsOn: [],
      deleteBeforeReplace: false,
      retainOnDelete: state.retainOnDelete === true,
      ignoreChanges: [],
      replaceOnChanges: [],
      additionalSecretOutputs: strings(state.additionalSecretOutputs),
      aliases: strings(state.aliases),
      ...(typeof state.deletedWith === "string" ? { deletedWith: state.deletedWith } : {}),
    },
  };
}

function properties(
  value: unknown,
  byUrn: Map<string, Record<string, unknown>>,
): Record<string, unknown> {
  return isObject(value) ? (wire(value, byUrn) as Record<string, unknown>) : {};
}

/** A state value as the engine sends it to an analyzer. */
function wire(value: unknown, byUrn: Map<string, Record<string, unknown>>): unknown {
  if (Array.isArray(value)) return value.map((v) => wire(v, byUrn));
  if (!isObject(value)) return value;
  switch (value[sigKey]) {
    case undefined:
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wire(v, byUrn)]));
    case sig.secret: {
      let secret: unknown = unknownValue;
      if ("value" in value) secret = wire(value.value, byUrn);
      else if (typeof value.plaintext === "string") secret = wire(parseOr(value.plaintext), byUrn);
      return { [sigKey]: sig.secret, value: secret };
    }
    case sig.asset:
    case sig.archive:
      // The SDK rebuilds an asset from its path, text or URI; a state may keep only its hash.
      return ["path", "text", "uri", "assets"].some((k) => k in value) ? value : unknownValue;
    case sig.resourceReference: {
      const urn = String(value.urn);
      const custom = byUrn.get(urn)?.custom !== false && value.id !== undefined;
      return custom ? wire(value.id, byUrn) : urn;
    }
    case sig.outputValue: {
      const inner = "value" in value ? wire(value.value, byUrn) : unknownValue;
      return value.secret === true ? { [sigKey]: sig.secret, value: inner } : inner;
    }
    default:
      // A kind of value newer than this reader: unknown, as the pack cannot read it either.
      return unknownValue;
  }
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
