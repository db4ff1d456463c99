export { policyNoWildcardActions } from "./policy-no-wildcard-actions";
