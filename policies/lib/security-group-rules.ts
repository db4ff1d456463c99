/** A security group rule in any of its shapes: inline, `aws.vpc.*Rule`, `aws.ec2.SecurityGroupRule`. */
import ipaddr from "ipaddr.js";

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

/**
 * The widest prefix of one network: IPv4 /8 (a legacy class A, the largest block any one
 * organisation holds) and IPv6 /32 (the minimum allocation to a whole ISP). A range at least
 * this wide that holds a public address admits the internet, or a whole provider's customers,
 * as surely as 0.0.0.0/0 does: 0.0.0.0/1 with 128.0.0.0/1 is 0.0.0.0/0 written twice.
 */
const widestPrefix = { 4: 8, 6: 32 } as const;

/**
 * Blocks with no public (globally reachable) address: IANA's IPv4 and IPv6 Special-Purpose
 * Address Registries (RFC 6890): private RFC 1918 space, shared CGN space, loopback, link-local,
 * benchmarking, multicast and reserved; unique-local, link-local, multicast and documentation
 * IPv6. A range inside one of them is not the internet, however wide.
 */
const notPublic: Record<4 | 6, string[]> = {
  4: [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "198.18.0.0/15",
    // Multicast (224.0.0.0/4) and reserved (240.0.0.0/4) together.
    "224.0.0.0/3",
  ],
  6: ["fc00::/7", "fe80::/10", "ff00::/8", "2001:db8::/32"],
};

/** A range of at least /8 (IPv4) or /32 (IPv6) holding a public address. */
function isWidePublic(cidr: string): boolean {
  if (!ipaddr.isValidCIDR(cidr)) return false;
  const [address, prefix] = ipaddr.parseCIDR(cidr);
  if (prefix > widestPrefix[address.kind() === "ipv4" ? 4 : 6]) return false;
  return !isNotPublic(cidr);
}

/** Whether the whole range lies inside one of the blocks of `notPublic` (private, reserved). */
export function isNotPublic(cidr: string): boolean {
  if (!ipaddr.isValidCIDR(cidr)) return false;
  const [address, prefix] = ipaddr.parseCIDR(cidr);
  const version = address.kind() === "ipv4" ? 4 : 6;
  return notPublic[version].some((block) => {
    const [blockAddress, blockPrefix] = ipaddr.parseCIDR(block);
    return prefix >= blockPrefix && address.match(blockAddress, blockPrefix);
  });
}

/**
 * The rule's peer when it is the internet, else undefined: `0.0.0.0/0` or `::/0` as written, or
 * any other CIDR at least as wide as `widestPrefix` that is not inside a block of `notPublic`,
 * labelled so (`1.0.0.0/8 (a public /8)`).
 */
export function internetPeer(rule: Rule): string | undefined {
  const cidrs = [
    ...(rule.cidrBlocks ?? []),
    ...(rule.ipv6CidrBlocks ?? []),
    rule.cidrIpv4,
    rule.cidrIpv6,
  ].filter((s): s is string => !!s);
  const everything = cidrs.find((s) => anywhere.includes(s));
  if (everything) return everything;
  const wide = cidrs.find(isWidePublic);
  return wide && `${wide} (a public /${wide.split("/")[1]}, the internet)`;
}
