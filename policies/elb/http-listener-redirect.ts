import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { listenerRules, listeners, loadBalancers } from "../lib/elb";
import { isAny, prop, refersTo } from "../lib/stack";

interface Action {
  type?: string;
  redirect?: { protocol?: string };
}

const forwards = (actions: Action[]) => actions.some((a) => a.type === "forward");

/**
 * Port 80 only redirects to HTTPS. The one exception is a load balancer that has no certificate
 * (no HTTPS listener, no ACM certificate in the stack: the template without a domain), which
 * only CloudFront may reach: its HTTP listener must answer every request with a fixed response
 * and forward only in listener rules that require the secret origin header CloudFront sends.
 */
export const httpListenerRedirect: StackValidationPolicy = {
  name: "elb-http-listener-redirect",
  description:
    "FSBP ELB.1, SSL/TLS 'HTTPS enabled': HTTP listeners redirect to HTTPS; without any certificate in the stack, an HTTP listener may serve only CloudFront (fixed response by default, forwarding only on the origin-header rule).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const httpListeners = args.resources.filter((r) => isAny(r, listeners));
    const rules = args.resources.filter((r) => isAny(r, listenerRules));
    const certificates = args.resources.filter((r) => r.isType(aws.acm.Certificate));
    const balancerOf = (listener: PolicyResource) =>
      args.resources.find(
        (lb) => isAny(lb, loadBalancers) && refersTo(listener, "loadBalancerArn", lb),
      );

    for (const listener of httpListeners) {
      if (prop(listener, "protocol") !== "HTTP") continue;
      const actions = prop<Action[]>(listener, "defaultActions") ?? [];
      if (actions.some((a) => a.type === "redirect" && a.redirect?.protocol === "HTTPS")) continue;

      const balancer = balancerOf(listener);
      const hasHttps = httpListeners.some(
        (other) =>
          prop(other, "protocol") === "HTTPS" &&
          balancer !== undefined &&
          refersTo(other, "loadBalancerArn", balancer),
      );
      if (hasHttps || certificates.length > 0) {
        report(
          `HTTP listener ${listener.name} does not redirect to HTTPS although the stack has a ` +
            'certificate: set its defaultActions to [{ type: "redirect", redirect: { protocol: ' +
            '"HTTPS", port: "443", statusCode: "HTTP_301" } }] and serve on the HTTPS listener.',
          listener.urn,
        );
        continue;
      }
      if (forwards(actions)) {
        report(
          `HTTP listener ${listener.name} forwards plain HTTP to a target group by default: ` +
            "answer a fixed-response 403 by default and forward only in a listener rule that " +
            "requires the secret origin header CloudFront sends, or add a certificate (config " +
            "domainName) and redirect to HTTPS.",
          listener.urn,
        );
      }
      for (const rule of rules.filter((r) => refersTo(r, "listenerArn", listener))) {
        const conditions = prop<{ httpHeader?: unknown }[]>(rule, "conditions") ?? [];
        if (
          forwards(prop<Action[]>(rule, "actions") ?? []) &&
          !conditions.some((c) => c.httpHeader)
        ) {
          report(
            `listener rule ${rule.name} forwards plain HTTP without an httpHeader condition: ` +
              "require the secret origin header CloudFront sends, so only CloudFront reaches " +
              "the service over HTTP.",
            rule.urn,
          );
        }
      }
    }
  },
};
