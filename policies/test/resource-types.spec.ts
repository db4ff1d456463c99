import * as pulumiAws from "@pulumi/aws";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { packDir } from "../../scripts/offline/policy-config";

const awsDir = dirname(require.resolve("@pulumi/aws/package.json"));

/** Every resource type token @pulumi/aws defines: the `__pulumiType` of each resource class. */
function definedTokens(): Set<string> {
  const tokens = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (entry === "node_modules") continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith(".js")) {
        for (const m of readFileSync(path, "utf8").matchAll(/__pulumiType = '([^']+)'/g)) {
          tokens.add(m[1]);
        }
      }
    }
  };
  walk(awsDir);
  return tokens;
}

/** The TypeScript files of the pack (policies, helpers and their tests), but this checker. */
function packFiles(dir = packDir): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (["node_modules", "config", "resource-types.spec.ts"].includes(entry)) return [];
    if (statSync(path).isDirectory()) return packFiles(path);
    return entry.endsWith(".ts") ? [path] : [];
  });
}

/**
 * The AWS type tokens a source names: string literals shaped like a token, and the token of
 * each `aws.<module>.<Class>` it references (what `isType` and `validateResourceOfType` match).
 * A class @pulumi/aws does not export is returned as `aws.<module>.<Class>?`.
 */
function tokensNamedIn(source: string): string[] {
  const aws = pulumiAws as unknown as Record<string, Record<string, { __pulumiType?: string }>>;
  const literals = [...source.matchAll(/["'`](aws:[\w-]+\/\w+:\w+)["'`]/g)].map((m) => m[1]);
  const classes = [...source.matchAll(/\baws\.(\w+)\.([A-Z]\w*)\b/g)].map(
    ([reference, module, name]) => aws[module]?.[name]?.__pulumiType ?? `${reference}?`,
  );
  return [...new Set([...literals, ...classes])];
}

describe("resource type tokens", () => {
  const version = JSON.parse(readFileSync(join(awsDir, "package.json"), "utf8")).version;
  const tokens = definedTokens();

  it("reads the tokens of the @pulumi/aws the pack depends on", () => {
    const pinned = JSON.parse(readFileSync(join(packDir, "package.json"), "utf8")).dependencies;
    assert.equal(version, pinned["@pulumi/aws"]);
    assert.ok(tokens.size > 1000, `${tokens.size} tokens`);
    assert.ok(tokens.has("aws:lb/loadBalancer:LoadBalancer"));
  });

  it("finds a token @pulumi/aws does not define: a pre-v5 name, a typo, a missing class", () => {
    const named = tokensNamedIn(
      'r.type === "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer" || ' +
        "r.isType(aws.lb.Listener) || r.isType(aws.lb.Listner)",
    );
    assert.deepEqual(
      named.filter((t) => !tokens.has(t)),
      ["aws:elasticloadbalancingv2/loadBalancer:LoadBalancer", "aws.lb.Listner?"],
    );
  });

  it(`names only types @pulumi/aws ${version} defines, in every policy, helper and test`, () => {
    const unknown = packFiles().flatMap((file) =>
      tokensNamedIn(readFileSync(file, "utf8"))
        .filter((t) => !tokens.has(t))
        .map((t) => `${relative(packDir, file)}: ${t}`),
    );
    assert.deepEqual(unknown, []);
  });
});
