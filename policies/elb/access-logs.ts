import type { ResourceValidationPolicy } from "@pulumi/policy";
import { loadBalancers } from "../lib/elb";
import { validateEach } from "../lib/validate";

function check(
  lb: { loadBalancerType?: string; accessLogs?: { bucket?: string; enabled?: boolean } },
  report: (message: string) => void,
): void {
  if ((lb.loadBalancerType ?? "application") === "gateway") return;
  if (lb.accessLogs?.enabled !== true || !lb.accessLogs.bucket) {
    report(
      "access logs are off: set accessLogs: { bucket: <a private log bucket with an expiry>, " +
        "enabled: true }.",
    );
  }
}

/** Load balancers write access logs to S3. */
export const accessLogs: ResourceValidationPolicy = {
  name: "elb-access-logs",
  description:
    "FSBP ELB.5, logging 'centralized log collection': load balancers write access logs to S3 (accessLogs.enabled).",
  enforcementLevel: "mandatory",
  validateResource: validateEach(loadBalancers, check),
};
