/**
 * Loads TypeScript as `ts-node --swc` does, for mocha (.mocharc.json) and the processes tests
 * start in place of `npm run <script>`. swc strips the types several times faster than
 * TypeScript's own transpiler, which took a third of the offline gate's CPU; it does not
 * type-check, which `npm run typecheck` does. `pulumi up` is unaffected: the Pulumi CLI registers
 * ts-node itself, with tsconfig.json, which does not name swc.
 */
require("ts-node").register({ swc: true });
