/**
 * The program's floors (infra/config/environments.ts) and the gate's per-environment settings
 * (policies/config/<env>.json over the pack's defaults) state the same minimums twice: the config
 * refuses a value before anything is declared, the pack refuses the resource. Neither imports the
 * other, so this test reads both and fails where they disagree; so too for a ceiling (the WAF
 * rate limit).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  allSettings,
  environmentFloors,
  environmentRequires,
  environments,
  isOptional,
  type Environment,
} from "../../infra/config";
import { packDir } from "../../scripts/offline/policy-config";

interface Policy {
  name: string;
  enforcementLevel: string;
  configSchema?: { properties?: Record<string, { default?: unknown }> };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { policies } = require(join(packDir, "policies")) as { policies: Policy[] };

/** The level and settings the pack runs a policy with in the environment, as the CLI merges them. */
function effective(env: Environment, name: string) {
  const config = JSON.parse(readFileSync(join(packDir, "config", `${env}.json`), "utf8"));
  const policy = policies.find((p) => p.name === name);
  assert.ok(policy, `${name} is a policy of the pack`);
  const own = typeof config[name] === "string" ? { enforcementLevel: config[name] } : config[name];
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {}).map(([k, v]) => [k, v.default]),
  );
  return {
    level: (own?.enforcementLevel ?? config.all ?? policy.enforcementLevel) as string,
    settings: { ...defaults, ...own } as Record<string, unknown>,
  };
}

/** A minimum number of days the pack asks, and the key whose floor must be the same. */
const minimums = [
  { policy: "rds-instance-backup-retention", key: "dbBackupRetentionDays" },
  { policy: "backup-plan-retention", key: "backupDailyRetentionDays" },
];
/** A policy that, where it blocks, requires a switch the config must hold on. */
const switches = [
  { policy: "rds-instance-deletion-protection", key: "dbDeletionProtection" },
  { policy: "rds-instance-multi-az", key: "dbMultiAz" },
  { policy: "elb-deletion-protection", key: "deletionProtection" },
  { policy: "cloudfront-waf", key: "waf" },
];

describe("floors and the gate's per-environment minimums", () => {
  it("name only keys the schemas declare, each floor a value its key accepts", () => {
    for (const env of environments) {
      for (const [key, floor] of Object.entries({
        ...environmentFloors[env],
        ...environmentRequires[env],
      })) {
        const setting = allSettings.find((s) => s.meta.key === key);
        assert.ok(setting, `${env}: ${key} is no config key`);
        if (key in environmentFloors[env]) {
          assert.ok(setting.schema.safeParse(String(floor)).success, `${env}: ${key} ${floor}`);
        } else {
          assert.ok(isOptional(setting.schema), `${env}: ${key} is optional`);
        }
      }
    }
  });

  for (const env of environments) {
    describe(env, () => {
      for (const { policy, key } of minimums) {
        it(`${key}'s floor is ${policy}'s minimumDays`, () => {
          const { level, settings } = effective(env, policy);
          assert.equal(level, "mandatory");
          assert.equal(environmentFloors[env][key], settings.minimumDays);
        });
      }
      for (const { policy, key } of switches) {
        it(`${key} is held on exactly where ${policy} blocks a deployment`, () => {
          const blocks = effective(env, policy).level === "mandatory";
          assert.equal(environmentFloors[env][key] === true, blocks);
        });
      }
      it("wafRateLimit accepts up to wafv2-rate-limit's maximum per 5 minutes, and nothing it refuses", () => {
        const { settings } = effective(env, "wafv2-rate-limit");
        const maximum = settings.maximumPerFiveMinutes as number;
        const schema = allSettings.find((s) => s.meta.key === "wafRateLimit")!.schema;
        assert.ok(schema.safeParse(String(maximum)).success, `${env}: ${maximum} is accepted`);
        assert.ok(
          !schema.safeParse(String(maximum + 1)).success,
          `${env}: ${maximum + 1} is refused`,
        );
      });
      it("requires backupCopyRegion exactly where stack-database-backup requires an off-site copy", () => {
        const { level, settings } = effective(env, "stack-database-backup");
        const required = level === "mandatory" && settings.requireOffsiteCopy === true;
        assert.equal("backupCopyRegion" in environmentRequires[env], required);
      });
    });
  }
});
