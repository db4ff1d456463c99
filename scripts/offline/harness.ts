/**
 * Runs the real Pulumi program in `infra/` for one stack, with that stack's `Pulumi.<stack>.yaml`
 * as its configuration and AWS mocked (see mocks.ts), and records every resource it registers
 * exactly as the engine would receive it: type, name, inputs, parent, provider and options.
 */
import * as pulumi from "@pulumi/pulumi";
import { readFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AwsMocks } from "./mocks";

export const repoRoot = resolve(__dirname, "..", "..");

export interface ResourceOptionsSeen {
  protect: boolean;
  /** URNs of the resources named in `dependsOn`. */
  dependsOn: string[];
  deleteBeforeReplace: boolean;
  retainOnDelete: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  additionalSecretOutputs: string[];
  aliases: string[];
  deletedWith?: string;
}

export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** Custom resources only. */
  id?: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** URN of the parent; only the stack has none. */
  parent?: string;
  /** Provider reference (`<provider urn>::<provider id>`); empty means the default provider. */
  provider?: string;
  /** URNs this resource depends on, through `dependsOn` or through its inputs. */
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  options: ResourceOptionsSeen;
}

export interface ProgramRun {
  project: string;
  stack: string;
  config: Record<string, string>;
  resources: RegisteredResource[];
  stackOutputs: Record<string, unknown>;
}

/** The program failed (bad config, for example); `resources` is what it declared before that. */
export class ProgramError extends Error {
  constructor(
    override readonly cause: Error,
    readonly resources: RegisteredResource[],
  ) {
    super(cause.message);
    this.name = "ProgramError";
  }
}

export interface RunOptions {
  /**
   * Changes to the stack file's config, as `key: value` (a key without a namespace is the
   * project's); `undefined` removes the key.
   */
  config?: Record<string, string | undefined>;
}

export function projectName(): string {
  const project = parse(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8")) as { name: string };
  return project.name;
}

/**
 * The config the CLI would pass for a stack: every value as a string (objects and arrays as
 * JSON), keys namespaced. A stack without a file has no config, as with `pulumi stack init`.
 */
export function stackConfig(stack: string): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const project = projectName();
  const file = join(repoRoot, `Pulumi.${stack}.yaml`);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  if (!existsSync(file)) return { config, secretKeys };
  const parsed = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  for (const [rawKey, value] of Object.entries(parsed.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    if (value !== null && typeof value === "object" && "secure" in value) {
      // Encrypted with the stack's secrets provider, which is out of reach offline.
      config[key] = `offline-placeholder-for-${key}`;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}

interface Pending {
  urn: string;
  request: RegisterRequest;
  id: string;
  outputs: Record<string, unknown>;
}

/** The parts of `pulumirpc.RegisterResourceRequest` the harness reads. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): Struct;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getProvider(): string;
  getPropertydependenciesMap(): {
    forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void;
  };
  getDeletebeforereplace(): boolean;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getAliasurnsList(): string[];
  getRetainondelete(): boolean | undefined;
  getDeletedwith(): string;
}

type Callback = (err: Error | null, response?: ResponseLike) => void;
interface ResponseLike {
  getUrn(): string;
  getId(): string;
  getObject(): Struct;
}

/** Runs the program for `stack` and returns what it registered; throws `ProgramError` on failure. */
export async function runProgram(stack: string, options: RunOptions = {}): Promise<ProgramRun> {
  const project = projectName();
  const { config, secretKeys } = stackConfig(stack);
  for (const [rawKey, value] of Object.entries(options.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    if (value === undefined) delete config[key];
    else config[key] = value;
  }

  pulumi.runtime.setAllConfig(config, secretKeys);
  await pulumi.runtime.setMocks(new AwsMocks(config["aws:region"] ?? "us-east-1"), project, stack);

  const registered: Pending[] = [];
  const outputsByUrn = new Map<string, Record<string, unknown>>();
  const dependsOnByResource = new Map<pulumi.Resource, unknown>();
  interceptMonitor(registered, outputsByUrn);

  // Loaded after the mocks are in place; the program is a function, so each run starts afresh.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require(join(repoRoot, "infra")) as () => Promise<Record<string, unknown>>;
  let failure: Error | undefined;
  let stackOutputs: Record<string, unknown> = {};
  try {
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
      // Explicit `dependsOn` is merged with input dependencies on the wire; only here is it whole.
      pulumi.runtime.registerStackTransformation((args) => {
        if (args.opts.dependsOn) dependsOnByResource.set(args.resource, args.opts.dependsOn);
        return undefined;
      });
      return program();
    });
    stackOutputs = (outputs ?? {}) as Record<string, unknown>;
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  }
  // Wait for every registration still on the wire, as the CLI's language host does at exit.
  await pulumi.runtime.disconnect();

  const dependsOnUrns = new Map<string, string[]>();
  for (const [resource, dependsOn] of dependsOnByResource) {
    dependsOnUrns.set(await valueOf(resource.urn), await resolveUrns(dependsOn));
  }
  const resources = registered.map((r) => toRecord(r, outputsByUrn, dependsOnUrns));
  if (failure) throw new ProgramError(failure, resources);

  enforceDisabledDefaultProviders(config, resources);
  const stackResource = resources.find((r) => r.type === rootStackType);
  if (stackResource) stackResource.outputs = stackOutputs;
  return { project, stack, config, resources, stackOutputs };
}

/** The resources of a type, by type token such as `aws:ec2/subnet:Subnet`. */
export function ofType(
  run: { resources: RegisteredResource[] },
  type: string,
): RegisteredResource[] {
  return run.resources.filter((r) => r.type === type);
}

/**
 * Wraps the mock monitor to see each registration request and its response, and gives URNs the
 * engine's shape (the mock leaves out the grandparents' types).
 */
function interceptMonitor(
  registered: Pending[],
  outputsByUrn: Map<string, Record<string, unknown>>,
): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: RegisterRequest, cb: Callback): void;
    registerResourceOutputs(
      req: { getUrn(): string; getOutputs(): Struct },
      cb: (err: Error | null, res?: unknown) => void,
    ): void;
  };
  monitor.newUrn = (parent, type, name) => engineUrn(parent, type, name);

  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    register(req, (err, res) => {
      if (!err && res) {
        registered.push({
          urn: res.getUrn(),
          request: req,
          id: res.getId(),
          outputs: pulumi.runtime.deserializeProperties(res.getObject()),
        });
      }
      cb(err, res);
    });

  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    outputsByUrn.set(req.getUrn(), pulumi.runtime.deserializeProperties(req.getOutputs()));
    registerOutputs(req, cb);
  };
}

const rootStackType = "pulumi:pulumi:Stack";

/** `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, as the engine builds it. */
export function engineUrn(parent: string, type: string, name: string): string {
  let qualifiedType = type;
  if (parent) {
    const parentQualified = parent.split("::")[2];
    if (parentQualified !== rootStackType) qualifiedType = `${parentQualified}$${type}`;
  }
  return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualifiedType}::${name}`;
}

function toRecord(
  { urn, request: req, id, outputs }: Pending,
  outputsByUrn: Map<string, Record<string, unknown>>,
  dependsOnUrns: Map<string, string[]>,
): RegisteredResource {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, key) => {
    propertyDependencies[key] = deps.getUrnsList();
  });
  const custom = req.getCustom();
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom,
    ...(custom ? { id } : {}),
    inputs: pulumi.runtime.deserializeProperties(req.getObject()),
    outputs: custom ? outputs : (outputsByUrn.get(urn) ?? {}),
    ...(req.getParent() ? { parent: req.getParent() } : {}),
    ...(custom ? { provider: req.getProvider() } : {}),
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    options: {
      protect: req.getProtect() ?? false,
      dependsOn: dependsOnUrns.get(urn) ?? [],
      deleteBeforeReplace: req.getDeletebeforereplace(),
      retainOnDelete: req.getRetainondelete() ?? false,
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      aliases: req.getAliasurnsList(),
      ...(req.getDeletedwith() ? { deletedWith: req.getDeletedwith() } : {}),
    },
  };
}

/** What `pulumi:disable-default-providers` makes the engine refuse. */
export function enforceDisabledDefaultProviders(
  config: Record<string, string>,
  resources: RegisteredResource[],
): void {
  const disabled = JSON.parse(config["pulumi:disable-default-providers"] ?? "[]") as string[];
  const offender = resources.find(
    (r) =>
      r.custom &&
      !r.type.startsWith("pulumi:providers:") &&
      !r.provider &&
      (disabled.includes("*") || disabled.includes(r.type.split(":")[0])),
  );
  if (offender) {
    throw new ProgramError(
      new Error(
        `Default provider for '${offender.type.split(":")[0]}' disabled. ` +
          `'${offender.urn}' must use an explicit provider.`,
      ),
      resources,
    );
  }
}

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply((value) => done(value)));
}

async function resolveUrns(dependsOn: unknown): Promise<string[]> {
  const settle = (v: unknown) => (pulumi.Output.isInstance(v) ? valueOf(v) : Promise.resolve(v));
  const value = await settle(dependsOn);
  const items = await Promise.all((Array.isArray(value) ? value : [value]).map(settle));
  return Promise.all(items.filter(pulumi.Resource.isInstance).map((r) => valueOf(r.urn)));
}
