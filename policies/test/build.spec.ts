import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packDir } from "../../scripts/offline/policy-config";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require(join(packDir, "build.cjs")) as { isFresh(): boolean };

describe("the pack's build (build.cjs)", () => {
  // tsconfig.build.json extends tsconfig.json, which extends ../tsconfig.base.json: a change there
  // (a stricter check, another target) changes what dist/ would be.
  it("counts dist/ stale when a compiler setting it extends from outside the pack changes", () => {
    const base = join(packDir, "..", "tsconfig.base.json");
    const text = readFileSync(base, "utf8");
    assert.equal(build.isFresh(), true, "run `npm run build -w policies` first");
    try {
      writeFileSync(base, text.replace('"target": "ES2022"', '"target": "ES2023"'));
      assert.equal(build.isFresh(), false);
    } finally {
      writeFileSync(base, text);
    }
    assert.equal(build.isFresh(), true);
  });
});
