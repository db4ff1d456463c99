import { readdirSync } from "node:fs";
import { basename } from "node:path";
import { gate, startHost, stopHost } from "./gate";
import { valueCases } from "./value-cases";

/** True when this run loaded every spec file, as `npm test` does (not a one-file run). */
function wholeSuite(root: Mocha.Suite): boolean {
  const loaded = new Set(root.suites.map((s) => basename(s.file ?? "")));
  return readdirSync(__dirname)
    .filter((f) => f.endsWith(".spec.ts"))
    .every((f) => loaded.has(f));
}

/** One policy-pack process for the whole run: starting it type-checks the pack (seconds). */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    await startHost();
  },
  async afterAll(this: Mocha.Context) {
    try {
      if (this.test?.parent && wholeSuite(this.test.parent)) {
        const names = (await gate().policies()).map((p) => p.name);
        const missing = valueCases.withoutValueCase(names);
        if (missing.length > 0) {
          throw new Error(
            `${missing.length} policies have no failing case with a wrong value (only absent ` +
              `ones, or none): ${missing.join(", ")}. Add a case that sets a value the policy ` +
              `must refuse (test/value-cases.ts says how cases are classified).`,
          );
        }
      }
    } finally {
      await stopHost();
    }
  },
};
