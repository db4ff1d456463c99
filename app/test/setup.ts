import { killAll } from "./helpers/process";

/** Mocha root hooks, loaded from .mocharc.json. */
export const mochaHooks = {
  async afterAll() {
    await killAll();
  },
};
