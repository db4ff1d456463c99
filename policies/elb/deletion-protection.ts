import type { ResourceValidationPolicy } from "@pulumi/policy";
import { loadBalancers } from "../lib/elb";
import { validateEach } from "../lib/validate";

function check(
  lb: { enableDeletionProtection?: boolean },
  report: (message: string) => void,
): void {
  if (lb.enableDeletionProtection !== true) {
    report(
      "deletion protection is off: set enableDeletionProtection: true (config " +
        "deletionProtection), so a mistaken destroy cannot take the entry point down.",
    );
  }
}

/** Load balancers refuse deletion until protection is turned off. */
export const deletionProtection: ResourceValidationPolicy = {
  name: "elb-deletion-protection",
  description:
    "FSBP ELB.6: load balancers have deletion protection enabled (staging and dev may tear down: advisory there).",
  enforcementLevel: "mandatory",
  validateResource: validateEach(loadBalancers, check),
};
