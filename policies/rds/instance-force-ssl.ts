import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { refersToValue } from "../lib/references";

/** PostgreSQL majors whose default parameter group already sets rds.force_ssl = 1. */
const forcedByDefaultFrom = 15;

/** Every PostgreSQL instance refuses connections without TLS. */
export const instanceForceSsl: StackValidationPolicy = {
  name: "rds-instance-force-ssl",
  description:
    "'SSL configured', 'TLS 1.2+ required': every PostgreSQL instance's parameter group " +
    "sets rds.force_ssl = 1 (the default group does from PostgreSQL 15).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const groups = args.resources.filter((r) => r.isType(aws.rds.ParameterGroup));
    for (const instance of args.resources.filter((r) => r.isType(aws.rds.Instance))) {
      if (instance.props.engine !== "postgres") continue;
      const group = groups.find((g) => refersToValue(instance, "parameterGroupName", g, "name"));
      if (!group) {
        const major = parseInt(String(instance.props.engineVersion ?? ""), 10);
        if (instance.props.parameterGroupName === undefined && major >= forcedByDefaultFrom) {
          continue;
        }
        // A group from outside the stack cannot be read here.
        report(
          `database ${instance.name} uses a parameter group this stack does not declare, so TLS ` +
            "cannot be checked: declare an aws.rds.ParameterGroup with rds.force_ssl = 1 and set " +
            "it as parameterGroupName.",
          instance.urn,
        );
        continue;
      }
      const parameters = (group.props.parameters ?? []) as { name: string; value: string }[];
      const forceSsl = parameters.find((p) => p.name === "rds.force_ssl");
      if (forceSsl?.value !== "1") {
        report(
          `database ${instance.name} accepts connections without TLS: set parameter ` +
            `rds.force_ssl = 1 in its parameter group ${group.name}.`,
          instance.urn,
        );
      }
    }
  },
};
