export { alertTable } from "./alert-table";
export { cdn } from "./cdn";
export { dashboard } from "./dashboard";
export { databaseBackup } from "./database-backup";
export { securityGroupGraph } from "./security-group-graph";
export { taskLogGroups } from "./task-log-groups";
