import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { listeners, loadBalancers } from "../lib/elb";
import { isAny, prop, refersTo, unknown } from "../lib/stack";
import type { Origin } from "../lib/cloudfront";

const deprecated = ["SSLv3", "TLSv1", "TLSv1.1"];

/**
 * CloudFront reaches custom origins over HTTPS with TLS 1.2 only. The one exception is an origin
 * that is a load balancer of this stack with no HTTPS listener (no domain, so no certificate it
 * could present): CloudFront may reach it over HTTP, where elb-http-listener-redirect makes sure
 * it serves only requests carrying CloudFront's secret header. Setting a domain adds the HTTPS
 * listener, and this policy then requires https-only.
 */
export const originHttps: StackValidationPolicy = {
  name: "cloudfront-origin-https",
  description:
    "FSBP CloudFront.9 and CloudFront.10: custom origins are reached https-only with TLSv1.2 (http-only allowed only to a load balancer of the stack that has no certificate).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const balancers = args.resources.filter((r) => isAny(r, loadBalancers));
    const httpsListeners = args.resources.filter(
      (r) => isAny(r, listeners) && prop(r, "protocol") === "HTTPS",
    );
    const certificateless = (distribution: PolicyResource, origin: Origin) => {
      const candidates = balancers.filter((lb) =>
        origin.domainName !== undefined && origin.domainName !== unknown
          ? origin.domainName === prop(lb, "dnsName")
          : refersTo(distribution, "origins", lb),
      );
      return (
        candidates.length > 0 &&
        candidates.every((lb) => !httpsListeners.some((l) => refersTo(l, "loadBalancerArn", lb)))
      );
    };

    for (const distribution of args.resources.filter((r) =>
      r.isType(aws.cloudfront.Distribution),
    )) {
      for (const origin of prop<Origin[]>(distribution, "origins") ?? []) {
        const config = origin.customOriginConfig;
        if (!config) continue;
        const where = `origin ${origin.originId} of ${distribution.name}`;
        if (config.originProtocolPolicy !== "https-only") {
          if (
            config.originProtocolPolicy !== "http-only" ||
            !certificateless(distribution, origin)
          ) {
            report(
              `${where} uses originProtocolPolicy ${config.originProtocolPolicy}: set it to ` +
                '"https-only" (the origin needs a certificate: set config domainName).',
              distribution.urn,
            );
          }
        }
        const old = (config.originSslProtocols ?? []).filter((p) => deprecated.includes(p));
        if (old.length > 0) {
          report(
            `${where} allows ${old.join(", ")} to the origin: set originSslProtocols to ["TLSv1.2"].`,
            distribution.urn,
          );
        }
      }
    }
  },
};
