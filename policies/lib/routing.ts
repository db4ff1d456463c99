/**
 * Which subnets of the stack route to an internet gateway: through their route table
 * association, the table's inline routes or its aws.ec2.Route resources, to an
 * aws.ec2.InternetGateway of the stack (by reference) or to an `igw-` id written out.
 */
import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { prop, refersTo, type ResourceClass } from "./stack";

/** A gateway id written out rather than referenced: internet gateways' ids start so. */
const internetGatewayId = /^igw-/;

export interface Routing {
  /** The stack's subnets that `from.props[key]` refers to. */
  subnetsOf(from: PolicyResource, key: string): PolicyResource[];
  /** The subnet's route table, or undefined when no association of the stack names one. */
  tableOf(subnet: PolicyResource): PolicyResource | undefined;
  /** Whether the table has a route to an internet gateway. */
  routesToInternet(table: PolicyResource): boolean;
}

export function routing(resources: PolicyResource[]): Routing {
  const of = (cls: ResourceClass) => resources.filter((r) => r.isType(cls));
  const subnets = of(aws.ec2.Subnet);
  const associations = of(aws.ec2.RouteTableAssociation);
  const tables = of(aws.ec2.RouteTable);
  const routes = of(aws.ec2.Route);
  const gateways = of(aws.ec2.InternetGateway);

  const toGateway = (route: PolicyResource, key: string, gatewayId: unknown) =>
    gateways.some((g) => refersTo(route, key, g)) ||
    (typeof gatewayId === "string" && internetGatewayId.test(gatewayId));

  return {
    subnetsOf: (from, key) => subnets.filter((s) => refersTo(from, key, s)),
    tableOf: (subnet) => {
      const association = associations.find((a) => refersTo(a, "subnetId", subnet));
      return association && tables.find((t) => refersTo(association, "routeTableId", t));
    },
    routesToInternet: (table) => {
      const inline = prop<{ gatewayId?: string }[]>(table, "routes") ?? [];
      if (inline.some((r) => toGateway(table, "routes", r.gatewayId))) return true;
      return routes
        .filter((r) => refersTo(r, "routeTableId", table))
        .some((r) => toGateway(r, "gatewayId", prop(r, "gatewayId")));
    },
  };
}
