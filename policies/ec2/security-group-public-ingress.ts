import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { internetPeer, type Rule } from "../lib/security-group-rules";
import { forType, validateTypes } from "../lib/validate";

const webPorts = [80, 443];

/** Opens a port to the whole internet, other than HTTP and HTTPS. */
function violation(rule: Rule): string | undefined {
  const open = internetPeer(rule);
  if (!open) return undefined;
  const protocol = String(rule.ipProtocol ?? rule.protocol ?? "");
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  const isWebPort =
    (protocol === "tcp" || protocol === "6") && from === to && webPorts.includes(from);
  return isWebPort ? undefined : `ingress from ${open} to ${protocol || "all"}/${from}-${to}`;
}

function check(rule: Rule, report: (message: string) => void): void {
  const problem = violation(rule);
  if (problem) {
    report(
      `${problem}: open only 80/443 to the internet; reach anything else through the load ` +
        "balancer or SSM Session Manager.",
    );
  }
}

/**
 * Safe condition: ingress from the internet is allowed only on TCP 80 or 443, one port per rule
 * (a range 80-443 opens every port between). The internet is 0.0.0.0/0 or ::/0, and also any
 * CIDR of IPv4 /8 or wider, or IPv6 /32 or wider, that holds a public address (outside IANA's
 * special-purpose registries, RFC 6890: RFC 1918 private, unique-local fc00::/7 and the like):
 * 0.0.0.0/1 and 128.0.0.0/1 together are 0.0.0.0/0 (lib/security-group-rules.ts). Protocol -1
 * or "all" opens every port.
 */
export const securityGroupPublicIngress: ResourceValidationPolicy = {
  name: "ec2-security-group-public-ingress",
  description:
    "Security groups may accept traffic from the internet (0.0.0.0/0, ::/0, or any public IPv4 /8 or IPv6 /32 or wider range) only on TCP 80 and 443 (the load balancer).",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    forType(aws.ec2.SecurityGroup, (group, _args, report) => {
      for (const rule of (group.ingress ?? []) as Rule[]) check(rule, report);
    }),
    forType(aws.vpc.SecurityGroupIngressRule, (rule, _args, report) => {
      check(rule as Rule, report);
    }),
    forType(aws.ec2.SecurityGroupRule, (rule, _args, report) => {
      if (rule.type === "ingress") check(rule as Rule, report);
    }),
  ),
};
