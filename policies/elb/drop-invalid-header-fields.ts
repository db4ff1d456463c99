import type { ResourceValidationPolicy } from "@pulumi/policy";
import { loadBalancers } from "../lib/elb";
import { validateEach } from "../lib/validate";

function check(
  lb: { loadBalancerType?: string; dropInvalidHeaderFields?: boolean },
  report: (message: string) => void,
): void {
  if ((lb.loadBalancerType ?? "application") !== "application") return;
  if (lb.dropInvalidHeaderFields !== true) {
    report(
      "dropInvalidHeaderFields is not true: set dropInvalidHeaderFields: true so the load " +
        "balancer drops headers that are not valid HTTP (request smuggling, header injection).",
    );
  }
}

/** Application load balancers drop invalid HTTP header fields. */
export const dropInvalidHeaderFields: ResourceValidationPolicy = {
  name: "elb-drop-invalid-header-fields",
  description:
    "FSBP ELB.4: application load balancers drop invalid HTTP header fields (dropInvalidHeaderFields: true).",
  enforcementLevel: "mandatory",
  validateResource: validateEach(loadBalancers, check),
};
