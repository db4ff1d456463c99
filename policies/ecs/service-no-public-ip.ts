import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Services do not give their tasks public IP addresses. */
export const serviceNoPublicIp: ResourceValidationPolicy = {
  name: "ecs-service-no-public-ip",
  description:
    "FSBP ECS.2: services do not assign public IPs; tasks run in private subnets and the load " +
    "balancer is the only way in.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.Service, (service, _args, report) => {
    if (service.networkConfiguration?.assignPublicIp === true) {
      report(
        "networkConfiguration.assignPublicIp is true: set it to false and run the tasks in " +
          "private subnets (outbound traffic through the NAT gateway or VPC endpoints).",
      );
    }
  }),
};
