/**
 * `npm run verify:base-image [-- --dockerfile app/Dockerfile] [--registry URL]`
 *
 * Checks that every base image of the Dockerfile is pinned by tag AND digest, and that the digest
 * is the one the registry serves for that tag now: the multi-arch index digest, read with the
 * Docker Registry HTTP API (token from the registry's auth service, then a HEAD of the manifest
 * with the OCI index Accept header; the answer's Docker-Content-Digest is the index digest). The
 * pipeline runs it before building, so an image is never built from a digest nobody read from
 * the registry. Fails on the first mismatch, naming the Dockerfile line, the tag, the pinned and
 * the current digest.
 *
 * A mismatch means the pin is wrong, or the tag was republished (official images are rebuilt
 * under the same tag for OS security fixes); either way, update the digest deliberately after
 * checking it (app/README.md, "Container").
 *
 * `--registry` (or BASE_IMAGE_REGISTRY_URL) replaces Docker Hub's registry address, for a mirror
 * or the tests' stand-in; the token service is whatever the registry's challenge names.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { exitCodes, parseCommandLine, runScript } from "./ops/cli";

export const usage = `usage: npm run verify:base-image [-- --dockerfile PATH] [--registry URL]

Compares each FROM line's pinned sha256 digest with the registry's current index digest for its
tag. Default Dockerfile: app/Dockerfile. Default registry: Docker Hub (https://registry-1.docker.io),
or BASE_IMAGE_REGISTRY_URL.
Exit code: 0 all pinned digests are current, 1 a mismatch or the registry could not tell, 2 bad arguments.`;

export const DOCKER_HUB = "https://registry-1.docker.io";

/** What a multi-arch image is: an OCI image index, or Docker's manifest list (same thing). */
export const INDEX_MEDIA_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
];
/** Single-platform manifests, accepted only so that pinning one is reported clearly. */
const MANIFEST_MEDIA_TYPES = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
];

const REQUEST_TIMEOUT_MS = 15_000;

export interface BaseImage {
  /** 1-based line of the FROM instruction. */
  line: number;
  /** The reference as written, e.g. node:24.20.0-bookworm-slim@sha256:... */
  reference: string;
  /** Registry host as written, or undefined for Docker Hub. */
  host?: string;
  /** Repository path in the registry: library/node for `node`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * The external images the FROM lines name (stages built earlier in the file are skipped).
 * Continuation lines and `--platform` flags are handled; ARG substitution is not, so a FROM
 * that uses a variable is reported as unpinned.
 */
export function baseImages(dockerfile: string): BaseImage[] {
  const stages = new Set<string>();
  const images: BaseImage[] = [];
  const lines = dockerfile.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const match = /^\s*FROM\s+(.*)$/i.exec(lines[i]);
    if (!match) continue;
    const words = match[1]
      .replace(/\s+#.*$/, "")
      .split(/\s+/)
      .filter((w) => w && !w.startsWith("--"));
    const [reference, as, stage] = words;
    const isStage = stages.has(reference.toLowerCase());
    if (as?.toUpperCase() === "AS" && stage) stages.add(stage.toLowerCase());
    if (!isStage) images.push({ line: i + 1, reference, ...parseReference(reference) });
  }
  return images;
}

/** `[host/]path[:tag][@sha256:hex]`, with Docker Hub's `library/` for one-word names. */
export function parseReference(reference: string) {
  const [nameAndTag, digest] = reference.split("@");
  const lastColon = nameAndTag.lastIndexOf(":");
  const hasTag = lastColon > nameAndTag.lastIndexOf("/");
  const name = hasTag ? nameAndTag.slice(0, lastColon) : nameAndTag;
  const tag = hasTag ? nameAndTag.slice(lastColon + 1) : undefined;
  const parts = name.split("/");
  const explicitHost =
    parts.length > 1 &&
    (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost");
  const host = explicitHost ? parts.shift() : undefined;
  const dockerHub = host === undefined || host === "docker.io";
  const repository = dockerHub && parts.length === 1 ? `library/${parts[0]}` : parts.join("/");
  return { host: dockerHub ? undefined : host, repository, tag, digest };
}

export interface Result {
  image: BaseImage;
  ok: boolean;
  message: string;
  current?: string;
}

type Fetch = typeof fetch;

/** Asks the registry for the tag's current digest; follows one Bearer token challenge. */
export async function currentDigest(
  registry: string,
  repository: string,
  tag: string,
  fetchImpl: Fetch = fetch,
): Promise<{ digest: string; mediaType: string }> {
  const url = `${registry.replace(/\/$/, "")}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
  const accept = [...INDEX_MEDIA_TYPES, ...MANIFEST_MEDIA_TYPES].join(", ");
  const head = (authorization?: string) =>
    fetchImpl(url, {
      method: "HEAD",
      headers: { accept, ...(authorization && { authorization }) },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  let res = await head();
  if (res.status === 401) {
    const token = await fetchToken(res.headers.get("www-authenticate"), repository, fetchImpl);
    res = await head(`Bearer ${token}`);
  }
  if (res.status === 404) throw new Error(`the registry has no tag ${tag} for ${repository}`);
  if (!res.ok) throw new Error(`the registry answered HTTP ${res.status} for ${url}`);
  const digest = res.headers.get("docker-content-digest");
  if (!digest) throw new Error(`the registry sent no Docker-Content-Digest for ${url}`);
  return { digest, mediaType: (res.headers.get("content-type") ?? "").split(";")[0].trim() };
}

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="..."` */
async function fetchToken(challenge: string | null, repository: string, fetchImpl: Fetch) {
  const params = Object.fromEntries(
    [...(challenge ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );
  if (!challenge?.startsWith("Bearer ") || !params.realm) {
    throw new Error(`the registry asked for authentication it did not describe: ${challenge}`);
  }
  const url = new URL(params.realm);
  if (params.service) url.searchParams.set("service", params.service);
  url.searchParams.set("scope", params.scope ?? `repository:${repository}:pull`);
  const res = await fetchImpl(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`the token service ${url.origin} answered HTTP ${res.status}`);
  const body = (await res.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error(`the token service ${url.origin} sent no token`);
  return token;
}

/** Checks the images in order and stops at the first that fails. */
export async function verify(
  images: BaseImage[],
  opts: { file: string; registry?: string; fetch?: Fetch },
): Promise<Result[]> {
  const results: Result[] = [];
  // The same tag on several FROM lines is asked for once.
  const asked = new Map<string, Promise<{ digest: string; mediaType: string }>>();
  for (const image of images) {
    const where = `${opts.file}:${image.line}`;
    const fail = (message: string, current?: string) => {
      results.push({
        image,
        ok: false,
        current,
        message: `${where}: FROM ${image.reference}: ${message}`,
      });
      return results;
    };
    if (!image.tag || !image.digest) {
      return fail("not pinned by both a version tag and a sha256 digest (name:tag@sha256:...)");
    }
    if (!/^sha256:[0-9a-f]{64}$/.test(image.digest)) {
      return fail(`"${image.digest}" is not a sha256 digest`);
    }
    const registry = image.host ? `https://${image.host}` : (opts.registry ?? DOCKER_HUB);
    const name = `${image.host ? `${image.host}/` : ""}${image.repository.replace(/^library\//, "")}:${image.tag}`;
    let current: { digest: string; mediaType: string };
    try {
      const key = `${registry}/${image.repository}:${image.tag}`;
      if (!asked.has(key)) {
        asked.set(key, currentDigest(registry, image.repository, image.tag, opts.fetch));
      }
      current = await asked.get(key)!;
    } catch (err) {
      return fail(
        `cannot read the current digest of ${name} from ${registry}: ${(err as Error).message}`,
      );
    }
    if (current.digest !== image.digest) {
      return fail(
        `the registry's current digest for ${name} is ${current.digest}, but ${image.digest} is pinned. ` +
          "Either the pin was never read from the registry or the tag was republished: check, then update the digest deliberately.",
        current.digest,
      );
    }
    if (!INDEX_MEDIA_TYPES.includes(current.mediaType)) {
      return fail(
        `${name} is a single-platform manifest (${current.mediaType || "no content type"}), not a multi-arch index: pin the index digest`,
        current.digest,
      );
    }
    results.push({
      image,
      ok: true,
      current: current.digest,
      message: `${where}: ${name} is pinned to the registry's current index digest ${current.digest}`,
    });
  }
  return results;
}

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  fetchImpl: Fetch = fetch,
): Promise<number> {
  const args = parseCommandLine(
    argv,
    { dockerfile: { type: "string" }, registry: { type: "string" } },
    [],
    usage,
  );
  if (!args) return exitCodes.ok;
  const repoRoot = path.resolve(__dirname, "..");
  const file = args.dockerfile ?? "app/Dockerfile";
  const images = baseImages(readFileSync(path.resolve(repoRoot, file), "utf8"));
  if (images.length === 0) {
    console.error(`error: ${file} has no FROM line naming an external image`);
    return exitCodes.failed;
  }
  const registry = args.registry ?? (env.BASE_IMAGE_REGISTRY_URL || undefined);
  const results = await verify(images, { file, registry, fetch: fetchImpl });
  for (const r of results)
    (r.ok ? console.log : console.error)(r.ok ? r.message : `error: ${r.message}`);
  return results.every((r) => r.ok) ? exitCodes.ok : exitCodes.failed;
}

if (require.main === module) runScript(main, usage);
