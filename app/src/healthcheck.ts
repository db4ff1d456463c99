/**
 * Container health check (`node dist/healthcheck.js`): exits 0 when the service answers
 * /healthz. The runtime image has no curl; this needs only Node. Liveness only, so a database
 * outage never gets a healthy task replaced.
 */
const port = process.env.PORT || "8080";
fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
