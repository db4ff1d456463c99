export { logging } from "./logging";
export { managedRuleGroups } from "./managed-rule-groups";
export { rateLimit } from "./rate-limit";
