export { policyNoWildcardActions } from "./policy-no-wildcard-actions";
export { policyWriteActionsScoped } from "./policy-write-actions-scoped";
export { servicePrincipalSourceConditions } from "./service-principal-source-conditions";
export { resourcePolicyNotPublic } from "./resource-policy-not-public";
