/**
 * The one helper every policy spec uses: take a compliant fixture (the real program's resources
 * for a stack, from the offline harness), change one thing, and run the gate over it through the
 * policy-pack host with that stack's `config/<stack>.json`.
 */
import {
  runProgram,
  type ProgramRun,
  type RegisteredResource,
} from "../../scripts/offline/harness";
import { AnalyzerHost, type Diagnostic } from "../../scripts/offline/policy-host";
import { stackPolicyConfig, type PackConfig } from "../../scripts/offline/policy-config";
import { valueCases } from "./value-cases";

export type Stack = "dev" | "staging" | "prod";
export type Change = (resources: RegisteredResource[]) => void;

let host: AnalyzerHost | undefined;
const runs = new Map<Stack, Promise<ProgramRun>>();

export async function startHost(): Promise<void> {
  host = await AnalyzerHost.start();
}

export async function stopHost(): Promise<void> {
  await host?.stop();
}

export function gate(): AnalyzerHost {
  if (!host) throw new Error("the policy pack host is not running (test/hooks.ts starts it)");
  return host;
}

/** Every diagnostic for the stack's resources after `change`, under that stack's config. */
export async function diagnostics(
  stack: Stack,
  change: Change = () => {},
  config: PackConfig = stackPolicyConfig(stack),
): Promise<Diagnostic[]> {
  if (!runs.has(stack)) runs.set(stack, runProgram(stack));
  const original = (await runs.get(stack)!).resources;
  const resources = structuredClone(original);
  valueCases.begin(original);
  change(resources);
  await gate().configure(config);
  const found = await gate().analyze(resources);
  await valueCases.end(
    resources,
    found,
    async (base) => {
      await gate().configure(config);
      return gate().analyze(base);
    },
    JSON.stringify(config),
  );
  return found;
}

let names: Promise<string[]> | undefined;

/**
 * The stack's config with every other policy disabled: a case about one policy need not pay
 * for the rest, and the SDK skips a disabled policy before it looks at a resource
 * (@pulumi/policy 1.21.0 server.js, makeAnalyzeRpcFun and makeAnalyzeStackRpcFun).
 */
async function onlyPolicy(policy: string, stack: Stack): Promise<PackConfig> {
  names ??= gate()
    .policies()
    .then((ps) => ps.map((p) => p.name));
  const all = await names;
  if (!all.includes(policy)) throw new Error(`the pack has no policy ${policy}`);
  const config = stackPolicyConfig(stack);
  return Object.fromEntries(
    all.map((name) => [name, name === policy ? (config[name] ?? {}) : "disabled"]),
  );
}

/** What one policy reports after `change`, under the stack's config for it. */
async function ofPolicy(policy: string, stack: Stack, change?: Change): Promise<Diagnostic[]> {
  const found = await diagnostics(stack, change, await onlyPolicy(policy, stack));
  return found.filter((d) => d.policy === policy);
}

/** The messages one policy reports after `change`. */
export async function violations(policy: string, stack: Stack, change?: Change): Promise<string[]> {
  return (await ofPolicy(policy, stack, change)).map((d) => d.message);
}

/** [level, message] of what one policy reports after `change`, under the stack's config. */
export async function reported(policy: string, stack: Stack, change?: Change): Promise<string[][]> {
  return (await ofPolicy(policy, stack, change)).map((d) => [d.level, d.message]);
}

/** The one resource of `type` (whose name ends with `nameEnd`, if given). */
export function find(
  resources: RegisteredResource[],
  type: string,
  nameEnd = "",
): RegisteredResource {
  const found = resources.filter((r) => r.type === type && r.name.endsWith(nameEnd));
  if (found.length !== 1) throw new Error(`${found.length} resources of ${type} named *${nameEnd}`);
  return found[0];
}

/** Sets a property as both input (Analyze) and output (AnalyzeStack) of the resource. */
export function set(resource: RegisteredResource, key: string, value: unknown): void {
  for (const props of [resource.inputs, resource.outputs]) {
    if (value === undefined) delete props[key];
    else props[key] = value;
  }
}

/** Adds a resource of `type` beside `sibling`, with the same parent and provider. */
export function addBeside(
  resources: RegisteredResource[],
  sibling: RegisteredResource,
  type: string,
  name: string,
  props: Record<string, unknown>,
): RegisteredResource {
  const qualified = sibling.urn.split("::")[2].split("$").slice(0, -1).concat(type).join("$");
  const added: RegisteredResource = {
    ...structuredClone(sibling),
    urn: sibling.urn.split("::").slice(0, 2).concat(qualified, name).join("::"),
    type,
    name,
    id: `${name}-id`,
    inputs: { ...props },
    outputs: { ...props, id: `${name}-id` },
    dependencies: [],
    propertyDependencies: {},
  };
  resources.push(added);
  return added;
}

export function remove(resources: RegisteredResource[], resource: RegisteredResource): void {
  resources.splice(resources.indexOf(resource), 1);
}
