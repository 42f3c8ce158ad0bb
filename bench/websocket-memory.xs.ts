/**
 * Steps metered on XS: the heap an idle WebSocket costs. The same N simulated clients are held
 * first by a bare listener (baseline: the simulated network's own objects), then upgraded to idle
 * WebSockets on the real server; the difference is what the HTTP and WebSocket layers keep.
 */
import type { Connection } from "../src/host.ts";
import { Router } from "../src/http/router.ts";
import { HttpServer } from "../src/http/server.ts";
import { MemoryHost } from "../sim/memory-host.ts";
import { SimWebSocketClient } from "../sim/ws-client.ts";

export const N = 64;

declare const gc: (() => void) | undefined;
const noop = (): void => {};
const collect = (): void => {
  if (typeof gc === "function") gc();
};

let host: MemoryHost;
let held: Connection[] = [];
let clients: SimWebSocketClient[] = [];
let server: HttpServer;

const steps: [string, () => void][] = [
  [
    "setup",
    () => {
      host = new MemoryHost();
      const router = new Router();
      router.websocket("/", (ex) => {
        ex.acceptWebSocket();
      });
      server = new HttpServer(host, { router });
      void server.listen({ port: 80 });
      void host.net.listen({ port: 81 }, (c) => {
        c.onData = noop;
        held.push(c);
      });
      host.clock.advance(0);
      collect();
    },
  ],
  [
    "baseline",
    () => {
      for (let i = 0; i < N; i++) clients.push(new SimWebSocketClient(host.net, 81));
      host.clock.advance(0);
      collect();
    },
  ],
  [
    "release baseline",
    () => {
      for (const c of held) c.destroy();
      host.clock.advance(0);
      held = [];
      clients = [];
      collect();
    },
  ],
  [
    "websockets",
    () => {
      for (let i = 0; i < N; i++) clients.push(new SimWebSocketClient(host.net, 80));
      host.clock.advance(0);
      if (server.webSockets !== N || clients.some((c) => c.status !== 101)) throw new Error("not all upgraded: " + server.webSockets);
      collect();
    },
  ],
];
export default steps;
