import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { version as sdkVersion } from "@pulumi/pulumi/version";
import { toDeployment, type UntypedDeployment } from "../../scripts/offline/export";
import { project, stackRun } from "./stacks";

/** The installed version of a provider package (the engine records it with each provider). */
const versionOf = (pkg: string) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(`@pulumi/${pkg}/package.json`) as { version: string }).version;

type State = {
  urn: string;
  custom: boolean;
  id?: string;
  type: string;
  parent?: string;
  provider?: string;
  dependencies?: string[];
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};

/** What `pulumi stack import` checks of a deployment, as pkg/resource/stack in pulumi/pulumi does. */
describe("stack export (what `pulumi stack import` checks)", () => {
  for (const stack of ["staging", "prod"] as const) {
    describe(stack, () => {
      let deployment: UntypedDeployment["deployment"];
      let resources: State[];
      before(async () => {
        const exported = toDeployment(await stackRun(stack));
        // Through JSON, as the file is read back.
        ({ deployment } = JSON.parse(JSON.stringify(exported)) as UntypedDeployment);
        resources = deployment.resources as State[];
      });

      it("carries the magic: hex SHA-256 of the manifest's version", () => {
        assert.match(deployment.manifest.version, /^v\d+\.\d+\.\d+/);
        const magic = createHash("sha256").update(deployment.manifest.version).digest("hex");
        assert.equal(deployment.manifest.magic, magic);
      });

      it("lists the language and resource plugins with their versions", () => {
        // Resource plugins in the order their providers registered, which the engine does not fix.
        const [language, ...resourcePlugins] = deployment.manifest.plugins;
        resourcePlugins.sort((a, b) => a.name.localeCompare(b.name));
        assert.deepEqual(
          [language, ...resourcePlugins],
          [
            { name: "nodejs", path: "", type: "language", version: sdkVersion },
            ...["aws", "docker-build", "random"].map((name) => ({
              name,
              path: "",
              type: "resource",
              version: versionOf(name),
            })),
          ],
        );
      });

      it("gives every URN the engine's format, its type and its parent's type chain", () => {
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        for (const r of resources) {
          const match = /^urn:pulumi:([^:]+)::([^:]+)::(.+)::([^:]+)$/.exec(r.urn);
          assert.ok(match, r.urn);
          const [, urnStack, urnProject, qualifiedType, name] = match;
          assert.deepEqual([urnStack, urnProject], [stack, project], r.urn);
          assert.ok(qualifiedType.split("$").pop() === r.type, r.urn);
          assert.ok(name.length > 0);
          const parent = r.parent ? byUrn.get(r.parent) : undefined;
          if (r.parent) assert.ok(parent, `${r.urn}: parent is in the export`);
          // A child of a component carries the component's qualified type before its own.
          const expectedChain =
            parent && parent.type !== "pulumi:pulumi:Stack"
              ? `${parent.urn.split("::")[2]}$${r.type}`
              : r.type;
          assert.equal(qualifiedType, expectedChain, r.urn);
        }
        assert.equal(new Set(resources.map((r) => r.urn)).size, resources.length, "URNs unique");
      });

      it("refers to providers as `urn::id` of a provider resource in the export", () => {
        const providers = new Map(
          resources
            .filter((r) => r.type.startsWith("pulumi:providers:"))
            .map((r) => [`${r.urn}::${r.id}`, r]),
        );
        // AWS (one per region), the image builder, randomness.
        assert.ok(providers.size >= 3);
        for (const r of resources.filter((r) => r.custom && !r.type.startsWith("pulumi:"))) {
          assert.ok(r.provider && providers.has(r.provider), `${r.urn}: provider ${r.provider}`);
          assert.equal(
            providers.get(r.provider)!.type,
            `pulumi:providers:${r.type.split(":")[0]}`,
            `${r.urn}: provider of its package`,
          );
        }
        for (const provider of providers.values()) {
          const pkg = provider.type.slice("pulumi:providers:".length);
          assert.equal(provider.inputs.version, versionOf(pkg));
          assert.equal(provider.outputs.version, versionOf(pkg));
        }
      });

      it("orders the stack first and every resource after its parent, provider and dependencies", () => {
        assert.equal(resources[0].type, "pulumi:pulumi:Stack");
        const seen = new Set<string>();
        for (const r of resources) {
          const before = [
            r.parent,
            r.provider?.split("::").slice(0, -1).join("::"),
            ...(r.dependencies ?? []),
          ];
          for (const urn of before.filter((u): u is string => !!u)) {
            assert.ok(seen.has(urn), `${r.urn} comes before ${urn}`);
          }
          seen.add(r.urn);
        }
      });

      it("gives an id to every custom resource and none to a component", () => {
        for (const r of resources) {
          if (r.custom) assert.ok(typeof r.id === "string" && r.id.length > 0, r.urn);
          else assert.equal(r.id, undefined, r.urn);
        }
      });
    });
  }
});
