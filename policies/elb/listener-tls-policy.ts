import type { ResourceValidationPolicy } from "@pulumi/policy";
import { listeners } from "../lib/elb";
import { validateEach } from "../lib/validate";

/** ELB security policies that negotiate nothing older than TLS 1.2 (TLS13-1-2, TLS-1-2, FS-1-2 families). */
const tls12OrNewer = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/;

function check(
  listener: { protocol?: string; sslPolicy?: string },
  report: (message: string) => void,
): void {
  if (listener.protocol !== "HTTPS" && listener.protocol !== "TLS") return;
  if (!listener.sslPolicy || !tls12OrNewer.test(listener.sslPolicy)) {
    report(
      `${listener.protocol} listener's sslPolicy is ${listener.sslPolicy ?? "not set"}: set ` +
        "sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2 and 1.3 only).",
    );
  }
}

/** HTTPS and TLS listeners use a security policy that accepts only TLS 1.2 or newer. */
export const listenerTlsPolicy: ResourceValidationPolicy = {
  name: "elb-listener-tls-policy",
  description:
    "SSL/TLS 'TLS 1.2+ required', FSBP ELB.17: HTTPS/TLS listeners use an ELB security policy allowing only TLS 1.2 or newer.",
  enforcementLevel: "mandatory",
  validateResource: validateEach(listeners, check),
};
