import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { emfValue, type MetricsConfig } from "../metrics";

export interface ActiveClientsOptions {
  metrics: MetricsConfig;
  /** Length of a counting window (ms). */
  windowMs: number;
  /** Addresses remembered per window at most, so a flood of addresses cannot exhaust memory. */
  maxTracked: number;
}

/** Probes from the load balancer and Route 53 are not users. */
const PROBES = new Set(["/healthz", "/readyz"]);

/**
 * "Active users" for a service without accounts: the distinct client addresses (as the load
 * balancer forwards them; `trustProxy` is on) seen in each window, logged at the window's end
 * as the `ActiveClients` EMF metric. Each task counts its own clients and the dashboard sums the
 * tasks, so a client served by two tasks counts twice: an upper bound. Addresses stay in this
 * process's memory for one window and are never logged. A window with no client logs nothing.
 */
export default fp(
  async (app: FastifyInstance, opts: ActiveClientsOptions) => {
    let clients = new Set<string>();
    const flush = () => {
      if (clients.size === 0) return;
      app.log.info(emfValue(opts.metrics, "activeClients", clients.size), "active clients");
      clients = new Set();
    };
    const timer = setInterval(flush, opts.windowMs).unref();

    app.addHook("onRequest", (request, _reply, done) => {
      if (clients.size < opts.maxTracked && !PROBES.has(request.url)) clients.add(request.ip);
      done();
    });
    // A task stopping mid-window still reports the clients it served.
    app.addHook("onClose", (_instance, done) => {
      clearInterval(timer);
      flush();
      done();
    });
  },
  { name: "active-clients" },
);
