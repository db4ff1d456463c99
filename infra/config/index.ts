/**
 * The one place the program reads configuration. Each section file (network.ts, database.ts, ...)
 * declares its stack-file keys as zod schemas, whose inferred type is what the program hands the
 * component; environments.ts holds the least each environment may set; load.ts reads and checks
 * them all. Every value that differs between environments is in the stack files.
 *
 * Components never import this directory: each declares the settings it takes (`DatabaseSettings`
 * in database.ts, documented with its defaults, usable without any stack file), and the section
 * file asserts at compile time that it reads exactly those fields with types the component
 * accepts (`Fits`). The dependency runs one way, config -> components, as the data does.
 */
export {
  environmentFloors,
  environmentKey,
  environmentRequires,
  environments,
} from "./environments";
export type { Environment } from "./environments";
export { gitIn, resolveImageTag, type Git } from "./image-tag";
export {
  ConfigError,
  formatProblems,
  loadConfig,
  namePrefixRule,
  projectNameProblem,
  type ConfigProblem,
  type StackConfig,
} from "./load";
export { allSettings, keys, sections } from "./sections";
export { expectedText, isOptional } from "./setting";
export { closest } from "./suggestions";
