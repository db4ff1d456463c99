import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { isS3Origin, type Origin } from "../lib/cloudfront";

/**
 * A distribution whose default behaviour serves an S3 origin names a default root object, so
 * `/` does not list or expose the bucket. When `/` goes to the application (a custom origin,
 * as in this template), the application answers it and the control does not apply.
 */
export const defaultRootObject: ResourceValidationPolicy = {
  name: "cloudfront-default-root-object",
  description:
    "FSBP CloudFront.1: a distribution whose default behaviour targets an S3 origin sets defaultRootObject (not applicable when / is served by the application).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.cloudfront.Distribution, (d, _args, report) => {
    const target = d.defaultCacheBehavior?.targetOriginId;
    const origin = ((d.origins ?? []) as Origin[]).find((o) => o.originId === target);
    if (origin && isS3Origin(origin) && !d.defaultRootObject) {
      report(
        `the default behaviour serves S3 origin ${target} but defaultRootObject is not set: ` +
          'set defaultRootObject (e.g. "index.html").',
      );
    }
  }),
};
