import type { ResourceValidationPolicy } from "@pulumi/policy";
import { targetGroups } from "../lib/elb";
import { validateEach } from "../lib/validate";

interface TargetGroup {
  targetType?: string;
  protocol?: string;
  protocolVersion?: string;
  healthCheck?: { enabled?: boolean; path?: string; protocol?: string; matcher?: string };
}

/** The HTTP codes a matcher ("200", "200,202", "200-299") accepts that are errors (400 and up). */
function errorCodes(matcher: string): string[] {
  return matcher
    .split(",")
    .map((part) => part.trim())
    .filter((part) => {
      const [from, to = from] = part.split("-").map(Number);
      return Number.isFinite(from) && Math.max(from, to) >= 400;
    });
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
  if (protocol !== "HTTP" && protocol !== "HTTPS") return;
  if (!check.path) {
    report(
      "healthCheck.path is not set, so the load balancer probes '/': set it to the service's " +
        "readiness endpoint (e.g. /readyz).",
    );
  } else if (check.path.trim() === "/") {
    report(
      'healthCheck.path is "/", the site\'s root, not a readiness endpoint: set it to the ' +
        "service's readiness endpoint (e.g. /readyz).",
    );
  }
  // A gRPC target group's matcher holds gRPC status codes (0-99), not HTTP ones.
  if (group.protocolVersion?.toUpperCase() === "GRPC" || !check.matcher) return;
  const errors = errorCodes(check.matcher);
  if (errors.length > 0) {
    report(
      `healthCheck.matcher "${check.matcher}" counts ${errors.join(", ")} as healthy, so a target ` +
        "answering an error (404 for a missing route, 401, 500) stays in service: match only " +
        'success codes (e.g. "200").',
    );
  }
}

/**
 * Safe condition: every target group other than a Lambda one has a health check that is not
 * disabled; an HTTP or HTTPS one probes a path other than "/" (unset is "/"), the service's
 * readiness endpoint, and its matcher (unset: "200") accepts no code of 400 or more. An
 * Application Load Balancer accepts matcher codes "between 200 and 499" ("Health checks for
 * Application Load Balancer target groups", Elastic Load Balancing User Guide), so a matcher
 * such as "200-499" is valid and marks a target healthy while it answers errors.
 */
export const targetGroupHealthCheck: ResourceValidationPolicy = {
  name: "elb-target-group-health-check",
  description:
    "Container 'health check defined' and monitoring 'container health': target groups set a health check on the service's readiness path (not '/'), counting no 4xx or 5xx answer as healthy.",
  enforcementLevel: "mandatory",
  validateResource: validateEach(targetGroups, check),
};
