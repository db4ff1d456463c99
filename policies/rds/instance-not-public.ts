import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { refersToValue } from "../lib/references";
import { notChecked } from "../lib/report";
import { routing } from "../lib/routing";
import { prop } from "../lib/stack";

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
    const groups = args.resources.filter((r) => r.isType(aws.rds.SubnetGroup));
    const { subnetsOf, tableOf, routesToInternet } = routing(args.resources);

    for (const instance of args.resources.filter((r) => r.isType(aws.rds.Instance))) {
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
      for (const subnet of subnetsOf(group, "subnetIds")) {
        const table = tableOf(subnet);
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
