/**
 * The simulator's control API, for tools and tests: drive the simulated board over HTTP. It has no
 * authentication, so it listens on 127.0.0.1 only, whatever --host says.
 *
 *   GET  /board                  {"inputs":[0,1,...],"outputs":[...]}  (1 = on / closed)
 *   POST /inputs/N               {"on":true}                           switch input N
 *   POST /inputs/N/pulses        {"count":10,"width":20,"period":50}   a pulse train (ms)
 *
 * Errors are 400 with {"error":"..."}.
 */
import type { Host, Listener } from "../../src/host.ts";
import type { Exchange } from "../../src/http/exchange.ts";
import { Router } from "../../src/http/router.ts";
import { HttpServer } from "../../src/http/server.ts";
import type { BoardControl } from "../../sim/control.ts";

function json(ex: Exchange, status: number, value: unknown): void {
  ex.respond(status, JSON.stringify(value) + "\n", ["Content-Type", "application/json"]);
}

function body(ex: Exchange): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(ex.body));
  } catch {
    throw new RangeError("the body must be a JSON object");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new RangeError("the body must be a JSON object");
  return value as Record<string, unknown>;
}

export async function startControlApi(host: Host, control: BoardControl, port: number): Promise<{ server: HttpServer; listener: Listener }> {
  const router = new Router();
  router.get("/board", (ex) => json(ex, 200, control.state()));
  router.post(
    "/inputs/*",
    (ex) => {
      try {
        const m = /^\/inputs\/([^/]+)(\/pulses)?$/.exec(ex.path);
        if (!m) return json(ex, 404, { error: "POST /inputs/N or /inputs/N/pulses" });
        const channel = Number(m[1]);
        const args = body(ex);
        if (m[2]) {
          const durationMs = control.pulse(channel, args.count as number, args.width as number, args.period as number);
          return json(ex, 202, { durationMs });
        }
        if (typeof args.on !== "boolean") throw new RangeError('give {"on": true} or {"on": false}');
        control.setInput(channel, args.on);
        json(ex, 200, control.state());
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        json(ex, 400, { error: e.message });
      }
    },
    { maxBody: 1024 },
  );
  const server = new HttpServer(host, { router, limits: { maxConnections: 16 } });
  const listener = await server.listen({ host: "127.0.0.1", port });
  return { server, listener };
}
