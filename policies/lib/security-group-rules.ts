/** A security group rule in any of its shapes: inline, `aws.vpc.*Rule`, `aws.ec2.SecurityGroupRule`. */
export interface Rule {
  fromPort?: number;
  toPort?: number;
  ipProtocol?: string;
  protocol?: string;
  type?: string;
  cidrBlocks?: string[];
  ipv6CidrBlocks?: string[];
  cidrIpv4?: string;
  cidrIpv6?: string;
}

const anywhere = ["0.0.0.0/0", "::/0"];

/** `0.0.0.0/0` or `::/0` when the rule's peer is the whole internet, else undefined. */
export function internetPeer(rule: Rule): string | undefined {
  return [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? []), rule.cidrIpv4, rule.cidrIpv6]
    .filter((s): s is string => !!s)
    .find((s) => anywhere.includes(s));
}
