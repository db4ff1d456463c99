/**
 * The pack's entry point (package.json `main`), for the Pulumi CLI's policy host and the offline
 * gate alike. The compiled pack in dist/ starts in well under a second; the host would otherwise
 * type-check the TypeScript with ts-node at every start (8 s and more). When the sources changed
 * since the last build, the TypeScript itself is loaded: slow, never stale.
 */
const { isFresh } = require("./build.cjs");

module.exports = require(isFresh() ? "./dist/index.js" : "./index.ts");
