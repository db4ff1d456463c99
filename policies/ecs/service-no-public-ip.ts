import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { notChecked } from "../lib/report";
import { routing } from "../lib/routing";
import { prop } from "../lib/stack";

/**
 * Safe condition: no service has networkConfiguration.assignPublicIp true, and none runs its
 * tasks in a subnet whose route table routes to an internet gateway. In such a subnet a task
 * either has a public IP, "routable from the internet", or has no way out at all (no image
 * pull); the private subnets reach out through NAT or VPC endpoints instead
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/networking-outbound.html). A
 * subnet without a route table association of the stack: "not checked".
 */
export const serviceNoPublicIp: StackValidationPolicy = {
  name: "ecs-service-no-public-ip",
  description:
    "FSBP ECS.2: services do not assign public IPs; tasks run in private subnets (no route to " +
    "an internet gateway) and the load balancer is the only way in.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const { subnetsOf, tableOf, routesToInternet } = routing(args.resources);
    for (const service of args.resources.filter((r) => r.isType(aws.ecs.Service))) {
      const network = prop<{ assignPublicIp?: boolean }>(service, "networkConfiguration");
      if (network?.assignPublicIp === true) {
        report(
          "networkConfiguration.assignPublicIp is true: set it to false and run the tasks in " +
            "private subnets (outbound traffic through the NAT gateway or VPC endpoints).",
          service.urn,
        );
        continue;
      }
      for (const subnet of subnetsOf(service, "networkConfiguration")) {
        const table = tableOf(subnet);
        if (!table) {
          notChecked(
            report,
            `service ${service.name}'s subnet ${subnet.name} has no route table association ` +
              "this stack declares, so its routes cannot be read",
            service.urn,
          );
        } else if (routesToInternet(table)) {
          report(
            `service ${service.name} runs tasks in subnet ${subnet.name}, whose route table ` +
              `${table.name} routes to an internet gateway: run them in the private subnets ` +
              "(outbound traffic through the NAT gateway or VPC endpoints).",
            service.urn,
          );
        }
      }
    }
  },
};
