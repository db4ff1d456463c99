import type { ResourceValidationPolicy } from "@pulumi/policy";
import { loadBalancers } from "../lib/elb";
import { validateEach } from "../lib/validate";

function check(
  lb: { loadBalancerType?: string; desyncMitigationMode?: string },
  report: (message: string) => void,
): void {
  if ((lb.loadBalancerType ?? "application") !== "application") return;
  // Unset means AWS's default, "defensive", which the control accepts.
  if (lb.desyncMitigationMode === "monitor") {
    report(
      'desyncMitigationMode is "monitor", which lets ambiguous requests through: set it to ' +
        '"strictest" (or "defensive").',
    );
  }
}

/** Application load balancers mitigate HTTP desync in defensive or strictest mode. */
export const desyncMitigation: ResourceValidationPolicy = {
  name: "elb-desync-mitigation",
  description:
    "FSBP ELB.12: application load balancers use desync mitigation mode defensive (the default) or strictest, never monitor.",
  enforcementLevel: "mandatory",
  validateResource: validateEach(loadBalancers, check),
};
