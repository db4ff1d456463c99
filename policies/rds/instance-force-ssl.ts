import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { refersToValue } from "../lib/references";

/** PostgreSQL majors whose default parameter group already sets rds.force_ssl = 1. */
const forcedByDefaultFrom = 15;

/** ssl_min_protocol_version values that admit TLS older than 1.2. */
const belowTls12 = ["TLSv1", "TLSv1.1"];

/**
 * Safe condition: every PostgreSQL instance's parameter group is one of this stack's with
 * rds.force_ssl = 1 (or, from PostgreSQL 15, the default group, which sets it), and the group
 * does not lower ssl_min_protocol_version below TLSv1.2. RDS for PostgreSQL still speaks TLS 1.1
 * ("Using SSL with a PostgreSQL DB instance", Amazon RDS User Guide), so ssl_min_protocol_version
 * TLSv1 or TLSv1.1 admits it; unset, PostgreSQL requires TLSv1.2 ("The default is TLSv1.2",
 * ssl_min_protocol_version, PostgreSQL documentation, Connections and Authentication).
 */
export const instanceForceSsl: StackValidationPolicy = {
  name: "rds-instance-force-ssl",
  description:
    "'SSL configured', 'TLS 1.2+ required': every PostgreSQL instance's parameter group " +
    "sets rds.force_ssl = 1 (the default group does from PostgreSQL 15) and does not lower " +
    "ssl_min_protocol_version below TLSv1.2.",
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
      const minimum = parameters.find((p) => p.name === "ssl_min_protocol_version");
      if (minimum && belowTls12.includes(minimum.value)) {
        report(
          `database ${instance.name} accepts ${minimum.value === "TLSv1" ? "TLS 1.0" : "TLS 1.1"}: ` +
            `parameter ssl_min_protocol_version is ${minimum.value} in its parameter group ` +
            `${group.name}; set it to TLSv1.2 (or remove it: PostgreSQL's default is TLSv1.2).`,
          instance.urn,
        );
      }
    }
  },
};
