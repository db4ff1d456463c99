/**
 * Container health check (`node dist/healthcheck.js`, the contract's `commands.healthCheck`):
 * exits 0 when the service answers its liveness path. The runtime image has no curl; this needs
 * only Node. Liveness only, so a database outage never gets a healthy task replaced.
 */
import { contract } from "./contract";

const port = process.env[contract.environment.port] || String(contract.port);
fetch(`http://127.0.0.1:${port}${contract.health.liveness}`, {
  signal: AbortSignal.timeout(2000),
}).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
