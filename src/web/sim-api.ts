/**
 * Driving the simulated board's inputs over HTTP: the web UI's simulator panel (under /api/sim,
 * for control users) and the simulator's own control API (hosts/node/control-api.ts) share these
 * routes.
 *
 *   GET  <prefix>/board              {"inputs":[0,1,...],"outputs":[...]}  (1 = on / closed)
 *   POST <prefix>/inputs/N           {"on":true}                           switch input N
 *   POST <prefix>/inputs/N/pulses    {"count":10,"width":20,"period":50}   a pulse train (ms)
 */
import type { Level } from "../host.ts";
import type { Handler, Router } from "../http/router.ts";
import { ApiError, apiHandler, jsonBody, sendJson } from "./json.ts";

/** What the simulator host offers (sim/control.ts BoardControl); channels are 1-based. */
export interface SimulatorControl {
  state(): { inputs: Level[]; outputs: Level[] };
  setInput(channel: number, on: boolean): void;
  /** Throws RangeError for bad arguments; returns how long the train lasts. */
  pulse(channel: number, count: number, widthMs: number, periodMs: number): number;
}

export function simulatorRoutes(router: Router, prefix: string, control: SimulatorControl, guard: (handler: Handler) => Handler = (h) => h): void {
  router.get(
    prefix + "/board",
    guard((ex) => sendJson(ex, 200, control.state())),
  );
  router.post(
    prefix + "/inputs/*",
    guard(
      apiHandler((ex) => {
        const m = /^\/inputs\/([^/]+)(\/pulses)?$/.exec(ex.path.slice(prefix.length));
        if (!m) throw new ApiError(404, `POST ${prefix}/inputs/N or ${prefix}/inputs/N/pulses`);
        const channel = Number(m[1]);
        const args = jsonBody(ex);
        if (m[2]) {
          const durationMs = control.pulse(channel, args.count as number, args.width as number, args.period as number);
          return sendJson(ex, 202, { durationMs });
        }
        if (typeof args.on !== "boolean") throw new ApiError(400, 'give {"on": true} or {"on": false}');
        control.setInput(channel, args.on);
        sendJson(ex, 200, control.state());
      }),
    ),
    { maxBody: 1024 },
  );
}
