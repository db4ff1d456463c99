/** The parts of an `aws.cloudfront.Distribution` the CloudFront policies read. */
export interface Behavior {
  pathPattern?: string;
  targetOriginId?: string;
  viewerProtocolPolicy?: string;
  responseHeadersPolicyId?: string;
}

export interface Origin {
  originId?: string;
  domainName?: string;
  originAccessControlId?: string;
  s3OriginConfig?: { originAccessIdentity?: string };
  customOriginConfig?: { originProtocolPolicy?: string; originSslProtocols?: string[] };
  vpcOriginConfig?: unknown;
}

/** Every cache behaviour, the default one first, each with a name for messages. */
export function behaviors(distribution: {
  defaultCacheBehavior?: Behavior;
  orderedCacheBehaviors?: Behavior[];
}): { where: string; behavior: Behavior }[] {
  return [
    ...(distribution.defaultCacheBehavior
      ? [{ where: "defaultCacheBehavior", behavior: distribution.defaultCacheBehavior }]
      : []),
    ...(distribution.orderedCacheBehaviors ?? []).map((behavior) => ({
      where: `the ${behavior.pathPattern} behaviour`,
      behavior,
    })),
  ];
}

/** CloudFront treats an origin with neither a custom nor a VPC origin config as an S3 origin. */
export const isS3Origin = (origin: Origin) => !origin.customOriginConfig && !origin.vpcOriginConfig;
