export { logGroupRetention } from "./log-group-retention";
