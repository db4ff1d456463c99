import fp from "fastify-plugin";
import type pg from "pg";
import type { DatabaseConfig } from "../config";
import { createPool } from "../db/pool";

declare module "fastify" {
  interface FastifyInstance {
    db: pg.Pool;
  }
}

/** One pg pool per app; ended when the app closes, after in-flight requests have finished. */
export default fp<{ database: DatabaseConfig }>(
  async (app, { database }) => {
    const pool = createPool(database, (err) =>
      app.log.warn({ err }, "database connection lost; the pool will reconnect on demand"),
    );
    app.decorate("db", pool);
    app.addHook("onClose", async () => {
      await pool.end();
    });
  },
  { name: "database" },
);
