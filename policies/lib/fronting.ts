/** Which CloudFront distributions front a load balancer. */
import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { ofType, refersTo } from "./stack";

/**
 * The distributions with `lb` as an origin: by the load balancer's own DNS name, or, with a
 * domain, by a name of its own (origin.<domain>) that a Route 53 alias points at it.
 */
export function frontingDistributions(
  lb: PolicyResource,
  resources: readonly PolicyResource[],
): PolicyResource[] {
  const names = ofType(resources, aws.route53.Record).filter((r) => refersTo(r, "aliases", lb));
  return ofType(resources, aws.cloudfront.Distribution).filter(
    (d) => refersTo(d, "origins", lb) || names.some((n) => refersTo(d, "origins", n)),
  );
}
