import { startHost, stopHost } from "./gate";

/** One policy-pack process for the whole run: starting it type-checks the pack (seconds). */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    await startHost();
  },
  async afterAll() {
    await stopHost();
  },
};
