import * as aws from "@pulumi/aws";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { internetPeer, type Rule } from "../lib/security-group-rules";
import { forType, validateTypes } from "../lib/validate";

/** `-1`/`all` (every protocol and port), or TCP/UDP over every port, to the whole internet. */
function violation(rule: Rule): string | undefined {
  const open = internetPeer(rule);
  if (!open) return undefined;
  const protocol = String(rule.ipProtocol ?? rule.protocol ?? "").toLowerCase();
  if (protocol === "-1" || protocol === "all") {
    return `egress to ${open} on every protocol and port`;
  }
  if ((rule.fromPort ?? 0) <= 0 && (rule.toPort ?? 65535) >= 65535) {
    return `egress to ${open} on every ${protocol} port`;
  }
  return undefined;
}

function check(rule: Rule, report: (message: string) => void): void {
  const problem = violation(rule);
  if (problem) {
    report(
      `${problem}: allow the ports and peers the group's members need (a security group, a ` +
        "prefix list, HTTPS on 443) instead.",
    );
  }
}

/**
 * Safe condition: no security group sends every protocol (or every port of one) to the
 * internet: 0.0.0.0/0, ::/0, or any public IPv4 /8 or IPv6 /32 or wider range (as
 * ec2-security-group-public-ingress, lib/security-group-rules.ts).
 */
export const securityGroupUnrestrictedEgress: ResourceValidationPolicy = {
  name: "ec2-security-group-unrestricted-egress",
  description:
    "Security groups send traffic to the internet (0.0.0.0/0, ::/0, or any public IPv4 /8 or IPv6 /32 or wider range) only on named ports (for example HTTPS), never on every protocol or port: a compromised task could otherwise reach anything.",
  enforcementLevel: "mandatory",
  validateResource: validateTypes(
    forType(aws.ec2.SecurityGroup, (group, _args, report) => {
      for (const rule of (group.egress ?? []) as Rule[]) check(rule, report);
    }),
    forType(aws.ec2.DefaultSecurityGroup, (group, _args, report) => {
      for (const rule of (group.egress ?? []) as Rule[]) check(rule, report);
    }),
    forType(aws.vpc.SecurityGroupEgressRule, (rule, _args, report) => check(rule as Rule, report)),
    forType(aws.ec2.SecurityGroupRule, (rule, _args, report) => {
      if (rule.type === "egress") check(rule as Rule, report);
    }),
  ),
};
