import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";
import { isS3Origin, type Origin } from "../lib/cloudfront";
import { notChecked } from "../lib/report";

interface OriginGroup {
  originId?: string;
  members?: { originId?: string }[];
}

/**
 * Safe condition: when the default behaviour's target (an origin, or an origin group with any
 * S3 member) is an S3 origin, defaultRootObject names an object: not empty, not beginning with
 * "/" ("Your string can't begin with a forward slash (/)", API reference
 * DistributionConfig.DefaultRootObject,
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html), and
 * not ending with "/" (S3's folder marker, not a page). Otherwise `/` is the bucket's root, which
 * lists the bucket or errors. When `/` goes to the application (a custom origin, as in this
 * template), the application answers it and the control does not apply. A target that names
 * neither an origin nor an origin group: "not checked".
 */
export const defaultRootObject: ResourceValidationPolicy = {
  name: "cloudfront-default-root-object",
  description:
    "FSBP CloudFront.1: a distribution whose default behaviour targets an S3 origin sets defaultRootObject to an object name (no leading or trailing /; not applicable when / is served by the application).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.cloudfront.Distribution, (d, _args, report) => {
    const target = d.defaultCacheBehavior?.targetOriginId;
    const origins = (d.origins ?? []) as Origin[];
    const group = ((d.originGroups ?? []) as OriginGroup[]).find((g) => g.originId === target);
    const ids = group ? (group.members ?? []).map((m) => m.originId) : [target];
    const targets = origins.filter((o) => ids.includes(o.originId));
    if (targets.length === 0) {
      notChecked(
        report,
        `the default behaviour's targetOriginId ${target} names no origin or origin group of ` +
          "the distribution",
      );
      return;
    }
    if (!targets.some(isS3Origin)) return;
    const root = d.defaultRootObject ?? "";
    const problem =
      root === ""
        ? "defaultRootObject is not set"
        : root.startsWith("/") || root.endsWith("/")
          ? `defaultRootObject "${root}" is not an object name (a leading or trailing /)`
          : undefined;
    if (problem) {
      report(
        `the default behaviour serves S3 origin ${target} but ${problem}: set ` +
          'defaultRootObject to an object\'s key (e.g. "index.html").',
      );
    }
  }),
};
