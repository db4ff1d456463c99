import pg from "pg";
import { loadConfig, type Config } from "../../src/config";
import { startEmbeddedDatabase } from "../../src/db/embedded";
import { migrate } from "../../src/db/migrate";

/**
 * A database of the test's own: on the real server (TEST_DATABASE_URL) a fresh schema, dropped
 * afterwards, so runs never see each other's rows; otherwise a fresh embedded PGlite server.
 */
export interface TestDatabase {
  url: string;
  schema: string;
  /** Environment for the service or migration CLI pointed at this database. */
  env: Record<string, string>;
  config(extra?: Record<string, string>): Config;
  migrate(): Promise<void>;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  dispose(): Promise<void>;
}

let counter = 0;

export const usingRealPostgres = Boolean(process.env.TEST_DATABASE_URL);

export async function createTestDatabase(): Promise<TestDatabase> {
  let url: string;
  let schema: string;
  let stop: () => Promise<void>;
  if (process.env.TEST_DATABASE_URL) {
    url = process.env.TEST_DATABASE_URL;
    schema = `test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
    stop = async () => {
      await withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    };
  } else {
    const embedded = await startEmbeddedDatabase();
    url = embedded.url;
    schema = "public";
    stop = () => embedded.stop();
  }
  const env = { NODE_ENV: "test", DATABASE_URL: url, DATABASE_SCHEMA: schema };
  const config = (extra: Record<string, string> = {}) => loadConfig({ ...env, ...extra });
  return {
    url,
    schema,
    env,
    config,
    migrate: async () => {
      await migrate(config().database, { direction: "up" });
    },
    query: (sql, params) =>
      withClient(url, async (c) => {
        await c.query(`SET search_path TO "${schema}"`);
        return c.query(sql, params);
      }),
    dispose: stop,
  };
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
