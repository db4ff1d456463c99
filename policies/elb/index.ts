export { accessLogs } from "./access-logs";
export { deletionProtection } from "./deletion-protection";
export { desyncMitigation } from "./desync-mitigation";
export { dropInvalidHeaderFields } from "./drop-invalid-header-fields";
export { httpListenerRedirect } from "./http-listener-redirect";
export { listenerTlsPolicy } from "./listener-tls-policy";
export { targetGroupHealthCheck } from "./target-group-health-check";
