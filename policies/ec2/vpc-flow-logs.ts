import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { dependsOn } from "../lib/stack";

/** Every VPC has a flow log that records all traffic. */
export const vpcFlowLogs: StackValidationPolicy = {
  name: "ec2-vpc-flow-logs",
  description: "Every VPC has a flow log of ALL traffic, for incident investigation.",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const flowLogs = args.resources.filter((r) => r.isType(aws.ec2.FlowLog));
    for (const vpc of args.resources.filter((r) => r.isType(aws.ec2.Vpc))) {
      // A new VPC's id is unknown in a preview, so match on the dependency as well as the value.
      const covered = flowLogs.some(
        (log) =>
          log.props.trafficType === "ALL" &&
          (dependsOn(log, "vpcId", vpc) ||
            (vpc.props.id !== undefined && log.props.vpcId === vpc.props.id)),
      );
      if (!covered) {
        report(
          `VPC ${vpc.name} has no flow log of ALL traffic: add an aws.ec2.FlowLog with ` +
            "trafficType ALL to CloudWatch Logs or S3.",
          vpc.urn,
        );
      }
    }
  },
};
