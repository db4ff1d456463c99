import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** No database has a public endpoint. */
export const instanceNotPublic: ResourceValidationPolicy = {
  name: "rds-instance-not-public",
  description: "FSBP RDS.2: DB instances are not publicly accessible.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, report) => {
    if (instance.publiclyAccessible === true) {
      report(
        "publiclyAccessible is true: set it to false and reach the database from inside the " +
          "VPC (through RDS Proxy; SSM port forwarding for people).",
      );
    }
  }),
};
