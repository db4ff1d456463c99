/**
 * Findings that are not a plain violation at the policy's level.
 *
 * `reportViolation` also takes an object (the SDK's `makeReportViolationFun`, @pulumi/policy
 * 1.21.0 server.js) whose `enforcementLevel` replaces the policy's for that one finding; its
 * published type only shows the string form, hence the cast. A config that disables the policy
 * still silences these, as it should.
 */
import type { ReportViolation } from "@pulumi/policy";

type ReportInfo = (info: { message: string; urn?: string; enforcementLevel: "advisory" }) => void;

/**
 * A check the policy could not make (an unknown value, a document that does not parse, a
 * reference to something outside the stack), said aloud as an advisory finding that starts
 * with "not checked: ", instead of passing in silence. It never blocks: the gate cannot decide.
 */
export function notChecked(report: ReportViolation, reason: string, urn?: string): void {
  (report as unknown as ReportInfo)({
    message: `not checked: ${reason}`,
    urn,
    enforcementLevel: "advisory",
  });
}

/**
 * An advisory finding from a policy whatever its level: for asking to state explicitly what
 * AWS already does by default (a new bucket's encryption and public access block), which is
 * worth reviewing but is not a defect.
 */
export function advise(report: ReportViolation, message: string, urn?: string): void {
  (report as unknown as ReportInfo)({ message, urn, enforcementLevel: "advisory" });
}

/** JSON.parse that says why it failed instead of throwing. */
export function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
