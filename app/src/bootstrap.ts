import { ConfigError } from "./config";
import { bootstrapRoles } from "./db/bootstrap";
import { logConnectRetry, runEntryPoint } from "./startup";

/**
 * `npm run bootstrap -w app`, or `node dist/bootstrap.js` in the image: creates or checks the
 * migration owner and service roles and their privileges (src/db/bootstrap.ts), then exits 0.
 * Connects as the MASTER user (PGUSER/PGPASSWORD or DATABASE_URL): run it as a one-off task
 * whose definition alone carries the master secret, never in the service's task (README,
 * "Database roles"). Idempotent; concurrent runs wait for each other.
 */
runEntryPoint(async ({ config, log, exit }) => {
  if (config.database.embedded) {
    throw new ConfigError(["DATABASE_URL: set it (or PGHOST and friends) to run the bootstrap"]);
  }
  const { owner, app } = config.database.roles;
  const result = await bootstrapRoles(config.database, {
    owner,
    app,
    log: (msg) => log.info({ component: "bootstrap" }, msg),
    onRetry: logConnectRetry(log, "bootstrap"),
  });
  log.info(
    { component: "bootstrap", owner, app, schema: config.database.schema, ...result },
    `roles ready: ${owner} owns schema ${config.database.schema}, ${app} has DML only` +
      (result.rdsIam ? " (both IAM-authenticated: rds_iam)" : ""),
  );
  exit(0);
});
