import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { loadBalancers } from "../lib/elb";
import { isBucket } from "../lib/s3";
import { frontingDistributions } from "../lib/fronting";
import { isAny, prop, refersTo } from "../lib/stack";

export interface CdnConfig {
  servesBrowsers: boolean;
}

/**
 * Safe condition: a stack that serves browsers through an internet-facing load balancer does it
 * through CloudFront: a distribution has the load balancer (or a Route 53 alias of it) as an
 * origin and a bucket of static assets as another. Whether the program serves browsers is its
 * own statement (config `servesBrowsers`, this project's stacks: true): an API-only program is
 * not asked for a CDN. A stack that has a distribution is held to it either way.
 */
export const cdn: StackValidationPolicy = {
  name: "stack-cdn",
  description:
    "CDN 'configured for static assets' and quality gate 'CDN configured': in a program that serves browsers (config servesBrowsers) or has a distribution, a CloudFront distribution serves the internet-facing load balancer and an S3 bucket of static assets (images, JS, CSS, fonts); an API-only program is not asked for a CDN.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: { servesBrowsers: { type: "boolean", default: false } },
  },
  validateStack: (args, report) => {
    const { servesBrowsers } = args.getConfig<CdnConfig>();
    const balancers = args.resources.filter(
      (r) => isAny(r, loadBalancers) && prop(r, "internal") !== true,
    );
    if (balancers.length === 0) return;
    const distributions = args.resources.filter((r) => r.isType(aws.cloudfront.Distribution));
    if (!servesBrowsers && distributions.length === 0) return;
    const buckets = args.resources.filter(isBucket);
    for (const lb of balancers) {
      const fronting = frontingDistributions(lb, args.resources);
      if (fronting.length === 0) {
        report(
          `load balancer ${lb.name} is served without a CDN: add an aws.cloudfront.Distribution ` +
            "with it as an origin (and the static assets bucket as another).",
          lb.urn,
        );
      } else if (!fronting.some((d) => buckets.some((b) => refersTo(d, "origins", b)))) {
        report(
          `the distribution in front of ${lb.name} serves no static assets from S3: add the ` +
            "assets bucket as an origin (with an Origin Access Control) and a cache behaviour " +
            "for the hashed assets.",
          lb.urn,
        );
      }
    }
  },
};
