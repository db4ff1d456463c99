import { Region } from "@pulumi/aws/types/enums";

/*
 * AWS's own rules that the config checks values against and the components build with: one
 * place for each, so a component never needs the config module.
 */

/** The regions the AWS provider this program is built with accepts. */
export const awsRegions: readonly string[] = Object.values(Region);

/** CloudWatch Logs accepts only these retention periods (days). */
export const logRetentionDays = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/**
 * PostgreSQL major versions in RDS standard support that RDS Proxy also fronts.
 * https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html#rds-proxy.limitations
 */
export const postgresMajorVersions = ["15", "16", "17"] as const;

/** Enhanced Monitoring granularities RDS accepts (seconds; 0 is off). */
export const enhancedMonitoringIntervals = [0, 1, 5, 10, 15, 30, 60] as const;

/** Fargate task sizes: the memory (MiB) each CPU size (units) accepts. */
export const fargateMemoryByCpu: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
};

/** RDS storage autoscaling needs a ceiling at least 10% above the allocated storage (GiB). */
export function minimumStorageCeiling(allocatedGb: number): number {
  // Integer arithmetic: 50 * 1.1 is 55.000000000000007 in floating point.
  return Math.ceil((allocatedGb * 11) / 10);
}

/** An RDS `hh:mm-hh:mm` (daily) or `ddd:hh:mm-ddd:hh:mm` (weekly) window as minutes of the week. */
function windowRange(window: string): [number, number] {
  const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const weekly = window.split("-")[0].split(":").length === 3;
  const [from, to] = window.split("-").map((end) => {
    const fields = end.split(":");
    const [hh, mm] = fields.slice(-2).map(Number);
    return (weekly ? days.indexOf(fields[0]) * 1440 : 0) + hh * 60 + mm;
  });
  // A window that ends "before" it starts wraps past midnight (or past Sunday night).
  return [from, to > from ? to : to + (weekly ? 7 : 1) * 1440];
}

export function windowMinutes(window: string): number {
  const [from, to] = windowRange(window);
  return to - from;
}

/** Whether a weekly maintenance window overlaps a daily backup window on any day. */
export function windowsOverlap(backupWindow: string, maintenanceWindow: string): boolean {
  const [mFrom, mTo] = windowRange(maintenanceWindow);
  const [bFrom, bTo] = windowRange(backupWindow);
  // The backup window repeats every day; the maintenance window may wrap past Sunday night.
  for (let day = -1; day <= 7; day++) {
    const from = bFrom + day * 1440;
    const to = bTo + day * 1440;
    if (from < mTo && mFrom < to) return true;
  }
  return false;
}

/**
 * Instance classes without Performance Insights. The RDS documentation lists these for MySQL and
 * MariaDB (and the Aurora equivalents); they are refused for PostgreSQL too because enabling it on
 * them fails the create and the free tier is worth nothing on a class this small.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.Overview.Engines.html
 */
export const performanceInsightsUnsupported = [
  "db.t2.micro",
  "db.t2.small",
  "db.t3.micro",
  "db.t3.small",
  "db.t4g.micro",
  "db.t4g.small",
] as const;

export function lacksPerformanceInsights(instanceClass: string): boolean {
  return (performanceInsightsUnsupported as readonly string[]).includes(instanceClass);
}

export function isNetworkAddress(cidr: string): boolean {
  const [address, prefix] = cidr.split("/");
  const hostBits = 32 - Number(prefix);
  return ipv4ToNumber(address) % 2 ** hostBits === 0;
}

export function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n += step) out.push(n);
  return out;
}
