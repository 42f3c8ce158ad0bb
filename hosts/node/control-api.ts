/**
 * The simulator's control API, for tools and tests: drive the simulated board over HTTP (the routes
 * of src/web/sim-api.ts at the root). It has no authentication, so it listens on 127.0.0.1 only,
 * whatever --host says, and refuses requests that other web sites make through a browser.
 *
 *   GET  /board                  {"inputs":[0,1,...],"outputs":[...]}  (1 = on / closed)
 *   POST /inputs/N               {"on":true}                           switch input N
 *   POST /inputs/N/pulses        {"count":10,"width":20,"period":50}   a pulse train (ms)
 *
 * Errors are 400 with {"error":"..."}.
 */
import type { Host, Listener } from "../../src/host.ts";
import { Router } from "../../src/http/router.ts";
import { HttpServer } from "../../src/http/server.ts";
import { simulatorRoutes, type SimulatorControl } from "../../src/web/sim-api.ts";

export async function startControlApi(host: Host, control: SimulatorControl, port: number): Promise<{ server: HttpServer; listener: Listener }> {
  const router = new Router();
  simulatorRoutes(router, "", control);
  const server = new HttpServer(host, { router, limits: { maxConnections: 16 } });
  const listener = await server.listen({ host: "127.0.0.1", port });
  return { server, listener };
}
