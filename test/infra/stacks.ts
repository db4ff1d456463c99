import assert from "node:assert/strict";
import type { Environment } from "../../infra/config";
import {
  ofType,
  projectName,
  runProgram,
  stackConfig,
  type ProgramRun,
  type RegisteredResource,
} from "../../scripts/offline/harness";
import { AwsMocks } from "../../scripts/offline/mocks";

/**
 * The project's name, from Pulumi.yaml: the namespace of its config keys, the first word of the
 * names the program chooses, the `project` tag. A fork renames it; tests read it from here.
 */
export const project = projectName();

/** The project's config key `name`, namespaced as the CLI and the program's errors show it. */
export const configKey = (name: string) => `${project}:${name}`;

/**
 * The value the stack file gives `name` (a project key without its namespace, or `aws:region`),
 * as the CLI hands it to the program; tests compare with this, never with the starter's value.
 */
export function setting(stack: string, name: string): string {
  const value = stackConfig(stack).config[name.includes(":") ? name : configKey(name)];
  if (value === undefined) throw new Error(`Pulumi.${stack}.yaml sets no ${name}`);
  return value;
}

/** The stack's own region (`aws:region` of its stack file). */
export const regionOfStack = (stack: string) => setting(stack, "aws:region");

const runs = new Map<string, Promise<ProgramRun>>();

/** The real program run once per stack with its own stack file, shared by every spec. */
export function stackRun(stack: Environment): Promise<ProgramRun> {
  if (!runs.has(stack)) runs.set(stack, runProgram(stack));
  return runs.get(stack)!;
}

/** The one resource of `type` in the run; fails if there are none or several. */
export function one(run: ProgramRun, type: string): RegisteredResource {
  const found = ofType(run, type);
  assert.equal(found.length, 1, `one ${type}, found ${found.length}`);
  return found[0];
}

/**
 * The service's task definition and cluster: the ones its ECS service names (the role bootstrap
 * has a task definition and a cluster of its own).
 */
export function serviceTask(run: ProgramRun): RegisteredResource {
  const service = one(run, "aws:ecs/service:Service");
  return ofType(run, "aws:ecs/taskDefinition:TaskDefinition").find(
    (t) => t.outputs.arn === service.inputs.taskDefinition,
  )!;
}
export function serviceCluster(run: ProgramRun): RegisteredResource {
  const service = one(run, "aws:ecs/service:Service");
  return ofType(run, "aws:ecs/cluster:Cluster").find((c) => c.id === service.inputs.cluster)!;
}

/** The resource whose physical id is `id`. */
export const byId = (run: ProgramRun, id: unknown) => run.resources.find((r) => r.id === id)!;

/** The provider a resource is created through (`<urn>::<id>`), as a registered resource. */
export const providerOf = (run: ProgramRun, resource: RegisteredResource) =>
  run.resources.find((r) => `${r.urn}::${r.id}` === resource.provider)!;

/** The region of the provider a resource is created through. */
export const regionOf = (run: ProgramRun, resource: RegisteredResource) =>
  providerOf(run, resource).inputs.region;

/** Pulumi's wire signature of a secret value. */
const secretSignature = "4dabf18193072939515e22adb298388d";

/** The value itself, whether or not the engine got it as a secret. */
export function plain<T>(value: T): T {
  return typeof value === "object" && value !== null && secretSignature in value
    ? (value as unknown as { value: T }).value
    : value;
}

/** The value of a secret; fails if the engine did not get it as one. */
export function revealSecret(value: unknown): unknown {
  assert.ok(
    typeof value === "object" && value !== null && secretSignature in value,
    "a secret value",
  );
  return (value as unknown as { value: unknown }).value;
}

/** The id the offline mocks give the public hosted zone `name`. */
export const mockZoneId = (name: string) =>
  new AwsMocks("eu-west-1").call({
    token: "aws:route53/getZone:getZone",
    inputs: { name },
    provider: "",
  }).zoneId;

/**
 * The Route 53 zone a stack's `domainName` is looked up in: `hostedZoneName`, or else the
 * domain's parent (an apex such as example.com is its own zone), as the stack file's comment says.
 */
export function hostedZoneOf(stack: string): string {
  const { config } = stackConfig(stack);
  const domain = setting(stack, "domainName");
  return (
    config[configKey("hostedZoneName")] ??
    (domain.split(".").length > 2 ? domain.slice(domain.indexOf(".") + 1) : domain)
  );
}
