/** A server on the in-memory host, and ways to talk to it. */
import type { HttpLimits } from "../../src/http/limits.ts";
import { Router } from "../../src/http/router.ts";
import { HttpServer } from "../../src/http/server.ts";
import type { WebSocketOptions } from "../../src/ws/websocket.ts";
import { RawHttpClient } from "../../sim/http-client.ts";
import { MemoryHost } from "../../sim/memory-host.ts";
import type { MemoryNetOptions } from "../../sim/memory-net.ts";
import { SimWebSocketClient, type WsClientOptions } from "../../sim/ws-client.ts";

export interface Fixture {
  host: MemoryHost;
  router: Router;
  server: HttpServer;
  http(): RawHttpClient;
  ws(options?: WsClientOptions): SimWebSocketClient;
  /** Lets virtual time pass (delivering bytes and firing timers). */
  run(ms?: number): void;
}

export async function serve(options: { limits?: Partial<HttpLimits>; websocket?: Partial<WebSocketOptions>; net?: MemoryNetOptions; seed?: number } = {}): Promise<Fixture> {
  const host = new MemoryHost({ net: options.net, seed: options.seed });
  const router = new Router();
  const server = new HttpServer(host, { router, limits: options.limits, websocket: options.websocket });
  await server.listen({ port: 80 });
  return {
    host,
    router,
    server,
    http: () => new RawHttpClient(host.net, 80),
    ws: (o) => new SimWebSocketClient(host.net, 80, o),
    run: (ms = 0) => host.clock.advance(ms),
  };
}

/** Lines the host logged at `level` or above, for assertions. */
export function logged(host: MemoryHost, pattern: RegExp): boolean {
  return host.logs.some((l) => pattern.test(l.message));
}
