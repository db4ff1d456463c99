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

interface Range {
  version: 4 | 6;
  start: bigint;
  prefix: number;
}

function ipv4(address: string): bigint | undefined {
  const parts = address.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    return undefined;
  }
  return parts.reduce((n, p) => (n << 8n) | BigInt(p), 0n);
}

function ipv6(address: string): bigint | undefined {
  const halves = address.toLowerCase().split("::");
  if (halves.length > 2) return undefined;
  const groups = halves.map((h) => (h === "" ? [] : h.split(":")));
  const missing = 8 - groups.reduce((n, g) => n + g.length, 0);
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all =
    halves.length === 1 ? groups[0] : [...groups[0], ...Array(missing).fill("0"), ...groups[1]];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** The CIDR as a range (host bits cleared), or undefined when it is not one. */
function parse(cidr: string): Range | undefined {
  const [address, length, ...rest] = cidr.trim().split("/");
  if (rest.length > 0 || length === undefined || !/^\d{1,3}$/.test(length)) return undefined;
  const version = address.includes(":") ? 6 : 4;
  const bits = version === 4 ? 32 : 128;
  const prefix = Number(length);
  const value = version === 4 ? ipv4(address) : ipv6(address);
  if (value === undefined || prefix > bits) return undefined;
  const host = (1n << BigInt(bits - prefix)) - 1n;
  return { version, start: value & ~host, prefix };
}

function contains(outer: Range, inner: Range): boolean {
  if (outer.version !== inner.version || outer.prefix > inner.prefix) return false;
  const bits = outer.version === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.prefix);
  return inner.start >> shift === outer.start >> shift;
}

/** A range of at least /8 (IPv4) or /32 (IPv6) holding a public address. */
function isWidePublic(cidr: string): boolean {
  const range = parse(cidr);
  if (!range || range.prefix > widestPrefix[range.version]) return false;
  return !notPublic[range.version].some((block) => contains(parse(block)!, range));
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
