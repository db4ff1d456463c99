/**
 * Checks a stack's `policies/config/<stack>.json` (what CI passes to `--policy-pack-config`)
 * against the pack's policies and their config schemas, read in-process from
 * `policies/policies.ts`. It runs before the pack host starts, so a misspelt policy, an unknown
 * enforcement level or a wrongly typed value fails in about a second with the file, the policy and
 * what is valid, instead of as a gRPC error from inside the pack after its start-up.
 */
import type { Policies } from "@pulumi/policy";
import Ajv, { type ValidateFunction } from "ajv";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { closest } from "../../infra/config/suggestions";

export const packDir = resolve(__dirname, "..", "..", "policies");

/** The levels `--policy-pack-config` accepts, as the CLI lists them. */
export const enforcementLevels = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type Level = (typeof enforcementLevels)[number];

/** A `--policy-pack-config` file: `all` sets every policy's level; a policy's object its config. */
export type PackConfig = Record<
  string,
  Level | ({ enforcementLevel?: Level } & Record<string, unknown>)
>;

/** What the check needs of a policy: its name and the JSON schema of its config properties. */
export interface PolicySchema {
  name: string;
  configSchema?: { properties?: Record<string, object>; required?: string[] };
}

/**
 * A policy config file this check refuses; the message names the file. Stricter than the CLI in
 * one respect: the CLI ignores a name that is no policy of the pack (pulumi/pulumi v3.248.0,
 * pkg/resource/analyzer/config.go:336-371 copies it into the config, and validatePolicyPackConfig,
 * :182-207, checks the pack's policies only), so a misspelt name silently leaves the policy at its
 * default; here it is an error.
 */
export class PolicyConfigError extends Error {
  override readonly name = "PolicyConfigError";
}

/** The pack does not compile; the message carries the compiler's errors, file and line each. */
export class PackBuildError extends Error {
  override readonly name = "PackBuildError";
}

/** True when dist/ was compiled from the pack's sources as they are now (hashes every source). */
export function packIsFresh(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { isFresh } = require(join(packDir, "build.cjs")) as { isFresh(): boolean };
  return isFresh();
}

/**
 * The pack's policies, loaded in-process rather than through the pack host. `fresh`: what
 * `packIsFresh` returned, for a caller that needs it too (the gate, to start the pack).
 */
export function packPolicies(fresh = packIsFresh()): PolicySchema[] {
  // The compiled pack when it is current: transpiling the TypeScript costs a second.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { policies } = require(join(packDir, fresh ? "dist/policies" : "policies")) as {
    policies: Policies;
  };
  return policies.map((p) => ({
    name: p.name,
    configSchema: p.configSchema as PolicySchema["configSchema"],
  }));
}

/** Reads `policies/config/<stack>.json` and checks it; throws `PolicyConfigError` if it is bad. */
export function stackPolicyConfig(stack: string, policies = packPolicies()): PackConfig {
  const file = `policies/config/${stack}.json`;
  const path = join(packDir, "config", `${stack}.json`);
  if (!existsSync(path)) {
    throw new PolicyConfigError(
      `${file}: file not found; every stack needs one (start from a copy of policies/config/staging.json)`,
    );
  }
  const text = readFileSync(path, "utf8");
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    throw new PolicyConfigError(`${file}:${jsonErrorAt(text)}`);
  }
  const problems = policyConfigProblems(config, policies);
  if (problems.length > 0) {
    throw new PolicyConfigError(problems.map((p) => `${file}: ${p}`).join("\n"));
  }
  return config as PackConfig;
}

/**
 * Everything wrong with a policy config, one line each; empty when the CLI would accept it and
 * every name in it is a policy of the pack (which the CLI does not check).
 */
export function policyConfigProblems(config: unknown, policies: PolicySchema[]): string[] {
  if (!isObject(config)) return ["must be a JSON object of policy name: settings"];
  const names = policies.map((p) => p.name);
  const levelProblem = (where: string, level: unknown) =>
    (enforcementLevels as readonly unknown[]).includes(level)
      ? []
      : [
          `${where} ${JSON.stringify(level)} is not an enforcement level; ` +
            `valid: ${enforcementLevels.join(", ")}`,
        ];

  const problems: string[] = [];
  for (const [name, value] of Object.entries(config)) {
    if (name === "all") {
      const level = isObject(value) ? value.enforcementLevel : value;
      problems.push(...levelProblem("all:", level));
      continue;
    }
    const policy = policies.find((p) => p.name === name);
    if (!policy) {
      const near = closest(name, names);
      problems.push(
        `"${name}" is not a policy of the pack (the Pulumi CLI would silently ignore it); ` +
          (near ? `did you mean "${near}"?` : `policies: ${names.join(", ")}`),
      );
      continue;
    }
    if (typeof value === "string") {
      problems.push(...levelProblem(`${name}:`, value));
      continue;
    }
    if (!isObject(value)) {
      problems.push(`${name} must be an enforcement level or an object of settings`);
      continue;
    }
    const { enforcementLevel, ...properties } = value;
    if (enforcementLevel !== undefined) {
      problems.push(...levelProblem(`${name}.enforcementLevel`, enforcementLevel));
    }
    problems.push(...propertyProblems(policy, properties));
  }
  return problems;
}

/** The settings of one policy against its schema, after the schema's defaults are filled in. */
function propertyProblems(policy: PolicySchema, properties: Record<string, unknown>): string[] {
  const schema = policy.configSchema?.properties ?? {};
  const known = Object.keys(schema);
  const problems: string[] = [];
  for (const property of Object.keys(properties).filter((p) => !known.includes(p))) {
    const near = closest(property, known);
    problems.push(
      `${policy.name}.${property} is not a setting of the policy; ` +
        (known.length === 0
          ? "it takes only enforcementLevel"
          : near
            ? `did you mean ${near}?`
            : `settings: ${known.join(", ")}`),
    );
  }
  const required = policy.configSchema?.required ?? [];
  // Most policies take no settings: nothing is left to check once the unknown ones are named.
  if (known.length === 0 && required.length === 0) return problems;
  const validate = compileSettings({ type: "object", properties: schema, required });
  if (!validate(structuredClone(properties))) {
    for (const error of validate.errors ?? []) {
      if (error.keyword === "required") {
        problems.push(`${policy.name}.${String(error.params.missingProperty)} is required`);
      } else {
        const property = error.instancePath.slice(1).replace(/\//g, ".");
        problems.push(
          `${policy.name}.${property} ${error.message}, got ${JSON.stringify(error.data)}`,
        );
      }
    }
  }
  return problems;
}

let validator: Ajv | undefined;

/**
 * Compiles a schema of policy settings; its validation also fills in the schema's defaults. One
 * Ajv serves every schema (each new instance compiles JSON Schema's meta-schema again), and each
 * schema is used once, so it is not kept in Ajv's cache.
 */
export function compileSettings(schema: object): ValidateFunction {
  validator ??= new Ajv({ useDefaults: true, allErrors: true, verbose: true });
  const validate = validator.compile(schema);
  validator.removeSchema(schema);
  return validate;
}

/**
 * `line:column: invalid JSON: unexpected "x"`. Node 20's JSON.parse reports no position for most
 * errors, so the position is found as the end of the shortest prefix it rejects for a reason
 * other than ending early.
 */
export function jsonErrorAt(text: string): string {
  const incomplete = (prefix: string) => {
    try {
      JSON.parse(prefix);
      return true;
    } catch (err) {
      // Rejected only for ending where it does: "Unexpected end", or an error at its very end.
      const { message } = err as Error;
      const at = /at position (\d+)/.exec(message);
      return /Unexpected end of JSON input/.test(message) || Number(at?.[1]) >= prefix.length;
    }
  };
  let offset = text.length;
  if (!incomplete(text)) {
    let [good, bad] = [0, text.length];
    while (bad - good > 1) {
      const middle = Math.floor((good + bad) / 2);
      if (incomplete(text.slice(0, middle))) good = middle;
      else bad = middle;
    }
    offset = bad - 1;
  }
  const lines = text.slice(0, offset).split("\n");
  const what = offset < text.length ? JSON.stringify(text[offset]) : "end of file";
  return `${lines.length}:${lines[lines.length - 1].length + 1}: invalid JSON: unexpected ${what}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
