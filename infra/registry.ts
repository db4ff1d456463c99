import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";

/** Image platforms Fargate runs; the task's CPU architecture follows the image's. */
export const imagePlatforms = ["linux/arm64", "linux/amd64"] as const;
export type ImagePlatform = (typeof imagePlatforms)[number];

/**
 * The settings a stack file tunes (infra/config/registry.ts reads them, one key each); the rest of the
 * args are wiring from other components.
 */
export interface RegistrySettings {
  /**
   * Tag of the image built by this deployment: the git commit. The repository's tags are
   * immutable, so a tag names one image forever; `latest` is refused.
   */
  imageTag: string;
  /**
   * Run this image, already in the repository under `imageTag`, instead of building one: the
   * digest staging built and tested, copied here byte for byte by deploy.yml. A build here would
   * give another digest (BuildKit records the build time), so prod would run an image no one
   * tested. Unset: build and push.
   */
  imageDigest?: string;
  /** Platform to build for; the tasks must run on the same CPU architecture. Default linux/arm64. */
  platform?: ImagePlatform;
  /** Images the repository keeps, newest first; older ones expire. Default 30. */
  imagesKept?: number;
}

export interface RegistryArgs extends RegistrySettings {
  /** Build context: the directory the Dockerfile's COPY lines are relative to. */
  context: string;
  /** Path of the Dockerfile. */
  dockerfile: string;
  /** Dockerfile stage to build. Default `production`. */
  target?: string;
  /**
   * Delete the repositories with their images on `pulumi destroy`. Default false: a destroy
   * then fails while images remain, so a production history is never lost by accident.
   */
  forceDelete?: boolean;
}

/**
 * The service's image: an ECR repository (immutable tags, scan on push, encrypted, the newest
 * `imagesKept` images kept), and the image built from the Dockerfile with BuildKit, pushed to it
 * under the commit's tag; or, with `imageDigest`, an image another stack built, already copied
 * into the repository. Consumers get `imageRef`, `<repository>@sha256:...`: a task definition
 * that names the digest runs exactly the bytes that were built, whatever happens to tags.
 *
 * The build cache lives in a second, mutable repository (`mode=max`: every stage's layers, so
 * an unchanged `npm ci` layer is reused on a fresh CI runner); it cannot share the image
 * repository, whose tags may never be overwritten.
 *
 * Cost: ECR storage, $0.10/GB-month (an image of this service is about 80 MB compressed, so
 * 50 images plus the cache cost well under $1/month); pulls inside the region are free, but
 * go through the NAT gateway ($0.045/GB) unless an ECR VPC endpoint is added.
 */
export class Registry extends pulumi.ComponentResource {
  readonly repository: aws.ecr.Repository;
  /** The build; none when `imageDigest` names an image promoted from another stack. */
  readonly image?: dockerBuild.Image;
  /** `<repository url>@sha256:<digest>`: what task definitions run. */
  readonly imageRef: pulumi.Output<string>;
  readonly imageTag: string;

  private readonly name: string;
  private readonly args: Required<Omit<RegistryArgs, "imageDigest">> &
    Pick<RegistryArgs, "imageDigest">;

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("acme:registry:Registry", name, {}, opts);
    this.name = name;
    this.args = {
      target: "production",
      platform: "linux/arm64",
      imagesKept: 30,
      forceDelete: false,
      ...args,
    };
    if (this.args.imageTag === "latest") {
      throw new Error(`Registry ${name}: imageTag must name a commit, not "latest"`);
    }
    if (!Number.isInteger(this.args.imagesKept) || this.args.imagesKept < 1) {
      throw new Error(`Registry ${name}: imagesKept must be a positive integer`);
    }

    if (
      this.args.imageDigest !== undefined &&
      !/^sha256:[0-9a-f]{64}$/.test(this.args.imageDigest)
    ) {
      throw new Error(`Registry ${name}: imageDigest must be sha256:<64 hex digits>`);
    }

    this.repository = this.createRepository();
    const cache = this.createCacheRepository();
    this.imageTag = this.args.imageTag;
    if (this.args.imageDigest === undefined) {
      this.image = this.buildAndPush(cache);
      this.imageRef = pulumi.interpolate`${this.repository.repositoryUrl}@${this.image.digest}`;
    } else {
      this.imageRef = pulumi.interpolate`${this.repository.repositoryUrl}@${this.args.imageDigest}`;
    }

    this.registerOutputs({
      repositoryUrl: this.repository.repositoryUrl,
      imageRef: this.imageRef,
    });
  }

  private createRepository(): aws.ecr.Repository {
    const repository = new aws.ecr.Repository(
      `${this.name}-app`,
      {
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        // SSE with ECR's own key: encrypted at rest with no KMS request charges on every pull.
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        forceDelete: this.args.forceDelete,
      },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(
      `${this.name}-app`,
      {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `Keep the newest ${this.args.imagesKept} images`,
              selection: {
                tagStatus: "any",
                countType: "imageCountMoreThan",
                countNumber: this.args.imagesKept,
              },
              action: { type: "expire" },
            },
          ],
        }),
      },
      { parent: this },
    );
    return repository;
  }

  /**
   * Holds only BuildKit cache manifests, under one tag per platform that each build rewrites: that
   * tag alone is mutable, so nothing else pushed here can be silently replaced (ECR.2).
   */
  private createCacheRepository(): aws.ecr.Repository {
    const repository = new aws.ecr.Repository(
      `${this.name}-build-cache`,
      {
        imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters: [{ filter: this.cacheTag(), filterType: "WILDCARD" }],
        // Basic scanning is free; the cache holds the build stage's packages too (ECR.1).
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        // Only a cache: losing it costs one slow build.
        forceDelete: true,
      },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(
      `${this.name}-build-cache`,
      {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: "Expire cache manifests a newer build has replaced",
              selection: {
                tagStatus: "untagged",
                countType: "sinceImagePushed",
                countUnit: "days",
                countNumber: 1,
              },
              action: { type: "expire" },
            },
          ],
        }),
      },
      { parent: this },
    );
    return repository;
  }

  /** The build cache's one tag, rewritten by every build: `linux-arm64`. */
  private cacheTag(): string {
    return this.args.platform.replace("/", "-");
  }

  private buildAndPush(cache: aws.ecr.Repository): dockerBuild.Image {
    const { imageTag, platform, context, dockerfile, target } = this.args;
    // Short-lived (12 h) credentials for the account's registry, fetched at each deployment.
    const auth = aws.ecr.getAuthorizationTokenOutput(
      { registryId: this.repository.registryId },
      { parent: this },
    );
    const cacheRef = pulumi.interpolate`${cache.repositoryUrl}:${this.cacheTag()}`;
    return new dockerBuild.Image(
      `${this.name}-image`,
      {
        context: { location: context },
        dockerfile: { location: dockerfile },
        target,
        platforms: [platform],
        tags: [pulumi.interpolate`${this.repository.repositoryUrl}:${imageTag}`],
        push: true,
        // A preview builds nothing and pushes nothing, cache included: the provider's default
        // builds during previews and still exports cache manifests then (pulumi-docker-build
        // v0.0.22, provider/internal/image.go:134-147); with false it returns before any build
        // (image.go:749). Pull requests preview with read-only roles on x64 runners, where this
        // arm64 image could not be built without emulation and the cache could not be written.
        buildOnPreview: false,
        registries: [
          {
            address: this.repository.repositoryUrl.apply((url) => url.split("/")[0]),
            username: auth.userName,
            // A secret: encrypted in the state, never printed.
            password: pulumi.secret(auth.password),
          },
        ],
        cacheFrom: [{ registry: { ref: cacheRef } }],
        // ECR stores cache only as an OCI image manifest (not BuildKit's default manifest list).
        cacheTo: [
          {
            registry: {
              ref: cacheRef,
              mode: dockerBuild.CacheMode.Max,
              imageManifest: true,
              ociMediaTypes: true,
            },
          },
        ],
      },
      // Removing the Image from the program (a stack switched to `imageDigest`) or replacing it
      // makes the provider delete the pushed manifest from the registry (provider/internal/
      // client.go:430-450), which the previous release, the rollback target, still runs. The
      // repository's lifecycle policy expires old images instead.
      { parent: this, retainOnDelete: true },
    );
  }
}
