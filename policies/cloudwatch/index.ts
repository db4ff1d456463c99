export { alarmActions } from "./alarm-actions";
export { alarmDescription } from "./alarm-description";
export { alarmMissingData } from "./alarm-missing-data";
export { logGroupRetention } from "./log-group-retention";
