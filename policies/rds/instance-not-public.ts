import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { refersToValue } from "../lib/references";
import { notChecked } from "../lib/report";
import { prop, refersTo, type ResourceClass } from "../lib/stack";

/** A gateway id written out rather than referenced: internet gateways' ids start so. */
const internetGatewayId = /^igw-/;

/**
 * Safe condition: no DB instance has publiclyAccessible true (unset is false: "Default is
 * `false`", @pulumi/aws rds.Instance), and none sits in a subnet whose route table routes to an
 * internet gateway. publiclyAccessible only decides whether the endpoint resolves to a public
 * address, and then "access to the DB instance is ultimately controlled by the security group it
 * uses" (CreateDBInstance, PubliclyAccessible,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html); a public
 * address is reachable only from a subnet with an internet gateway route
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html).
 * In subnets without one, a single console change of the flag, which this gate never sees, puts
 * nothing on the internet. A subnet group, subnet or route table outside the stack, or a subnet
 * on the VPC's main route table: "not checked".
 */
export const instanceNotPublic: StackValidationPolicy = {
  name: "rds-instance-not-public",
  description:
    "FSBP RDS.2: DB instances are not publicly accessible, and their subnets have no route to " +
    "an internet gateway.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const of = (cls: ResourceClass) => args.resources.filter((r) => r.isType(cls));
    const groups = of(aws.rds.SubnetGroup);
    const subnets = of(aws.ec2.Subnet);
    const associations = of(aws.ec2.RouteTableAssociation);
    const tables = of(aws.ec2.RouteTable);
    const routes = of(aws.ec2.Route);
    const gateways = of(aws.ec2.InternetGateway);

    const toGateway = (route: PolicyResource, key: string, gatewayId: unknown) =>
      gateways.some((g) => refersTo(route, key, g)) ||
      (typeof gatewayId === "string" && internetGatewayId.test(gatewayId));
    /** Whether the table has an inline route or an aws.ec2.Route to an internet gateway. */
    const routesToInternet = (table: PolicyResource): boolean => {
      const inline = prop<{ gatewayId?: string }[]>(table, "routes") ?? [];
      if (inline.some((r) => toGateway(table, "routes", r.gatewayId))) return true;
      return routes
        .filter((r) => refersTo(r, "routeTableId", table))
        .some((r) => toGateway(r, "gatewayId", prop(r, "gatewayId")));
    };

    for (const instance of of(aws.rds.Instance)) {
      const name = `database ${instance.name}`;
      if (prop(instance, "publiclyAccessible") === true) {
        report(
          "publiclyAccessible is true: set it to false and reach the database from inside the " +
            "VPC (through RDS Proxy; SSM port forwarding for people).",
          instance.urn,
        );
        continue;
      }
      const group = groups.find((g) => refersToValue(instance, "dbSubnetGroupName", g, "name"));
      if (!group) {
        notChecked(
          report,
          `${name}'s subnet group is not one this stack declares, so whether its subnets ` +
            "route to the internet cannot be read",
          instance.urn,
        );
        continue;
      }
      for (const subnet of subnets.filter((s) => refersTo(group, "subnetIds", s))) {
        const association = associations.find((a) => refersTo(a, "subnetId", subnet));
        const table = association && tables.find((t) => refersTo(association, "routeTableId", t));
        if (!table) {
          notChecked(
            report,
            `${name}'s subnet ${subnet.name} has no route table association this stack ` +
              "declares, so its routes cannot be read",
            instance.urn,
          );
        } else if (routesToInternet(table)) {
          report(
            `${name} is in subnet ${subnet.name}, whose route table ${table.name} routes to an ` +
              "internet gateway: one change of publiclyAccessible would put it on the " +
              "internet; use subnets without an internet route (the Network's isolated subnets).",
            instance.urn,
          );
        }
      }
    }
  },
};
