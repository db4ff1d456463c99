import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { refersToValue } from "../lib/references";
import { prop } from "../lib/stack";

/**
 * The longest a secret may stay unchanged: FSBP SecretsManager.4 (AWS Config
 * secretsmanager-secret-periodic-rotation) fails a secret not rotated for more than
 * maxDaysSinceRotation days, "The default value is 90 days".
 */
const maximumDays = 90;

const months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/** The months (1-12) a cron month field names, or undefined when it cannot be read. */
function monthsOf(field: string): number[] | undefined {
  const value = (s: string) => {
    const n = months.indexOf(s.toUpperCase()) + 1 || Number(s);
    return Number.isInteger(n) && n >= 1 && n <= 12 ? n : undefined;
  };
  const found = new Set<number>();
  for (const part of field.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from, to] =
      range === "*" ? [1, 12] : range.includes("-") ? range.split("-").map(value) : [value(range)];
    const last = to ?? (stepText === undefined ? from : 12);
    if (from === undefined || last === undefined || !(step >= 1)) return undefined;
    for (let m = from; m <= last; m += step) found.add(m);
  }
  return [...found].sort((a, b) => a - b);
}

/**
 * How the rotation schedule leaves the secret unchanged longer than `maximumDays`, or
 * undefined. rotationRules is automaticallyAfterDays, or scheduleExpression rate(N days|hours)
 * or cron(minutes hours day-of-month month day-of-week year) ("Rotation schedules", AWS Secrets
 * Manager User Guide). A cron that names months runs again after the widest gap between them: 3
 * months are up to 92 days (quarterly fails SecretsManager.4); one that names a year stops.
 */
function scheduleProblem(rules: {
  automaticallyAfterDays?: number;
  scheduleExpression?: string;
}): string | undefined {
  const days = rules.automaticallyAfterDays;
  if (typeof days === "number" && days > maximumDays) {
    return `rotationRules.automaticallyAfterDays is ${days}`;
  }
  if (typeof rules.scheduleExpression !== "string") return undefined;
  const expression = rules.scheduleExpression.trim();
  const rate = /^rate\(\s*(\d+)\s+(day|days|hour|hours)\s*\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const inDays = rate[2].startsWith("hour") ? n / 24 : n;
    return inDays > maximumDays ? `rotationRules.scheduleExpression is "${expression}"` : undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return undefined;
  const fields = cron[1].trim().split(/\s+/);
  const [month, year] = [fields[3], fields[5]];
  if (year !== undefined && year !== "*") {
    return `rotationRules.scheduleExpression "${expression}" rotates only in the year(s) ${year}`;
  }
  if (month === undefined || month === "*" || month === "?") return undefined;
  const listed = monthsOf(month);
  if (!listed?.length) return undefined;
  const gaps = listed.map((m, i) => (listed[(i + 1) % listed.length] - m + 12) % 12 || 12);
  const widest = Math.max(...gaps);
  return widest >= 3
    ? `rotationRules.scheduleExpression "${expression}" leaves ${widest} months between rotations`
    : undefined;
}

/**
 * Safe condition: every Secrets Manager secret the stack declares has an
 * aws.secretsmanager.SecretRotation, and its rotationRules rotate it at least every 90 days
 * (FSBP SecretsManager.4's default, `maximumDays`): automaticallyAfterDays at most 90, a
 * rate() of at most 90 days, or a cron whose months are never 3 or more apart and that names no
 * year. Secrets RDS manages itself (manageMasterUserPassword) are not declared and rotate every
 * 7 days.
 */
export const secretRotation: StackValidationPolicy = {
  name: "secretsmanager-secret-rotation",
  description:
    "FSBP SecretsManager.1 and SecretsManager.4, 'secrets in secret manager': every Secrets " +
    "Manager secret the stack declares has an aws.secretsmanager.SecretRotation that rotates " +
    "it at least every 90 days (secrets RDS manages itself, like the database's master " +
    "password, rotate without one).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const rotations = args.resources.filter((r) => r.isType(aws.secretsmanager.SecretRotation));
    for (const secret of args.resources.filter((r) => r.isType(aws.secretsmanager.Secret))) {
      const own: PolicyResource[] = rotations.filter((rotation) =>
        refersToValue(rotation, "secretId", secret, "arn"),
      );
      if (own.length === 0) {
        report(
          `secret ${secret.name} never rotates: add an aws.secretsmanager.SecretRotation for it ` +
            "(rotationRules.automaticallyAfterDays), or let the owning service manage it (RDS " +
            "manageMasterUserPassword).",
          secret.urn,
        );
        continue;
      }
      for (const rotation of own) {
        const problem = scheduleProblem(prop(rotation, "rotationRules") ?? {});
        if (problem) {
          report(
            `secret ${secret.name} can stay unchanged more than ${maximumDays} days: ${problem}; ` +
              `rotate at least every ${maximumDays} days (automaticallyAfterDays ${maximumDays} ` +
              "or less, or a schedule that runs at least that often), as SecretsManager.4 checks.",
            rotation.urn,
          );
        }
      }
    }
  },
};
