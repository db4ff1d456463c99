/**
 * An embedded PostgreSQL for running the service on a machine with no database server: PGlite
 * (PostgreSQL compiled to WebAssembly) served over the Postgres wire protocol on a local port,
 * so the service uses the same driver, SQL and migrations as in production. Development only:
 * the packages are devDependencies and are absent from the container image.
 */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedDatabase(
  opts: { dataDir?: string; port?: number } = {},
): Promise<EmbeddedDatabase> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create(opts.dataDir ? opts.dataDir : undefined);
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: opts.port ?? 0,
    // PGlite is one backend; the server multiplexes client connections onto it.
    maxConnections: 20,
  });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgres://postgres@${address}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
