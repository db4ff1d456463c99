/**
 * Writes a program run as `pulumi stack export` would: a deployment of version 3, whose resources
 * carry inputs, outputs, parent, provider and dependencies, the stack first and every resource
 * after the ones it depends on (registration order, as the engine records it).
 */
import { version as sdkVersion } from "@pulumi/pulumi/version";
import type { ProgramRun, RegisteredResource } from "./harness";

/** The SDK's marker for a secret value, also the marker `pulumi stack export` writes. */
const secretSigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";

export interface UntypedDeployment {
  version: 3;
  deployment: {
    manifest: { time: string; magic: string; version: string };
    resources: Record<string, unknown>[];
  };
}

export function toDeployment(run: ProgramRun, time = new Date()): UntypedDeployment {
  return {
    version: 3,
    deployment: {
      manifest: { time: time.toISOString(), magic: "", version: `v${sdkVersion}` },
      resources: run.resources.map(toState),
    },
  };
}

function toState(r: RegisteredResource): Record<string, unknown> {
  const dependencies = r.dependencies.length > 0 ? r.dependencies : undefined;
  const propertyDependencies = Object.fromEntries(
    Object.entries(r.propertyDependencies).filter(([, urns]) => urns.length > 0),
  );
  return {
    urn: r.urn,
    custom: r.custom,
    ...(r.custom ? { id: r.id } : {}),
    type: r.type,
    inputs: plaintextSecrets(r.inputs),
    outputs: plaintextSecrets(r.outputs),
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
