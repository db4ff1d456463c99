/**
 * Runs the policy pack as `pulumi preview --policy-pack` does: in its own process, started by
 * @pulumi/pulumi's policy-pack host, spoken to over the analyzer gRPC protocol. The CLI's part is
 * played here: an engine endpoint for the pack's log messages, GetAnalyzerInfo, the policy
 * config reconciled from the pack's schemas and a `--policy-pack-config` file, then Configure,
 * Analyze per resource and AnalyzeStack.
 */
import * as grpc from "@grpc/grpc-js";
import * as analyzerrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineproto from "@pulumi/pulumi/proto/engine_pb";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { RegisteredResource } from "./harness";
import {
  compileSettings,
  PackBuildError,
  packDir,
  packIsFresh,
  policyConfigProblems,
  PolicyConfigError,
  type Level,
  type PackConfig,
} from "./policy-config";

/** `pulumirpc.EnforcementLevel`, by number. */
const levels: Level[] = ["advisory", "mandatory", "disabled", "remediate"];

export interface Diagnostic {
  /** The policy pack and its version, as `PulumiPolicy.yaml`'s pack declares them. */
  pack: string;
  packVersion: string;
  policy: string;
  level: Level;
  /** What the policy reported, without the description the SDK puts before it. */
  message: string;
  urn: string;
}

export interface PolicyListing {
  name: string;
  level: Level;
  description: string;
}

export interface PackListing {
  name: string;
  version: string;
  policies: PolicyListing[];
}

export class AnalyzerHost {
  private constructor(
    private readonly packProcess: ChildProcess,
    private readonly engine: grpc.Server,
    private readonly client: analyzerrpc.AnalyzerClient,
    /** Messages the pack logged through the engine. */
    readonly logs: string[],
  ) {}

  /**
   * Starts the pack and connects to it; compiles it first if its sources changed since the last
   * build (policies/build.cjs), so that the host loads the compiled pack rather than type-checking
   * the TypeScript at start. Aborting `signal` kills the pack while it starts, for a run that
   * failed before it was needed.
   */
  static start(signal?: AbortSignal): Promise<AnalyzerHost> {
    return AnalyzerHost.launch(signal).host;
  }

  /**
   * Starts a pack installed elsewhere (a published pack unpacked and `npm install`ed), as the CLI
   * does: its own node_modules' policy host, in its directory, with nothing built first.
   */
  static startInstalled(dir: string): Promise<AnalyzerHost> {
    return AnalyzerHost.connect(() => {}, undefined, true, dir);
  }

  /**
   * `start`, for a caller about to keep the event loop busy (running the program): `launched`
   * settles once the pack's process, or the build before it, is running, so the pack starts
   * alongside that work rather than after it; `host` settles once the pack is connected.
   * `packFresh`: what `packIsFresh` returned, for a caller that has just asked (else asked here).
   */
  static launch(
    signal?: AbortSignal,
    packFresh?: boolean,
  ): { launched: Promise<void>; host: Promise<AnalyzerHost> } {
    let markLaunched = () => {};
    const launched = new Promise<void>((done) => (markLaunched = done));
    const host = AnalyzerHost.connect(markLaunched, signal, packFresh).finally(markLaunched);
    return { launched, host };
  }

  private static async connect(
    onSpawn: () => void,
    signal?: AbortSignal,
    packFresh?: boolean,
    installedDir?: string,
  ): Promise<AnalyzerHost> {
    await buildPack(onSpawn, signal, packFresh);
    const logs: string[] = [];
    const engine = new grpc.Server();
    engine.addService(enginerpc.EngineService, {
      log: (
        call: grpc.ServerUnaryCall<engineproto.LogRequest, Empty>,
        done: grpc.sendUnaryData<Empty>,
      ) => {
        logs.push(call.request.getMessage());
        done(null, new Empty());
      },
      getRootResource: (
        _call: unknown,
        done: grpc.sendUnaryData<engineproto.GetRootResourceResponse>,
      ) => done(null, new engineproto.GetRootResourceResponse()),
      setRootResource: (
        _call: unknown,
        done: grpc.sendUnaryData<engineproto.SetRootResourceResponse>,
      ) => done(null, new engineproto.SetRootResourceResponse()),
    });
    const enginePort = await new Promise<number>((ok, fail) =>
      engine.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? fail(err) : ok(port),
      ),
    );

    const hostScript = require.resolve(
      "@pulumi/pulumi/cmd/run-policy-pack",
      installedDir === undefined ? undefined : { paths: [installedDir] },
    );
    const pack = spawn(process.execPath, [hostScript, `127.0.0.1:${enginePort}`, "."], {
      cwd: installedDir ?? packDir,
      stdio: ["ignore", "pipe", "pipe"],
      signal,
    });
    running.add(pack);
    onSpawn();
    pack.once("exit", () => running.delete(pack));
    let stderr = "";
    pack.stderr!.on("data", (chunk) => (stderr += chunk));
    const port = await new Promise<string>((ok, fail) => {
      const lines = createInterface({ input: pack.stdout! });
      lines.once("line", (line) => ok(line.trim()));
      pack.once("error", fail);
      pack.once("exit", (code) => fail(new Error(`policy pack exited with ${code}:\n${stderr}`)));
    }).catch((err: unknown) => {
      engine.forceShutdown();
      throw err;
    });
    if (!/^\d+$/.test(port)) throw new Error(`policy pack printed "${port}" instead of a port`);

    const client = new analyzerrpc.AnalyzerClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
    );
    return new AnalyzerHost(pack, engine, client, logs);
  }

  /** Stops the pack and returns once it has exited. */
  async stop(): Promise<void> {
    this.client.close();
    const exited =
      this.packProcess.exitCode !== null || this.packProcess.signalCode !== null
        ? Promise.resolve()
        : new Promise((done) => this.packProcess.once("exit", done));
    this.packProcess.kill();
    await Promise.all([exited, new Promise((done) => this.engine.tryShutdown(done))]);
  }

  /** The pack's process id, for checking that it ended. */
  get pid(): number | undefined {
    return this.packProcess.pid;
  }

  /** The pack's policies with their declared enforcement levels. */
  async policies(): Promise<PolicyListing[]> {
    return (await this.pack()).policies;
  }

  /** The pack's name and version, and its policies. */
  async pack(): Promise<PackListing> {
    const info = await this.info();
    return {
      name: info.getName(),
      version: info.getVersion(),
      policies: info.getPoliciesList().map((p) => ({
        name: p.getName(),
        level: levels[p.getEnforcementlevel()],
        description: p.getDescription(),
      })),
    };
  }

  /**
   * Sends the policy config the CLI would for `--policy-pack-config <file>`: schema defaults, the
   * pack's initial config, then the file, validated against each policy's schema. `validated`:
   * the config already passed that check against this pack (`stackPolicyConfig` did it).
   */
  async configure(
    packConfig: PackConfig = {},
    { validated = false }: { validated?: boolean } = {},
  ): Promise<void> {
    const info = await this.info();
    const problems = validated
      ? []
      : policyConfigProblems(
          packConfig,
          info.getPoliciesList().map((p) => {
            const schema = p.getConfigschema();
            return {
              name: p.getName(),
              configSchema: schema && {
                properties: schema.getProperties()?.toJavaScript() as Record<string, object>,
                required: schema.getRequiredList(),
              },
            };
          }),
        );
    if (problems.length > 0) throw new PolicyConfigError(`policy config: ${problems.join("; ")}`);

    const request = new analyzerproto.ConfigureAnalyzerRequest();
    for (const policy of info.getPoliciesList()) {
      const name = policy.getName();
      const initial = info.getInitialconfigMap().get(name);
      const fromFile = packConfig[name];
      const { enforcementLevel: fileLevel, ...fileProps } =
        typeof fromFile === "string" ? { enforcementLevel: fromFile } : (fromFile ?? {});
      const all =
        typeof packConfig.all === "string" ? packConfig.all : packConfig.all?.enforcementLevel;
      const level =
        fileLevel ??
        all ??
        (initial ? levels[initial.getEnforcementlevel()] : levels[policy.getEnforcementlevel()]);

      const properties = {
        ...((initial?.getProperties()?.toJavaScript() as Record<string, unknown>) ?? {}),
        ...fileProps,
      };
      const schema = policy.getConfigschema()?.getProperties()?.toJavaScript();
      if (schema && Object.keys(schema).length > 0) {
        // Fills the schema's defaults into `properties`, as the CLI does before Configure.
        compileSettings({ type: "object", properties: schema })(properties);
      }
      const config = new analyzerproto.PolicyConfig();
      config.setEnforcementlevel(levels.indexOf(level) as analyzerproto.EnforcementLevel);
      config.setProperties(Struct.fromJavaScript(properties as Record<string, never>));
      request.getPolicyconfigMap().set(name, config);
    }
    await this.call<Empty>((done) => this.client.configure(request, done));
  }

  /**
   * Analyze for each resource (its inputs) and AnalyzeStack over all (their outputs). Takes the
   * resources, or their requests already encoded by `encodeAnalysis` (as the gate does while the
   * pack starts).
   */
  async analyze(input: RegisteredResource[] | AnalysisRequests): Promise<Diagnostic[]> {
    const requests = Array.isArray(input) ? encodeAnalysis(input) : input;
    const send = (method: "analyze" | "analyzeStack", request: Buffer) =>
      this.call<analyzerproto.AnalyzeResponse>((done) =>
        this.client.makeUnaryRequest(
          analyzerrpc.AnalyzerService[method].path,
          (encoded: Buffer) => encoded,
          analyzerrpc.AnalyzerService[method].responseDeserialize,
          request,
          done,
        ),
      );
    // All at once, as the engine does: the pack answers each request as it comes.
    const perResource = await Promise.all(
      requests.perResource.map(async ({ urn, request }) =>
        // Analyze answers for the resource it was asked about, so its diagnostics carry no URN.
        (await send("analyze", request))
          .getDiagnosticsList()
          .map((d) => ({ ...toDiagnostic(d), urn })),
      ),
    );
    // AnalyzeStack goes once every Analyze is answered, as the engine sends it after the resources.
    const response = await send("analyzeStack", requests.stack);
    return [...perResource.flat(), ...response.getDiagnosticsList().map(toDiagnostic)];
  }

  private info(): Promise<analyzerproto.AnalyzerInfo> {
    return this.call((done) => this.client.getAnalyzerInfo(new Empty(), done));
  }

  private call<T>(
    invoke: (done: (err: grpc.ServiceError | null, value?: T) => void) => void,
  ): Promise<T> {
    return new Promise((ok, fail) => invoke((err, value) => (err ? fail(err) : ok(value as T))));
  }
}

/** Pack processes this process started and has not seen exit. */
const running = new Set<ChildProcess>();
// However this process ends (an error, process.exit, a signal turned into an exit), its packs end
// with it: a pack host left behind would hold its port and memory until killed by hand.
process.on("exit", () => {
  for (const pack of running) pack.kill("SIGKILL");
});

/**
 * Compiles the pack when dist/ is missing or older than its sources (a type error fails here).
 * `fresh`: what `packIsFresh` returned, when the caller has just asked.
 */
async function buildPack(
  onSpawn: () => void,
  signal?: AbortSignal,
  fresh = packIsFresh(),
): Promise<void> {
  if (fresh) return;
  const build = spawn(process.execPath, [join(packDir, "build.cjs")], {
    cwd: packDir,
    stdio: ["ignore", "ignore", "pipe"],
    signal,
  });
  running.add(build);
  onSpawn();
  let stderr = "";
  build.stderr!.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((done, fail) => {
    build.once("error", fail);
    build.once("exit", done);
  }).finally(() => running.delete(build));
  if (code !== 0) throw new PackBuildError(`compiling the policy pack failed:\n${stderr.trim()}`);
}

/** The requests of an evaluation, encoded: Analyze's per resource, and AnalyzeStack's. */
export interface AnalysisRequests {
  perResource: { urn: string; request: Buffer }[];
  stack: Buffer;
}

/**
 * Encodes what `analyze` sends for `resources`: Analyze for each (its inputs) and AnalyzeStack
 * over all (their outputs, parents and dependencies). Needs no pack, so a caller can do it while
 * the pack starts.
 */
export function encodeAnalysis(resources: RegisteredResource[]): AnalysisRequests {
  // One message per provider, shared by the requests of the resources it manages.
  const providers = new Map(
    resources
      .filter((r) => r.type.startsWith("pulumi:providers:"))
      .map((r) => [`${r.urn}::${r.id}`, providerOf(r)]),
  );
  const providerFor = (resource: RegisteredResource) => providers.get(resource.provider ?? "");
  const perResource = resources.map((resource) => ({
    urn: resource.urn,
    request: Buffer.from(
      describe(
        new analyzerproto.AnalyzeRequest(),
        resource,
        resource.inputs,
        providerFor(resource),
      ).serializeBinary(),
    ),
  }));
  const stack = new analyzerproto.AnalyzeStackRequest();
  stack.setResourcesList(
    resources.map((resource) => {
      const r = describe(
        new analyzerproto.AnalyzerResource(),
        resource,
        resource.outputs,
        providerFor(resource),
      );
      if (resource.parent) r.setParent(resource.parent);
      r.setDependenciesList(resource.dependencies);
      for (const [key, urns] of Object.entries(resource.propertyDependencies)) {
        const deps = new analyzerproto.AnalyzerPropertyDependencies();
        deps.setUrnsList(urns);
        r.getPropertydependenciesMap().set(key, deps);
      }
      return r;
    }),
  );
  return { perResource, stack: Buffer.from(stack.serializeBinary()) };
}

type Described = analyzerproto.AnalyzeRequest | analyzerproto.AnalyzerResource;

/** Fills what Analyze and AnalyzeStack both say of a resource. */
function describe<T extends Described>(
  message: T,
  resource: RegisteredResource,
  properties: Record<string, unknown>,
  provider: analyzerproto.AnalyzerProviderResource | undefined,
): T {
  message.setType(resource.type);
  message.setName(resource.name);
  message.setUrn(resource.urn);
  message.setProperties(Struct.fromJavaScript(properties as Record<string, never>));
  message.setOptions(options(resource));
  if (provider) message.setProvider(provider);
  return message;
}

/** The CLI always sends options; without them the SDK asks for a newer CLI. */
function options(resource: RegisteredResource): analyzerproto.AnalyzerResourceOptions {
  const o = new analyzerproto.AnalyzerResourceOptions();
  o.setProtect(resource.options.protect);
  o.setIgnorechangesList(resource.options.ignoreChanges);
  o.setDeletebeforereplace(resource.options.deleteBeforeReplace);
  o.setDeletebeforereplacedefined(true);
  o.setAdditionalsecretoutputsList(resource.options.additionalSecretOutputs);
  o.setAliasesList(resource.options.aliases);
  if (resource.parent) o.setParent(resource.parent);
  return o;
}

function providerOf(provider: RegisteredResource): analyzerproto.AnalyzerProviderResource {
  const p = new analyzerproto.AnalyzerProviderResource();
  p.setType(provider.type);
  p.setName(provider.name);
  p.setUrn(provider.urn);
  p.setProperties(Struct.fromJavaScript(provider.inputs as Record<string, never>));
  return p;
}

function toDiagnostic(d: analyzerproto.AnalyzeDiagnostic): Diagnostic {
  // The SDK prefixes what the policy reported with the policy's description.
  const prefix = `${d.getDescription()}\n`;
  const message = d.getMessage();
  return {
    pack: d.getPolicypackname(),
    packVersion: d.getPolicypackversion(),
    policy: d.getPolicyname(),
    level: levels[d.getEnforcementlevel()],
    message: message.startsWith(prefix) ? message.slice(prefix.length) : message,
    urn: d.getUrn(),
  };
}
