import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { ImagePlatform } from "./config";

export interface RegistryArgs {
  /**
   * Tag of the image built by this deployment: the git commit. The repository's tags are
   * immutable, so a tag names one image forever; `latest` is refused.
   */
  imageTag: string;
  /** Build context: the directory the Dockerfile's COPY lines are relative to. */
  context: string;
  /** Path of the Dockerfile. */
  dockerfile: string;
  /** Dockerfile stage to build. Default `production`. */
  target?: string;
  /** Platform to build for; the tasks must run on the same CPU architecture. Default linux/arm64. */
  platform?: ImagePlatform;
  /** Images the repository keeps, newest first; older ones expire. Default 30. */
  imagesKept?: number;
  /**
   * Delete the repositories with their images on `pulumi destroy`. Default false: a destroy
   * then fails while images remain, so a production history is never lost by accident.
   */
  forceDelete?: boolean;
}

/**
 * The service's image: an ECR repository (immutable tags, scan on push, encrypted, the newest
 * `imagesKept` images kept), and the image built from the Dockerfile with BuildKit, pushed to it
 * under the commit's tag. Consumers get `imageRef`, `<repository>@sha256:...`: a task definition
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
  readonly image: dockerBuild.Image;
  /** `<repository url>@sha256:<digest>`: what task definitions run. */
  readonly imageRef: pulumi.Output<string>;
  readonly imageTag: string;

  private readonly name: string;
  private readonly args: Required<RegistryArgs>;

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

    this.repository = this.createRepository();
    const cache = this.createCacheRepository();
    this.image = this.buildAndPush(cache);
    this.imageTag = this.args.imageTag;
    this.imageRef = pulumi.interpolate`${this.repository.repositoryUrl}@${this.image.digest}`;

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
      { parent: this },
    );
  }
}
