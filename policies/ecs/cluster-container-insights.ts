import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidationPolicy } from "@pulumi/policy";

/** Clusters collect Container Insights metrics. */
export const clusterContainerInsights: ResourceValidationPolicy = {
  name: "ecs-cluster-container-insights",
  description:
    "FSBP ECS.12 and infrastructure monitoring 'container health': clusters have Container " +
    "Insights on (task CPU, memory, restarts).",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.ecs.Cluster, (cluster, _args, report) => {
    const setting = (cluster.settings ?? []).find((s) => s.name === "containerInsights");
    if (setting?.value !== "enabled" && setting?.value !== "enhanced") {
      report(
        'Container Insights is off: add settings [{name: "containerInsights", value: "enabled"}] ' +
          '(or "enhanced" for per-container metrics).',
      );
    }
  }),
};
