/**
 * The pack's entry point (package.json `main`), for the Pulumi CLI's policy host and the offline
 * gate alike. The compiled pack in dist/ starts in well under a second; the host would otherwise
 * type-check the TypeScript with ts-node at every start (8 s and more). When the sources changed
 * since the last build, the TypeScript itself is loaded: slow, never stale.
 *
 * A published pack (`pulumi policy publish` runs `npm pack`, which ships only package.json
 * `files`) has dist/ and no sources: `prepack` compiled it from them, so it is the pack. The
 * service installs it with a plain `npm install`: no build step and no TypeScript to run.
 */
const { existsSync } = require("node:fs");
const { join } = require("node:path");

if (!existsSync(join(__dirname, "index.ts"))) {
  module.exports = require("./dist/index.js");
} else {
  const { isFresh } = require("./build.cjs");
  module.exports = require(isFresh() ? "./dist/index.js" : "./index.ts");
}
