/**
 * Routes: exact paths and prefixes (`/files/*`), each with handlers per method and optionally a
 * WebSocket handler. A path that exists but not for the method gives 405 with `Allow`.
 */
import type { Exchange } from "./exchange.ts";

export type Handler = (exchange: Exchange) => void;

export interface RouteOptions {
  /** Largest body this route buffers (default: the server's maxBody). */
  maxBody?: number;
  /** Hand the body over as it arrives (`exchange.onBody`, `onEnd`) instead of buffering it. */
  stream?: boolean;
}

interface Route {
  methods: Map<string, { handler: Handler; options: RouteOptions }>;
  websocket?: Handler;
}

export type Match =
  | { kind: "handler"; handler: Handler; options: RouteOptions }
  | { kind: "websocket"; handler: Handler }
  | { kind: "not-found" }
  | { kind: "method-not-allowed"; allow: string }
  | { kind: "upgrade-required" };

export class Router {
  private readonly exact = new Map<string, Route>();
  private prefixes: { prefix: string; route: Route }[] = [];
  private fallbackWebSocket: Handler | undefined;

  /** Adds `handler` for `methods` at `path` (`/x` exact, `/x/*` every path under /x/). HEAD follows GET. */
  on(methods: string | string[], path: string, handler: Handler, options: RouteOptions = {}): this {
    const route = this.route(path);
    for (const m of Array.isArray(methods) ? methods : [methods]) route.methods.set(m.toUpperCase(), { handler, options });
    return this;
  }

  get(path: string, handler: Handler, options?: RouteOptions): this {
    return this.on("GET", path, handler, options);
  }

  post(path: string, handler: Handler, options?: RouteOptions): this {
    return this.on("POST", path, handler, options);
  }

  /** WebSocket upgrades at `path`; the handler accepts (`exchange.acceptWebSocket`) or refuses (`respond`). */
  websocket(path: string, handler: Handler): this {
    this.route(path).websocket = handler;
    return this;
  }

  /** WebSocket upgrades on every path without a WebSocket route of its own (JANOS takes any path). */
  anyWebSocket(handler: Handler): this {
    this.fallbackWebSocket = handler;
    return this;
  }

  match(method: string, path: string, upgrade: boolean): Match {
    const route = this.find(path);
    if (upgrade) {
      const handler = route?.websocket ?? this.fallbackWebSocket;
      if (handler) return { kind: "websocket", handler };
    }
    if (!route) return { kind: "not-found" };
    const entry = route.methods.get(method) ?? (method === "HEAD" ? route.methods.get("GET") : undefined);
    if (entry) return { kind: "handler", handler: entry.handler, options: entry.options };
    if (!route.methods.size && route.websocket) return { kind: "upgrade-required" };
    return { kind: "method-not-allowed", allow: allowed(route) };
  }

  /** The methods `path` answers, for OPTIONS; undefined when no route has it. */
  allow(path: string): string | undefined {
    const route = this.find(path);
    return route ? allowed(route) : undefined;
  }

  private find(path: string): Route | undefined {
    const exact = this.exact.get(path);
    if (exact) return exact;
    for (const p of this.prefixes) if (path.startsWith(p.prefix)) return p.route;
    return undefined;
  }

  private route(path: string): Route {
    if (!path.startsWith("/")) throw new RangeError("route paths start with /: " + path);
    if (path.endsWith("/*")) {
      const prefix = path.slice(0, -1);
      let entry = this.prefixes.find((p) => p.prefix === prefix);
      if (!entry) {
        entry = { prefix, route: { methods: new Map() } };
        this.prefixes.push(entry);
        this.prefixes.sort((a, b) => b.prefix.length - a.prefix.length); // longest prefix wins
      }
      return entry.route;
    }
    let route = this.exact.get(path);
    if (!route) this.exact.set(path, (route = { methods: new Map() }));
    return route;
  }
}

function allowed(route: Route): string {
  const methods = [...route.methods.keys()];
  if (methods.includes("GET") && !methods.includes("HEAD")) methods.push("HEAD");
  methods.push("OPTIONS");
  return methods.join(", ");
}
