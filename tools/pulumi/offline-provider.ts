/**
 * An offline stand-in for the provider plugins the program uses (`pulumi-resource-aws`,
 * `-docker-build`, `-random`), none of which can be downloaded here: the resource provider
 * protocol (pulumirpc.ResourceProvider, proto/pulumi/provider.proto) served by this process,
 * answering from the offline harness's mocks (scripts/offline/mocks.ts) so that the real CLI's
 * `pulumi preview` sees what `npm run preview:offline` sees. `npm run preview:real` puts one shim
 * per package on the CLI's PATH, each running `node offline-provider.ts <package>`.
 *
 * - Check returns the inputs as given (no auto-names: a name the provider would generate stays
 *   unknown in a preview, as offline), with a failure for each field rule they break
 *   (scripts/offline/field-rules.ts), so the engine fails the preview as the real provider's
 *   validation would; a rule that reads a value unknown in the preview is not judged.
 * - Create with `preview` set (the engine's preview of a new resource) answers PreviewMocks: the
 *   inputs, and every attribute AWS would compute as unknown. Without `preview` it answers the
 *   full AwsMocks, though nothing here runs `pulumi up`.
 * - Invoke answers AwsMocks.call, for this provider's region and account: the account is the
 *   first of the provider's `allowedAccountIds` (the stack's accountId, which the offline harness
 *   takes as the caller's), else the mocks' default.
 * - Configure declines secrets, resources and outputs, so the engine sends plain values.
 */
import * as grpc from "@grpc/grpc-js";
import * as providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import * as pluginProto from "@pulumi/pulumi/proto/plugin_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AwsMocks, mockAccountId, PreviewMocks } from "../../scripts/offline/mocks";
import { checkFailures } from "../../scripts/offline/field-rules";

type Props = Record<string, unknown>;
type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;
type Call<T> = { request: T };

const pkg = process.argv[2];
if (!pkg) {
  process.stderr.write("usage: offline-provider.ts <package> [engine address]\n");
  process.exit(2);
}

/** The version of the package's SDK as installed: the plugin version the program asks for. */
const repoRoot = join(__dirname, "..", "..");
const pluginVersion = (() => {
  const manifest = JSON.parse(
    readFileSync(join(repoRoot, "node_modules", "@pulumi", pkg, "package.json"), "utf8"),
  ) as { version: string; pulumi?: { version?: string } };
  return manifest.pulumi?.version ?? manifest.version;
})();

let region = "us-east-1";
let accountId = mockAccountId;
let mocks = new AwsMocks(region, accountId);
/** The provider's configuration: its default tags count towards each resource's tag limits. */
let providerArgs: Props = {};

const props = (s: Struct | undefined): Props => (s ? (s.toJavaScript() as Props) : {});
const struct = (p: Props) =>
  Struct.fromJavaScript(p as Parameters<typeof Struct.fromJavaScript>[0]);

/** A URN's type and name: `urn:pulumi:<stack>::<project>::<parent$type>::<name>`. */
function fromUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  return { type: qualified.split("$").pop()!, name: parts.slice(3).join("::") };
}

/** Provider inputs that are not strings arrive JSON-encoded. */
function decoded(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function fail(code: grpc.status, message: string): grpc.ServiceError {
  return Object.assign(new Error(message), {
    code,
    details: message,
    metadata: new grpc.Metadata(),
  });
}

/** Runs a handler, turning a thrown error into the call's error status. */
function handle<Req, Res>(fn: (req: Req) => Res) {
  return (call: Call<Req>, callback: Callback<Res>) => {
    try {
      callback(null, fn(call.request));
    } catch (err) {
      callback(fail(grpc.status.UNKNOWN, (err as Error).message));
    }
  };
}

const implementation = {
  getPluginInfo: handle(() => new pluginProto.PluginInfo().setVersion(pluginVersion)),
  getSchema: handle(() =>
    // Preview does not read a schema; `pulumi package get-schema` would get this much.
    new providerProto.GetSchemaResponse().setSchema(
      JSON.stringify({ name: pkg, version: pluginVersion }),
    ),
  ),
  checkConfig: handle((req: providerProto.CheckRequest) =>
    new providerProto.CheckResponse().setInputs(req.getNews()),
  ),
  diffConfig: handle(() =>
    new providerProto.DiffResponse().setChanges(providerProto.DiffResponse.DiffChanges.DIFF_NONE),
  ),
  configure: handle((req: providerProto.ConfigureRequest) => {
    const args = props(req.getArgs());
    providerArgs = args;
    const vars = req.getVariablesMap();
    const configured = decoded(args.region) ?? vars.get(`${pkg}:config:region`);
    if (typeof configured === "string" && configured) region = configured;
    const allowed = decoded(args.allowedAccountIds);
    if (Array.isArray(allowed) && typeof allowed[0] === "string") accountId = allowed[0];
    mocks = new AwsMocks(region, accountId);
    return new providerProto.ConfigureResponse()
      .setAcceptsecrets(false)
      .setSupportspreview(true)
      .setAcceptresources(false)
      .setAcceptoutputs(false);
  }),
  check: handle((req: providerProto.CheckRequest) => {
    const { type, name } = fromUrn(req.getUrn());
    const failures = checkFailures(type, name, props(req.getNews()), providerArgs).map((f) =>
      new providerProto.CheckFailure().setProperty(f.property).setReason(f.reason),
    );
    return new providerProto.CheckResponse().setInputs(req.getNews()).setFailuresList(failures);
  }),
  diff: handle((req: providerProto.DiffRequest) => {
    const same = JSON.stringify(props(req.getOlds())) === JSON.stringify(props(req.getNews()));
    return new providerProto.DiffResponse().setChanges(
      same
        ? providerProto.DiffResponse.DiffChanges.DIFF_NONE
        : providerProto.DiffResponse.DiffChanges.DIFF_SOME,
    );
  }),
  create: handle((req: providerProto.CreateRequest) => {
    const { type, name } = fromUrn(req.getUrn());
    const args = { type, name, inputs: props(req.getProperties()), custom: true };
    if (req.getPreview()) {
      const { state } = new PreviewMocks(mocks).newResource(args);
      return new providerProto.CreateResponse().setId("").setProperties(struct(state));
    }
    const { id, state } = mocks.newResource(args);
    return new providerProto.CreateResponse().setId(id).setProperties(struct(state));
  }),
  invoke: handle((req: providerProto.InvokeRequest) => {
    const result = mocks.call({ token: req.getTok(), inputs: props(req.getArgs()) });
    return new providerProto.InvokeResponse().setReturn(struct(result));
  }),
  cancel: handle(() => new Empty()),
};

const server = new grpc.Server();
server.addService(
  providerRpc.ResourceProviderService,
  implementation as unknown as grpc.UntypedServiceImplementation,
);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  // The plugin protocol: the port is the first line of stdout.
  process.stdout.write(`${port}\n`);
});
