/** The database and its proxy. */
import { z } from "zod";
import {
  enhancedMonitoringIntervals,
  lacksPerformanceInsights,
  minimumStorageCeiling,
  performanceInsightsUnsupported,
  postgresMajorVersions,
  windowMinutes,
  windowsOverlap,
} from "../aws-limits";
import type { DatabaseSettings } from "../database";
import {
  boolean,
  daysFrom,
  integer,
  oneOfNumbers,
  onOrOff,
  quoted,
  setting,
  type Assert,
  type CheckContext,
  type ConfigProblem,
  type Fits,
} from "./setting";

const backupWindowFormat = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const maintenanceWindowFormat =
  /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

export const databaseSection = z.object({
  instanceClass: setting(z.string().regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/), {
    key: "dbInstanceClass",
    description: "RDS PostgreSQL instance class",
    expected: "an RDS instance class such as db.t4g.micro",
  }),
  allocatedStorageGb: setting(integer(20, 65536), {
    key: "dbAllocatedStorageGb",
    description: "Initial database storage (GiB); autoscaling may grow it",
    expected: "an integer from 20 to 65536",
  }),
  multiAz: setting(boolean, {
    key: "dbMultiAz",
    description: "Standby database in a second AZ",
    expected: onOrOff("production's database survives an AZ outage"),
  }),
  backupRetentionDays: setting(integer(1, 35), {
    key: "dbBackupRetentionDays",
    description: "Days of automated backups (point-in-time recovery window)",
    expected: daysFrom(1, 35),
  }),
  engineVersion: setting(z.enum(postgresMajorVersions), {
    key: "dbEngineVersion",
    description: "PostgreSQL major version; minor versions upgrade automatically",
    expected: `one of ${quoted(postgresMajorVersions)}`,
    default: "17",
  }),
  maxAllocatedStorageGb: setting(integer(22, 65536), {
    key: "dbMaxAllocatedStorageGb",
    description: "Storage autoscaling ceiling (GiB)",
    expected: "an integer from 22 to 65536, at least 10% above dbAllocatedStorageGb",
  }),
  backupWindow: setting(
    z
      .string()
      .regex(backupWindowFormat)
      .refine((w) => windowMinutes(w) >= 30),
    {
      key: "dbBackupWindow",
      description: "Daily automated-backup window (UTC), at least 30 minutes",
      expected: 'a UTC window "hh:mm-hh:mm" of at least 30 minutes, such as "02:00-02:30"',
      default: "02:00-02:30",
    },
  ),
  maintenanceWindow: setting(
    z
      .string()
      .regex(maintenanceWindowFormat)
      .refine((w) => windowMinutes(w) >= 30),
    {
      key: "dbMaintenanceWindow",
      description: "Weekly maintenance window (UTC); must not overlap the backup window",
      expected:
        'a UTC window "ddd:hh:mm-ddd:hh:mm" of at least 30 minutes, such as "sun:03:00-sun:03:30"',
      default: "sun:03:00-sun:03:30",
    },
  ),
  deletionProtection: setting(boolean, {
    key: "dbDeletionProtection",
    description: "RDS deletion protection and Pulumi `protect` on the database",
    expected: onOrOff("production data is protected"),
  }),
  finalSnapshot: setting(boolean, {
    key: "dbFinalSnapshot",
    description: "Snapshot the database when it is deleted",
    expected: onOrOff("production data is kept"),
  }),
  performanceInsights: setting(boolean, {
    key: "dbPerformanceInsights",
    description: "Performance Insights (7 days, free tier); not on micro/small classes",
    expected: "true or false",
  }),
  monitoringIntervalSeconds: setting(oneOfNumbers(enhancedMonitoringIntervals), {
    key: "dbMonitoringIntervalSeconds",
    description: "Enhanced Monitoring interval; 0 turns it off",
    expected: `one of ${enhancedMonitoringIntervals.join(", ")}`,
  }),
  slowQueryMs: setting(integer(0, 600000), {
    key: "dbSlowQueryMs",
    description: "Statements slower than this are logged (`log_min_duration_statement`, ms)",
    expected: "an integer from 0 to 600000",
  }),
  logQueryParameters: setting(boolean, {
    key: "dbLogQueryParameters",
    description:
      "Slow-query and error log lines include the statements' bind parameters (user data); off: `log_parameter_max_length=0` and `log_parameter_max_length_on_error=0`",
    expected: "true or false",
    default: false,
  }),
  proxyMaxConnectionsPercent: setting(integer(1, 100), {
    key: "dbProxyMaxConnectionsPercent",
    description: "Share of the database's `max_connections` RDS Proxy may open",
    expected: "an integer from 1 to 100",
  }),
  proxyMaxIdleConnectionsPercent: setting(integer(0, 100), {
    key: "dbProxyMaxIdleConnectionsPercent",
    description: "Share of `max_connections` the proxy keeps open while idle",
    expected: "an integer from 0 to 100, at most dbProxyMaxConnectionsPercent",
  }),
});
export type DatabaseConfig = z.infer<typeof databaseSection>;
export type DatabaseFits = Assert<Fits<DatabaseConfig, DatabaseSettings>>;

/**
 * The database settings AWS would reject at `pulumi up` time, checked against each other here.
 * Each check links the AWS documentation that states the constraint.
 */
export function databaseProblems(v: Partial<DatabaseConfig>, { key }: CheckContext) {
  const problems: ConfigProblem[] = [];
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.Overview.Engines.html
  if (v.performanceInsights && v.instanceClass && lacksPerformanceInsights(v.instanceClass)) {
    problems.push({
      key: key("dbPerformanceInsights"),
      message:
        `must be false for ${key("dbInstanceClass")} ` +
        `${v.instanceClass}: Performance Insights does not support ` +
        `${performanceInsightsUnsupported.join(", ")}`,
    });
  }
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
  const { allocatedStorageGb: allocated, maxAllocatedStorageGb: max } = v;
  if (allocated !== undefined && max !== undefined && max < minimumStorageCeiling(allocated)) {
    problems.push({
      key: key("dbMaxAllocatedStorageGb"),
      message:
        `must be >= ${minimumStorageCeiling(allocated)} ` +
        `(10% above ${key("dbAllocatedStorageGb")} ${allocated}), got "${max}"`,
    });
  }
  // PreferredBackupWindow "must not conflict with the preferred maintenance window":
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
  if (
    v.backupWindow &&
    v.maintenanceWindow &&
    windowsOverlap(v.backupWindow, v.maintenanceWindow)
  ) {
    problems.push({
      key: key("dbMaintenanceWindow"),
      message:
        `must not overlap ${key("dbBackupWindow")} ` +
        `(${v.backupWindow} daily), got "${v.maintenanceWindow}"`,
    });
  }
  const { proxyMaxConnectionsPercent: maxConn, proxyMaxIdleConnectionsPercent: idle } = v;
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ConnectionPoolConfiguration.html
  if (maxConn !== undefined && idle !== undefined && idle > maxConn) {
    problems.push({
      key: key("dbProxyMaxIdleConnectionsPercent"),
      message: `must be <= ${key("dbProxyMaxConnectionsPercent")} (${maxConn}), got "${idle}"`,
    });
  }
  return problems;
}
