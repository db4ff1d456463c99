/**
 * Writes a program run as `pulumi stack export` would, so that `pulumi stack import` accepts it: a
 * deployment of version 3 whose manifest carries the magic the CLI checks and the plugins used,
 * and whose resources carry inputs, outputs, parent, provider and dependencies, the stack first
 * and every resource after the ones it depends on (registration order, as the engine records it).
 * It has no `secrets_providers` section (offline there is no passphrase to write one with), and
 * the CLI 3.248.0 cannot import a state with secrets without one (it panics, "attempt to encrypt
 * value"): add the target stack's, as `pulumi stack export` of the new stack shows it
 * (test/cli/stack-import.test.ts).
 */
import { version as sdkVersion } from "@pulumi/pulumi/version";
import { createHash } from "node:crypto";
import type { ProgramRun, RegisteredResource } from "./harness";

/** The SDK's marker for a secret value, also the marker `pulumi stack export` writes. */
const secretSigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";

/** `apitype.PluginInfoV1`: a plugin the deployment used. */
export interface PluginInfo {
  name: string;
  /** Where the CLI found the binary; none offline. */
  path: string;
  type: "language" | "resource";
  version: string;
}

export interface UntypedDeployment {
  version: 3;
  deployment: {
    manifest: { time: string; magic: string; version: string; plugins: PluginInfo[] };
    resources: Record<string, unknown>[];
  };
}

/**
 * The integrity cookie `pulumi stack import` checks: hex SHA-256 of the manifest's version, as
 * `Manifest.NewMagic` in pulumi/pulumi's pkg/resource/stack/deployment.go computes it.
 */
export function manifestMagic(version: string): string {
  return createHash("sha256").update(version).digest("hex");
}

export function toDeployment(run: ProgramRun, time = new Date()): UntypedDeployment {
  // The CLI writes its own version here; the SDK's is the nearest offline, the two are released together.
  const version = `v${sdkVersion}`;
  const packages = [
    ...new Set(
      run.resources
        .filter((r) => r.type.startsWith("pulumi:providers:"))
        .map((r) => r.type.slice("pulumi:providers:".length)),
    ),
  ];
  return {
    version: 3,
    deployment: {
      manifest: {
        time: time.toISOString(),
        magic: manifestMagic(version),
        version,
        plugins: [
          { name: "nodejs", path: "", type: "language", version: sdkVersion },
          ...packages.map((name) => ({
            name,
            path: "",
            type: "resource" as const,
            version: packageVersion(name),
          })),
        ],
      },
      resources: run.resources.map(toState),
    },
  };
}

/** The version of `@pulumi/<name>`, which is the version of its resource plugin. */
export function packageVersion(name: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(`@pulumi/${name}/package.json`) as { version: string }).version;
}

function toState(r: RegisteredResource): Record<string, unknown> {
  // The engine records which plugin version a provider was created with among its inputs.
  const provider = r.type.startsWith("pulumi:providers:")
    ? { version: packageVersion(r.type.slice("pulumi:providers:".length)) }
    : {};
  const dependencies = r.dependencies.length > 0 ? r.dependencies : undefined;
  const propertyDependencies = Object.fromEntries(
    Object.entries(r.propertyDependencies).filter(([, urns]) => urns.length > 0),
  );
  return {
    urn: r.urn,
    custom: r.custom,
    ...(r.custom ? { id: r.id } : {}),
    type: r.type,
    inputs: plaintextSecrets({ ...r.inputs, ...provider }),
    outputs: plaintextSecrets({ ...r.outputs, ...provider }),
    ...(r.parent ? { parent: r.parent } : {}),
    ...(r.options.protect ? { protect: true } : {}),
    ...(r.options.retainOnDelete ? { retainOnDelete: true } : {}),
    ...(r.provider ? { provider: r.provider } : {}),
    ...(dependencies ? { dependencies } : {}),
    ...(Object.keys(propertyDependencies).length > 0 ? { propertyDependencies } : {}),
    ...(r.options.additionalSecretOutputs.length > 0
      ? { additionalSecretOutputs: r.options.additionalSecretOutputs }
      : {}),
    ...(r.options.deletedWith ? { deletedWith: r.options.deletedWith } : {}),
  };
}

/** Secrets as `pulumi stack export --show-secrets` writes them: the marker plus JSON plaintext. */
function plaintextSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plaintextSecrets);
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  if (object[secretSigKey] === secretSig) {
    return { [secretSigKey]: secretSig, plaintext: JSON.stringify(plaintextSecrets(object.value)) };
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, plaintextSecrets(v)]));
}
