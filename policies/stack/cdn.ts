import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { loadBalancers } from "../lib/elb";
import { isBucket } from "../lib/s3";
import { isAny, prop, refersTo } from "../lib/stack";

/**
 * A stack that serves the web through a load balancer does it through CloudFront: a
 * distribution has the load balancer (or a Route 53 alias of it) as an origin and a bucket of
 * static assets as another.
 */
export const cdn: StackValidationPolicy = {
  name: "stack-cdn",
  description:
    "Seed CDN 'configured for static assets' and quality gate 'CDN configured': a CloudFront distribution serves the load balancer and an S3 bucket of static assets (images, JS, CSS, fonts).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const balancers = args.resources.filter(
      (r) => isAny(r, loadBalancers) && prop(r, "internal") !== true,
    );
    if (balancers.length === 0) return;
    const distributions = args.resources.filter((r) => r.isType(aws.cloudfront.Distribution));
    const buckets = args.resources.filter(isBucket);
    const records = args.resources.filter((r) => r.isType(aws.route53.Record));
    for (const lb of balancers) {
      // With a domain, CloudFront reaches the load balancer on a name of its own
      // (origin.<domain>), a Route 53 alias of it.
      const names = records.filter((r) => refersTo(r, "aliases", lb));
      const fronting = distributions.filter(
        (d) => refersTo(d, "origins", lb) || names.some((n) => refersTo(d, "origins", n)),
      );
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
