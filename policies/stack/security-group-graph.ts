import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { loadBalancers } from "../lib/elb";
import { isNotPublic } from "../lib/security-group-rules";
import { frontingDistributions } from "../lib/fronting";
import { ofType, prop, refersTo, type ResourceClass } from "../lib/stack";

type Role = "load balancer" | "service" | "proxy" | "database";

interface Source {
  /** A CIDR or prefix list, or the security group it names (undefined: not in this stack). */
  address?: string;
  group?: PolicyResource;
  rule: string;
}

interface InlineIngress {
  cidrBlocks?: string[];
  ipv6CidrBlocks?: string[];
  prefixListIds?: string[];
  self?: boolean;
}

const isPublic = (address: string) =>
  address === "0.0.0.0/0" || address === "::/0" || address.startsWith("pl-");

/**
 * The security groups form one chain: only the load balancer's group admits the internet (or
 * CloudFront's prefix list; only the prefix list when a CloudFront distribution fronts it); the service's only the load balancer's; the proxy's only the
 * service's; the database's only the proxy's (the service's when there is no proxy), or the group
 * of a one-off task that signs in as the master (a group of no role that admits nothing itself:
 * nothing can reach through it). Roles come from where each group is attached.
 */
export const securityGroupGraph: StackValidationPolicy = {
  name: "stack-security-group-graph",
  description:
    "network chain internet -> load balancer -> service -> proxy -> database: each security group admits only the group before it (the database's also a one-off task's group that admits nothing); only the load balancer's admits the internet or CloudFront's prefix list, and only the prefix list when CloudFront fronts it.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const { resources } = args;
    const groups = ofType(resources, aws.ec2.SecurityGroup);
    const attachedTo = (key: string, ...classes: ResourceClass[]) => {
      const holders = ofType(resources, ...classes);
      return groups.filter((g) => holders.some((r) => refersTo(r, key, g)));
    };
    const roles: Record<Role, PolicyResource[]> = {
      "load balancer": attachedTo("securityGroups", ...loadBalancers),
      service: attachedTo("networkConfiguration", aws.ecs.Service),
      proxy: attachedTo("vpcSecurityGroupIds", aws.rds.Proxy),
      database: attachedTo("vpcSecurityGroupIds", aws.rds.Instance, aws.rds.Cluster),
    };
    const ingressRules = ofType(resources, aws.vpc.SecurityGroupIngressRule);
    const groupRules = ofType(resources, aws.ec2.SecurityGroupRule);
    // Who may reach whom: internet -> load balancer -> service -> (proxy ->) database.
    const upstream = (role: Role): Role =>
      role === "service"
        ? "load balancer"
        : role === "proxy" || roles.proxy.length === 0
          ? "service"
          : "proxy";

    const groupsNamed = (rule: PolicyResource, key: string) =>
      groups.filter((g) => refersTo(rule, key, g));
    const sourcesOf = (group: PolicyResource): Source[] => {
      const sources: Source[] = [];
      const add = (rule: string, addresses: (string | undefined)[], named: PolicyResource[]) => {
        for (const address of addresses.filter((a): a is string => !!a)) {
          sources.push({ address, rule });
        }
        for (const source of named) sources.push({ group: source, rule });
      };
      for (const ingress of prop<InlineIngress[]>(group, "ingress") ?? []) {
        add(
          `inline ingress of ${group.name}`,
          [
            ...(ingress.cidrBlocks ?? []),
            ...(ingress.ipv6CidrBlocks ?? []),
            ...(ingress.prefixListIds ?? []),
          ],
          [
            ...groupsNamed(group, "ingress").filter((g) => g !== group),
            ...(ingress.self ? [group] : []),
          ],
        );
      }
      for (const rule of ingressRules.filter((r) => refersTo(r, "securityGroupId", group))) {
        add(
          rule.name,
          [prop(rule, "cidrIpv4"), prop(rule, "cidrIpv6"), prop(rule, "prefixListId")],
          groupsNamed(rule, "referencedSecurityGroupId"),
        );
      }
      for (const rule of groupRules) {
        if (prop(rule, "type") === "ingress" && refersTo(rule, "securityGroupId", group)) {
          add(
            rule.name,
            [
              ...(prop<string[]>(rule, "cidrBlocks") ?? []),
              ...(prop<string[]>(rule, "ipv6CidrBlocks") ?? []),
              ...(prop<string[]>(rule, "prefixListIds") ?? []),
            ],
            [...groupsNamed(rule, "sourceSecurityGroupId"), ...(prop(rule, "self") ? [group] : [])],
          );
        }
      }
      return sources;
    };

    // A load balancer that CloudFront fronts: clients that reach it directly skip the CDN and its
    // web ACL, so its group admits CloudFront's origin-facing prefix list, not internet ranges.
    const fronted = ofType(resources, ...loadBalancers).filter(
      (lb) => frontingDistributions(lb, resources).length > 0,
    );
    const behindCdn = (group: PolicyResource) =>
      fronted.some((lb) => refersTo(lb, "securityGroups", group));

    for (const group of groups) {
      const own = (Object.keys(roles) as Role[]).filter((role) => roles[role].includes(group));
      for (const source of sourcesOf(group)) {
        if (own.includes("load balancer")) {
          const address = source.address;
          if (address && address.includes("/") && !isNotPublic(address) && behindCdn(group)) {
            report(
              `security group ${group.name} (the load balancer's) admits ${address} ` +
                `(${source.rule}), but CloudFront fronts the load balancer: clients reaching it ` +
                "directly skip the CDN and its web ACL. Admit only CloudFront's origin-facing " +
                "prefix list (com.amazonaws.global.cloudfront.origin-facing, prefixListId).",
              group.urn,
            );
          }
          continue;
        }
        if (own.length === 0) {
          if (source.address && isPublic(source.address)) {
            report(
              `security group ${group.name} admits ${source.address} (${source.rule}), but only ` +
                "the load balancer's group may admit the internet or CloudFront: remove the rule " +
                "and reach it through the load balancer.",
              group.urn,
            );
          }
          continue;
        }
        const allowed = own.flatMap((role) => roles[upstream(role)]);
        if (source.group && allowed.includes(source.group)) continue;
        // The database's role bootstrap (infra/role-bootstrap.ts) signs in as the master, whom
        // the proxy does not carry, so it needs the instance itself; its group is a dead end.
        const deadEnd = (g: PolicyResource) =>
          !Object.values(roles).some((attached) => attached.includes(g)) &&
          sourcesOf(g).length === 0;
        if (own.includes("database") && source.group && deadEnd(source.group)) continue;
        const expected = own.map(upstream).join(" or ");
        report(
          `security group ${group.name} (the ${own.join(" and ")}'s) admits ` +
            `${source.group ? `security group ${source.group.name}` : source.address} ` +
            `(${source.rule}): admit only the ${expected}'s security group ` +
            "(referencedSecurityGroupId).",
          group.urn,
        );
      }
    }
  },
};
