/**
 * Runs the real Pulumi program in `infra/` for one stack, with that stack's `Pulumi.<stack>.yaml`
 * as its configuration and AWS mocked (see mocks.ts), and records every resource it registers
 * exactly as the engine would receive it: type, name, inputs, parent, provider and options.
 */
import * as pulumi from "@pulumi/pulumi";
import { readFileSync, existsSync, readdirSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { parse, YAMLError } from "yaml";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { allSettings, ConfigError, formatProblems } from "../../infra/config";
import { specialArchiveSig, specialAssetSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { ProgramError, StackFileError } from "./errors";
import { AwsMocks, mockAccountId, PreviewMocks, sentinels } from "./mocks";

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

/** Where in the repository a resource was declared: the `new X(...)` that registered it. */
export interface SourceLocation {
  /** Relative to the repository root, with forward slashes: `infra/network.ts`. */
  file: string;
  line: number;
  column: number;
  /**
   * The program's own call sites that led to that line, innermost first, up to the constructor
   * of the component that made the resource: for a resource built by a helper, the call of the
   * helper, which is the line a change to that one resource edits. Empty when the line is in
   * the component's constructor itself.
   */
  calledFrom?: SourceLocation[];
}

export interface ProgramRun {
  project: string;
  stack: string;
  config: Record<string, string>;
  /**
   * Keys the stack holds encrypted, which the run gave the program's offline stand-in (a value
   * of the right shape, marked secret) since it cannot decrypt them.
   */
  standIns: string[];
  resources: RegisteredResource[];
  stackOutputs: Record<string, unknown>;
  /** By URN, for each resource declared by a line in `infra/`. */
  declaredAt: Map<string, SourceLocation>;
}

export interface RunOptions {
  /**
   * Changes to the stack file's config, as `key: value` (a key without a namespace is the
   * project's); `undefined` removes the key.
   */
  config?: Record<string, string | undefined>;
  /**
   * Values the stack holds encrypted (`pulumi config set --secret`), as `key: value`: set like
   * `config` and marked secret, as the language host marks a `secure:` value.
   */
  secrets?: Record<string, string>;
  /** Values given as `-c key=value`: applied after `config`, and blamed on the command line. */
  commandLine?: Record<string, string>;
  /**
   * The account the credentials belong to, as `aws sts get-caller-identity` would answer.
   * Default: the stack's `accountId`, as when a deployer uses the right credentials.
   */
  callerAccountId?: string;
  /**
   * Run as `pulumi preview` of a new stack: what the provider computes at creation (ids, ARNs,
   * generated names) is unknown, and so is every input derived from it. Unknowns are recorded as
   * the engine's unknown sentinel.
   */
  preview?: boolean;
  /**
   * The project's name in place of `Pulumi.yaml`'s, as in a fork that renamed it: the stack
   * file's keys without a namespace follow it, as the CLI's do.
   */
  project?: string;
}

export function projectName(): string {
  const project = readYaml("Pulumi.yaml") as { name?: unknown } | null;
  if (typeof project?.name !== "string" || project.name === "") {
    throw new StackFileError('Pulumi.yaml: "name:" is required: the project\'s name');
  }
  return project.name;
}

/** A YAML file of the repository; invalid YAML is one line with the file, line and column. */
function readYaml(name: string): unknown {
  try {
    return parse(readFileSync(join(repoRoot, name), "utf8"));
  } catch (err) {
    if (!(err instanceof YAMLError)) throw err;
    const at = err.linePos ? `:${err.linePos[0].line}:${err.linePos[0].col}` : "";
    const reason = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new StackFileError(`${name}${at}: invalid YAML: ${reason}`);
  }
}

/**
 * The config the CLI would pass for a stack: every value as a string (objects and arrays as
 * JSON), keys namespaced. Throws `StackFileError` for a stack file that is missing, empty or not
 * valid YAML, where the CLI would refuse to load it.
 */
export function stackConfig(
  stack: string,
  project = projectName(),
): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const name = `Pulumi.${stack}.yaml`;
  const file = join(repoRoot, name);
  if (!existsSync(file)) {
    throw new StackFileError(
      `${name}: file not found; the stacks here are ${stacksHere().join(", ")} ` +
        `(to add one, start from a copy of Pulumi.staging.yaml)`,
    );
  }
  const parsed = readYaml(name);
  const section = (parsed as { config?: unknown } | null)?.config;
  if (section === undefined || section === null) {
    throw new StackFileError(
      `${name}: the file is empty (no "config:" section); start from a copy of Pulumi.staging.yaml`,
    );
  }
  if (typeof section !== "object" || Array.isArray(section)) {
    throw new StackFileError(`${name}: "config:" must be a mapping of key: value lines`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(section)) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    if (value !== null && typeof value === "object" && "secure" in value) {
      // Encrypted with the stack's secrets provider, which is out of reach offline: the
      // program's own stand-in for the key (a value of the right shape), else a placeholder,
      // marked secret as the real value would be. `standIns` lets the caller say so.
      config[key] = standInFor(key, project) ?? `offline-placeholder-for-${key}`;
      secretKeys.push(key);
    } else {
      // YAML reads an unquoted 111111111111 as a number; the CLI hands the program its text.
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}

/** The stand-in infra/config/ gives a secret key of the project, if any. */
function standInFor(key: string, project: string): string | undefined {
  const name = key.startsWith(`${project}:`) ? key.slice(project.length + 1) : undefined;
  return allSettings.find((s) => s.meta.key === name)?.meta.standIn;
}

/** The policy config a stack uses: its environment's, for a review stack that names one. */
export function environmentOf(stack: string): string {
  if (!existsSync(resolve(repoRoot, `Pulumi.${stack}.yaml`))) return stack;
  return stackConfig(stack).config[`${projectName()}:environment`] ?? stack;
}

/** The stacks that have a `Pulumi.<stack>.yaml` in the repository. */
export function stacksHere(): string[] {
  return readdirSync(repoRoot)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
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
  const project = options.project ?? projectName();
  const { config, secretKeys } = stackConfig(stack, project);
  const namespaced = (rawKey: string) => (rawKey.includes(":") ? rawKey : `${project}:${rawKey}`);
  for (const [rawKey, value] of Object.entries(options.config ?? {})) {
    if (value === undefined) delete config[namespaced(rawKey)];
    else config[namespaced(rawKey)] = value;
  }
  for (const [rawKey, value] of Object.entries(options.secrets ?? {})) {
    config[namespaced(rawKey)] = value;
    if (!secretKeys.includes(namespaced(rawKey))) secretKeys.push(namespaced(rawKey));
  }
  // Encrypted keys the run did not set itself went to the program as their stand-ins.
  const standIns = secretKeys.filter((key) => config[key] === standInFor(key, project));
  const fromCommandLine = new Set<string>();
  for (const [rawKey, value] of Object.entries(options.commandLine ?? {})) {
    config[namespaced(rawKey)] = value;
    fromCommandLine.add(namespaced(rawKey));
  }
  const callerAccountId =
    options.callerAccountId ?? config[`${project}:accountId`] ?? mockAccountId;

  pulumi.runtime.setAllConfig(config, secretKeys);
  const mocks = new AwsMocks(config["aws:region"] ?? "us-east-1", callerAccountId);
  const preview = options.preview ?? false;
  await pulumi.runtime.setMocks(preview ? new PreviewMocks(mocks) : mocks, project, stack, preview);

  const registered: Pending[] = [];
  const outputsByUrn = new Map<string, Record<string, unknown>>();
  const dependsOnByResource = new Map<pulumi.Resource, unknown>();
  const declaredBy = new Map<pulumi.Resource, SourceLocation>();
  interceptMonitor(registered, outputsByUrn);

  const restoreStackTraces = skipMappingSdkStacks();
  let failure: Error | undefined;
  let stackOutputs: Record<string, unknown> = {};
  try {
    // Loaded after the mocks are in place; the program is a function, so each run starts afresh.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(join(repoRoot, "infra")) as () => Promise<Record<string, unknown>>;
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
      // Explicit `dependsOn` is merged with input dependencies on the wire; only here is it whole.
      pulumi.runtime.registerStackTransformation((args) => {
        if (args.opts.dependsOn) dependsOnByResource.set(args.resource, args.opts.dependsOn);
        // Transformations run inside the resource's constructor: the program's line is on the stack.
        const location = declaringLine(args.resource, args.opts.parent);
        if (location) declaredBy.set(args.resource, location);
        return undefined;
      });
      return program();
    });
    stackOutputs = sentinels((outputs ?? {}) as Record<string, unknown>);
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    ignoreLeftoverRejections(err);
  }
  // Wait for every registration still on the wire, as the CLI's language host does at exit.
  await pulumi.runtime.disconnect().finally(restoreStackTraces);

  const dependsOnUrns = new Map<string, string[]>();
  for (const [resource, dependsOn] of dependsOnByResource) {
    dependsOnUrns.set(await valueOf(resource.urn), await resolveUrns(dependsOn));
  }
  const declaredAt = new Map<string, SourceLocation>();
  for (const [resource, location] of declaredBy) {
    declaredAt.set(await valueOf(resource.urn), location);
  }
  const resources = registered.map((r) => toRecord(r, outputsByUrn, dependsOnUrns));
  for (const r of resources) {
    r.inputs = (await plainAssets(r.inputs)) as Record<string, unknown>;
    r.outputs = (await plainAssets(r.outputs)) as Record<string, unknown>;
  }
  if (preview) {
    for (const r of resources) {
      r.inputs = sentinels(r.inputs);
      r.outputs = sentinels(r.outputs);
    }
  }
  if (failure instanceof ConfigError) {
    const where = (key: string | undefined) =>
      key !== undefined && fromCommandLine.has(key) ? "command line (-c)" : failure.file;
    throw new ProgramError(failure, resources, formatProblems(failure.problems, where));
  }
  if (failure) throw new ProgramError(failure, resources);

  enforceDisabledDefaultProviders(config, resources);
  enforceAllowedAccounts(callerAccountId, resources);
  const stackResource = resources.find((r) => r.type === rootStackType);
  if (stackResource) stackResource.outputs = stackOutputs;
  return { project, stack, config, standIns, resources, stackOutputs, declaredAt };
}

const infraDir = join(repoRoot, "infra") + sep;

/** Where the SDK takes a stack trace for its own records, not for anyone to read. */
const sdkBookkeeping = new Set(["debuggablePromise", "callsites"]);
const sdkDir = `${sep}node_modules${sep}@pulumi${sep}pulumi${sep}`;

/**
 * The SDK takes a stack trace for every promise it makes and every resource (for leak reports and
 * the CLI's source positions, neither used offline), and ts-node's source-map-support maps each
 * frame of each through source maps: a second of a two-second program run. Until the returned
 * function is called, those traces keep V8's own frames; every other trace (the program's errors,
 * `declaringLine`) is mapped as before.
 */
function skipMappingSdkStacks(): () => void {
  const mapped = Error.prepareStackTrace;
  if (!mapped) return () => undefined;
  const skipping: typeof mapped = (error, sites) => {
    const top = sites[0];
    if (
      top &&
      sdkBookkeeping.has(top.getFunctionName() ?? "") &&
      (top.getFileName() ?? "").includes(sdkDir)
    ) {
      return `${String(error)}${sites.map((site) => `\n    at ${String(site)}`).join("")}`;
    }
    return mapped(error, sites);
  };
  Error.prepareStackTrace = skipping;
  return () => {
    // Unless something replaced it since, as a run started inside this one would have.
    if (Error.prepareStackTrace === skipping) Error.prepareStackTrace = mapped;
  };
}

/**
 * The first line in `infra/` on the stack of a resource's constructor that is not the resource's
 * own class: for a resource, the line of its `new aws.x.Y(...)`; for a component (whose class is
 * in `infra/`), the line outside its file that made it (`new Network(...)`, `Network.create(...)`).
 * Then, as `calledFrom`, the lines of `infra/` further out on the stack, up to and including the
 * one in the constructor of the resource's parent (the component that made it, directly or
 * through helpers): frames above it made the component, which has its own line.
 */
function declaringLine(
  resource: pulumi.Resource,
  parent: pulumi.Resource | undefined,
): SourceLocation | undefined {
  // The raw call sites, not the text: mapping every frame through source maps (ts-node's
  // source-map-support does, for node_modules too) would cost seconds per program run.
  const original = Error.prepareStackTrace;
  let sites: NodeJS.CallSite[] = [];
  Error.prepareStackTrace = (_error, callSites) => {
    sites = callSites;
    return "";
  };
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 100;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder);
  void holder.stack;
  Error.stackTraceLimit = limit;
  Error.prepareStackTrace = original;

  let ownFile: string | undefined;
  const frames: SourceLocation[] = [];
  for (const site of sites) {
    const path = site.getFileName() ?? "";
    // The innermost constructor of that name: a component may share its name with the class
    // of a resource it creates (LoadBalancer, aws.lb.LoadBalancer).
    if (
      ownFile === undefined &&
      site.isConstructor() &&
      site.getFunctionName() === resource.constructor.name
    )
      ownFile = path;
    if (!path.startsWith(infraDir) || path === ownFile) continue;
    // Only the program's frames, through the source map when there is one (ts-node registers its
    // own): a handful per resource.
    const text = original
      ? String(original(new Error(), [site]))
      : `(${path}:${site.getLineNumber()}:${site.getColumnNumber()})`;
    const match = /:(\d+):(\d+)\)?\s*$/.exec(text);
    if (!match) break;
    const frame = {
      file: relative(repoRoot, path).split(sep).join("/"),
      line: Number(match[1]),
      column: Number(match[2]),
    };
    const last = frames[frames.length - 1];
    // A callback on the line that calls it (`items.map((i) => new X(...))`) is one line to read.
    if (!last || last.file !== frame.file || last.line !== frame.line) frames.push(frame);
    if (site.isConstructor() && site.getFunctionName() === parent?.constructor.name) break;
  }
  if (frames.length === 0) return undefined;
  const [declaring, ...calledFrom] = frames;
  return { ...declaring, calledFrom };
}

/** Program errors already reported through `ProgramError`. */
const reported = new WeakSet<object>();
let installed = false;

/**
 * The SDK rejects more than one promise with a program's error (the stack's outputs too), and
 * nothing awaits the others: Node would crash on them with a stack trace after the error was
 * reported cleanly. The CLI's language host handles them the same way.
 */
export function ignoreLeftoverRejections(err: unknown): void {
  if (typeof err !== "object" || err === null) return;
  if (!installed) {
    process.on("unhandledRejection", (reason) => {
      if (!(typeof reason === "object" && reason !== null && reported.has(reason))) throw reason;
    });
    installed = true;
  }
  reported.add(err);
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

/**
 * What the AWS provider refuses when it starts: credentials of an account its `allowedAccountIds`
 * does not list. Nothing is created, so nothing of the other account is touched.
 */
export function enforceAllowedAccounts(
  callerAccountId: string,
  resources: RegisteredResource[],
): void {
  for (const provider of resources.filter((r) => r.type === "pulumi:providers:aws")) {
    // Provider inputs arrive JSON-encoded, as the engine passes provider config.
    const raw = provider.inputs.allowedAccountIds;
    const allowed = (typeof raw === "string" ? JSON.parse(raw) : raw) as string[] | undefined;
    if (allowed && allowed.length > 0 && !allowed.includes(callerAccountId)) {
      throw new ProgramError(
        new Error(
          `${provider.urn}: AWS account ID not allowed: ${callerAccountId} ` +
            `(allowedAccountIds: ${allowed.join(", ")}); use the credentials of the stack's ` +
            `account, or correct accountId in the stack file`,
        ),
        resources,
      );
    }
  }
}

/**
 * Assets and archives as the engine stores them: `{ <sig key>: <asset sig>, path | text | uri }`.
 * The SDK's deserialized FileAsset holds its path as a Promise, which a recorded resource must
 * not: tests clone and compare resources, and an export writes them.
 */
async function plainAssets(value: unknown): Promise<unknown> {
  const isAsset = pulumi.asset.Asset.isInstance(value);
  if (isAsset || pulumi.asset.Archive.isInstance(value)) {
    const fields = value as unknown as Record<string, unknown>;
    const plain: Record<string, unknown> = {
      [specialSigKey]: isAsset ? specialAssetSig : specialArchiveSig,
    };
    for (const key of ["path", "text", "uri", "assets"]) {
      const field = await fields[key];
      if (field !== undefined) plain[key] = await plainAssets(field);
    }
    return plain;
  }
  if (Array.isArray(value)) return Promise.all((value as unknown[]).map(plainAssets));
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await plainAssets(v)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
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
