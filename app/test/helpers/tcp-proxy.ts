import net from "node:net";

/**
 * A TCP proxy between the service and PostgreSQL that a test can cut and restore, to simulate
 * an outage without touching the shared database server.
 *  - "up": forwards, optionally after `delayMs` per chunk towards the server (slow queries);
 *  - "down": existing connections are reset and new ones refused at once;
 *  - "blackhole": connections are accepted but nothing is ever answered (a dead network path);
 *  - "reject": each connection gets a PostgreSQL FATAL ErrorResponse (`rejectWith`) to its
 *    startup message, then is closed: a server that is starting up (57P03), or a proxy whose
 *    target is not available yet.
 * `refuse()` stops listening altogether (the kernel refuses: ECONNREFUSED), `listenAgain()`
 * listens on the same port again: an endpoint that appears during a deploy.
 */
export class TcpProxy {
  private server = net.createServer((client) => this.onConnection(client));
  private sockets = new Set<net.Socket>();
  mode: "up" | "down" | "blackhole" | "reject" = "up";
  rejectWith = { code: "57P03", message: "the database system is starting up" };
  /** Connections accepted so far (in any mode): how many attempts a client made. */
  connections = 0;
  delayMs = 0;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static forUrl(url: string): TcpProxy {
    const u = new URL(url);
    return new TcpProxy(u.hostname, Number(u.port || 5432));
  }

  /** `url` with host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = "127.0.0.1";
    u.port = String(this.port);
    return u.toString();
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Closes the listening socket: new connections are refused by the kernel. */
  async refuse(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server = net.createServer((client) => this.onConnection(client));
  }

  /** Listens again on the same port, forwarding. */
  async listenAgain(): Promise<void> {
    this.restore();
    await this.start();
  }

  cut(mode: "down" | "blackhole" = "down") {
    this.mode = mode;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore() {
    this.mode = "up";
  }

  async stop(): Promise<void> {
    this.cut();
    if (this.server.listening) {
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
  }

  private track(s: net.Socket) {
    this.sockets.add(s);
    s.on("close", () => this.sockets.delete(s));
    s.on("error", () => s.destroy());
  }

  private onConnection(client: net.Socket) {
    this.connections++;
    if (this.mode === "reject") {
      this.track(client);
      client.once("data", () => client.end(errorResponse(this.rejectWith)));
      return;
    }
    if (this.mode === "down") {
      client.resetAndDestroy();
      return;
    }
    this.track(client);
    if (this.mode === "blackhole") return;
    const upstream = net.connect(this.targetPort, this.targetHost);
    this.track(upstream);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    upstream.pipe(client);
    client.on("data", (chunk) => {
      if (this.delayMs === 0) {
        upstream.write(chunk);
        return;
      }
      client.pause();
      setTimeout(() => {
        upstream.write(chunk);
        client.resume();
      }, this.delayMs);
    });
  }
}

/** A PostgreSQL protocol ErrorResponse ('E'): severity FATAL, SQLSTATE and message. */
function errorResponse({ code, message }: { code: string; message: string }): Buffer {
  const fields = Buffer.concat([
    ...[
      ["S", "FATAL"],
      ["V", "FATAL"],
      ["C", code],
      ["M", message],
    ].map(([type, value]) => Buffer.from(`${type}${value}\0`, "utf8")),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write("E", 0, "ascii");
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}
