import type { ResourceValidationPolicy } from "@pulumi/policy";
import { targetGroups } from "../lib/elb";
import { validateEach } from "../lib/validate";

interface TargetGroup {
  targetType?: string;
  protocol?: string;
  healthCheck?: { enabled?: boolean; path?: string; protocol?: string };
}

function check(group: TargetGroup, report: (message: string) => void): void {
  if (group.targetType === "lambda") return;
  const check = group.healthCheck;
  if (!check || check.enabled === false) {
    report(
      "the target group has no health check of its own: set healthCheck with the service's " +
        "readiness path (e.g. /readyz), matcher, interval and thresholds.",
    );
    return;
  }
  const protocol = check.protocol ?? group.protocol ?? "HTTP";
  if ((protocol === "HTTP" || protocol === "HTTPS") && !check.path) {
    report(
      "healthCheck.path is not set, so the load balancer probes '/': set it to the service's " +
        "readiness endpoint (e.g. /readyz).",
    );
  }
}

/** Target groups probe the service's readiness endpoint. */
export const targetGroupHealthCheck: ResourceValidationPolicy = {
  name: "elb-target-group-health-check",
  description:
    "Container 'health check defined' and monitoring 'container health': target groups set a health check on the service's readiness path.",
  enforcementLevel: "mandatory",
  validateResource: validateEach(targetGroups, check),
};
