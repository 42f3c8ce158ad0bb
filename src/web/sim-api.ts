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
import type { Exchange } from "../http/exchange.ts";
import type { Route, Router } from "../http/router.ts";
import { ApiError, api, jsonBody, sendJson } from "./json.ts";

/** What the input requests' bodies hold. */
const INPUT_NAMES: ReadonlySet<string> = new Set(["on", "count", "width", "period"]);

/** What the simulator host offers (sim/control.ts BoardControl); channels are 1-based. */
export interface SimulatorControl {
  state(): { inputs: Level[]; outputs: Level[] };
  setInput(channel: number, on: boolean): void;
  /** Throws RangeError for bad arguments; returns how long the train lasts. */
  pulse(channel: number, count: number, widthMs: number, periodMs: number): number;
}

/** `prefix` + "/board" and + "/inputs/*" for `control`; `gate` decides first (the UI's panel needs a control user). */
export function simulatorRoutes(router: Router, prefix: string, control: SimulatorControl, gate: (exchange: Exchange) => boolean = () => true): void {
  const context: SimulatorContext = { prefix, control, gate };
  router.add(simulatorTable(prefix), context);
}

interface SimulatorContext {
  prefix: string;
  control: SimulatorControl;
  gate(exchange: Exchange): boolean;
}

function board(c: SimulatorContext, ex: Exchange): void {
  if (c.gate(ex)) sendJson(ex, 200, c.control.state());
}

const setInputs = api((c: SimulatorContext, ex: Exchange): void => {
  const m = /^\/inputs\/([^/]+)(\/pulses)?$/.exec(ex.path.slice(c.prefix.length));
  if (!m) throw new ApiError(404, `POST ${c.prefix}/inputs/N or ${c.prefix}/inputs/N/pulses`);
  const channel = Number(m[1]);
  const args = jsonBody(ex, INPUT_NAMES);
  if (m[2]) {
    const durationMs = c.control.pulse(channel, args.count as number, args.width as number, args.period as number);
    return sendJson(ex, 202, { durationMs });
  }
  if (typeof args.on !== "boolean") throw new ApiError(400, 'give {"on": true} or {"on": false}');
  c.control.setInput(channel, args.on);
  sendJson(ex, 200, c.control.state());
});

function inputs(c: SimulatorContext, ex: Exchange): void {
  if (c.gate(ex)) setInputs(c, ex);
}

/** The table at `prefix`, made when the simulator starts (it runs on Node only). */
function simulatorTable(prefix: string): Route<SimulatorContext>[] {
  return [
    { method: "GET", path: prefix + "/board", handler: board },
    { method: "POST", path: prefix + "/inputs/*", handler: inputs, options: { maxBody: 1024 } },
  ];
}
