/** The Fargate service: its size, its scaling and what its tasks are told. */
import { z } from "zod";
import { fargateMemoryByCpu } from "../aws-limits";
import { capacityProviders, logLevels, type ServiceSettings } from "../service";
import {
  atOrAbove,
  integer,
  oneOfNumbers,
  quoted,
  retentionPeriod,
  retentionPeriods,
  setting,
  type Assert,
  type CheckContext,
  type ConfigProblem,
  type Fits,
} from "./setting";

export const serviceSection = z.object({
  logRetentionDays: setting(retentionPeriods, {
    key: "logRetentionDays",
    description: "Days application and database logs are kept",
    expected: retentionPeriod,
  }),
  cpu: setting(oneOfNumbers(Object.keys(fargateMemoryByCpu).map(Number)), {
    key: "cpu",
    description: "Fargate task CPU units",
    expected: `one of ${Object.keys(fargateMemoryByCpu).join(", ")}`,
  }),
  memory: setting(integer(512, 30720), {
    key: "memory",
    description: "Fargate task memory (MiB); must suit `cpu`",
    expected: "an integer number of MiB that Fargate allows for the chosen cpu",
  }),
  desiredCount: setting(integer(1, 100), {
    key: "desiredCount",
    description: "Tasks running normally (and the autoscaling minimum)",
    expected: (floor: number | undefined) => `an integer >= ${floor ?? 1}`,
  }),
  maxCount: setting(integer(1, 100), {
    key: "maxCount",
    description: "Autoscaling maximum; at least `desiredCount`",
    expected: "an integer from 1 to 100",
  }),
  capacityProvider: setting(z.enum(capacityProviders), {
    key: "capacityProvider",
    description: "`FARGATE_SPOT` (about 70% cheaper, may be interrupted) or `FARGATE`",
    expected: (floor: string | undefined) => {
      const allowed = atOrAbove(capacityProviders, floor);
      return allowed.length === 1 ? quoted(allowed) : `one of ${quoted(allowed)}`;
    },
  }),
  logLevel: setting(z.enum(logLevels), {
    key: "logLevel",
    description: "The service's `LOG_LEVEL`",
    expected: `one of ${logLevels.join(", ")}`,
  }),
  features: setting(
    z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: "custom", message: "not JSON" });
          return z.NEVER;
        }
      })
      .pipe(z.record(z.string().regex(/^[a-z][A-Za-z0-9]{0,62}$/), z.boolean())),
    {
      key: "features",
      description: "Feature flags, `{name: true|false}`; each becomes `FEATURE_<NAME>`",
      expected: "a map of camelCase flag names to true or false, such as {newEditor: true}",
      optional: true,
    },
  ),
});
export type ServiceConfig = z.infer<typeof serviceSection>;
export type ServiceFits = Assert<Fits<ServiceConfig, ServiceSettings>>;

export function serviceProblems(v: Partial<ServiceConfig>, { key }: CheckContext) {
  const problems: ConfigProblem[] = [];
  const { cpu, memory, desiredCount: desired, maxCount: max } = v;
  if (cpu !== undefined && memory !== undefined && !fargateMemoryByCpu[cpu]?.includes(memory)) {
    problems.push({
      key: key("memory"),
      message:
        `must be one of ${fargateMemoryByCpu[cpu].join(", ")} ` +
        `for ${key("cpu")} ${cpu}, got "${memory}"`,
    });
  }
  if (desired !== undefined && max !== undefined && max < desired) {
    problems.push({
      key: key("maxCount"),
      message: `must be >= ${key("desiredCount")} (${desired}), got "${max}"`,
    });
  }
  return problems;
}
