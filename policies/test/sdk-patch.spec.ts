/**
 * The patches in `patches/` (applied by `patch-package` at `npm ci`); each test fails if its patch
 * is not applied.
 *
 * `@pulumi+policy+1.21.0.patch`: the SDK's AnalyzeStack converts each resource's properties from
 * protobuf once, not once per stack policy, and each policy still gets objects of its own. Run
 * through the SDK's own AnalyzeStack handler, in-process.
 *
 * `@pulumi+pulumi+3.248.0.patch`: loading @pulumi/pulumi (the program, the pack's host) no longer
 * loads @npmcli/arborist, which only serializing a function uses; that still finds the packages
 * a function needs. Run in a fresh Node process, where nothing has loaded the SDK yet.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import * as server from "@pulumi/policy/server";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

type Handler = (
  call: { request: analyzerproto.AnalyzeStackRequest },
  done: (err: unknown, response?: analyzerproto.AnalyzeResponse) => void,
) => Promise<void>;
// Marked @internal in the SDK, so its typings leave it out.
const { makeAnalyzeStackRpcFun } = server as unknown as {
  makeAnalyzeStackRpcFun: (
    pack: string,
    version: string,
    level: string,
    policies: StackValidationPolicy[],
  ) => Handler;
};

const bucket = { bucket: "logs", tags: { team: "web" }, rules: [{ days: 30 }] };

/** AnalyzeStack over a bucket and a topic, by `policies`; the diagnostics' messages. */
async function analyzeStack(policies: StackValidationPolicy[]): Promise<string[]> {
  const request = new analyzerproto.AnalyzeStackRequest();
  request.setResourcesList(
    (
      [
        ["aws:s3/bucketV2:BucketV2", "logs", bucket],
        ["aws:sns/topic:Topic", "alerts", { name: "alerts" }],
      ] as const
    ).map(([type, name, props]) => {
      const r = new analyzerproto.AnalyzerResource();
      r.setType(type);
      r.setName(name);
      r.setUrn(`urn:pulumi:prod::acme::${type}::${name}`);
      r.setProperties(Struct.fromJavaScript(props as unknown as Record<string, never>));
      r.setOptions(new analyzerproto.AnalyzerResourceOptions());
      return r;
    }),
  );
  const handler = makeAnalyzeStackRpcFun("spec", "0.0.1", "mandatory", policies);
  const response = await new Promise<analyzerproto.AnalyzeResponse>((ok, fail) =>
    handler({ request }, (err, response) => (err ? fail(err) : ok(response!))),
  );
  return response.getDiagnosticsList().map((d) => d.getMessage());
}

/** A stack policy that hands every resource to `look`. */
const stackPolicy = (name: string, look: (r: PolicyResource) => void): StackValidationPolicy => ({
  name,
  description: name,
  validateStack: (args) => args.resources.forEach(look),
});

describe("@pulumi/policy, as patched", () => {
  it("converts each resource's properties once, however many stack policies read them", async () => {
    const toJavaScript = Struct.prototype.toJavaScript;
    // Conversions of a whole resource's properties: a nested object's Struct converts inside one.
    let conversions = 0;
    let depth = 0;
    Struct.prototype.toJavaScript = function (this: Struct) {
      if (depth === 0) conversions++;
      depth++;
      try {
        return toJavaScript.call(this);
      } finally {
        depth--;
      }
    };
    const seen: unknown[] = [];
    try {
      await analyzeStack(
        Array.from({ length: 24 }, (_, i) =>
          stackPolicy(`reader-${i}`, (r) => seen.push(r.props.bucket ?? r.props.name)),
        ),
      );
    } finally {
      Struct.prototype.toJavaScript = toJavaScript;
    }
    assert.equal(seen.length, 48, "every policy saw both resources");
    assert.equal(conversions, 2, "one conversion per resource");
  });

  it("gives each policy objects of its own: what one changes, the next does not see", async () => {
    const later: unknown[] = [];
    const messages = await analyzeStack([
      stackPolicy("changer", (r) => {
        r.props.tags = { team: "changed" };
        r.props.added = true;
        if (r.props.rules) r.props.rules[0].days = 1;
      }),
      stackPolicy("reader", (r) => {
        if (r.props.bucket) later.push(JSON.parse(JSON.stringify(r.props)));
      }),
    ]);
    assert.deepEqual(messages, []);
    assert.deepEqual(later, [bucket]);
  });
});

describe("@pulumi/pulumi, as patched", function () {
  // A fresh process loads the SDK: seconds on a busy machine.
  this.timeout(60_000);
  /** What `script` prints, run in a fresh Node process from the pack's directory. */
  const inFreshNode = (script: string): unknown =>
    JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
  const arboristLoaded = "Object.keys(require.cache).some((f) => f.includes('@npmcli/arborist'))";

  it("loads without @npmcli/arborist", () => {
    assert.equal(inFreshNode(`require("@pulumi/pulumi"); console.log(${arboristLoaded})`), false);
  });

  it("still loads it to find the packages a serialized function needs", () => {
    const found = inFreshNode(`
      require("@pulumi/pulumi/runtime/closure/codePaths")
        .computeCodePaths({ extraIncludePackages: ["ajv"] })
        .then((paths) => console.log(JSON.stringify({
          ajv: [...paths.keys()].some((p) => p.endsWith("node_modules/ajv")),
          loaded: ${arboristLoaded},
        })));
    `);
    assert.deepEqual(found, { ajv: true, loaded: true });
  });
});
