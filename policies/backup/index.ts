export { planRetention } from "./plan-retention";
export { vaultCustomerManagedKey } from "./vault-customer-managed-key";
export { vaultLock } from "./vault-lock";
