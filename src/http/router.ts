/**
 * Routes: exact paths and prefixes (`/files/*`), each for a method or for WebSocket upgrades. A path
 * that exists but not for the method gives 405 with `Allow`.
 *
 * Routes come in tables: a table is written once, in a module body (on the device it is preloaded,
 * in flash), and added at boot with the context its handlers get, so a route costs the device no
 * RAM. `on`, `get`, `post` and `websocket` add single routes around a closure, for what is made at
 * run time (the simulator's own APIs, tests).
 */
import type { Exchange } from "./exchange.ts";

export type Handler = (exchange: Exchange) => void;

/** A handler in a table: given the context the table was added with. */
export type RouteHandler<C> = (context: C, exchange: Exchange) => void;

export interface RouteOptions {
  /** Largest body this route buffers (default: the server's maxBody); for a `stream` route, the largest it takes (default: no limit). */
  maxBody?: number;
  /** Hand the body over as it arrives (`exchange.onBody`, `onEnd`) instead of buffering it. */
  stream?: boolean;
}

/** The method of a WebSocket route: it takes the upgrades at its path. */
export const WEBSOCKET = "WEBSOCKET";
/** The path of the route that takes the WebSocket upgrades no other route takes (JANOS takes any path). */
export const ANY_PATH = "*";

export interface Route<C> {
  /** "GET" (which answers HEAD too), "POST", …, or WEBSOCKET. */
  readonly method: string;
  /** `/x` exact, `/x/*` every path under /x/; ANY_PATH for the WebSocket fallback. */
  readonly path: string;
  readonly handler: RouteHandler<C>;
  readonly options?: RouteOptions;
}

export interface Found {
  route: Route<unknown>;
  context: unknown;
}

export type Match =
  | ({ kind: "handler" } & Found)
  | ({ kind: "websocket" } & Found)
  | { kind: "not-found" }
  | { kind: "method-not-allowed"; allow: string }
  | { kind: "upgrade-required" };

const NO_OPTIONS: RouteOptions = {};

/** The handler of routes added around a closure: the closure is the context. */
function callClosure(handler: Handler, exchange: Exchange): void {
  handler(exchange);
}

export class Router {
  private readonly tables: { routes: readonly Route<unknown>[]; context: unknown }[] = [];

  /** Adds a table of routes whose handlers get `context`. */
  add<C>(routes: readonly Route<C>[], context: C): this {
    for (const r of routes) {
      if (!(r.path.startsWith("/") || (r.path === ANY_PATH && r.method === WEBSOCKET))) throw new RangeError("route paths start with /: " + r.path);
    }
    this.tables.push({ routes: routes as readonly Route<unknown>[], context });
    return this;
  }

  /** Adds `handler` for `methods` at `path` (`/x` exact, `/x/*` every path under /x/). HEAD follows GET. */
  on(methods: string | string[], path: string, handler: Handler, options?: RouteOptions): this {
    const routes = (Array.isArray(methods) ? methods : [methods]).map((m): Route<Handler> => ({ method: m.toUpperCase(), path, handler: callClosure, options }));
    return this.add(routes, handler);
  }

  get(path: string, handler: Handler, options?: RouteOptions): this {
    return this.on("GET", path, handler, options);
  }

  post(path: string, handler: Handler, options?: RouteOptions): this {
    return this.on("POST", path, handler, options);
  }

  /** WebSocket upgrades at `path` (ANY_PATH: those no other route takes); the handler accepts (`exchange.acceptWebSocket`) or refuses (`respond`). */
  websocket(path: string, handler: Handler): this {
    return this.on(WEBSOCKET, path, handler);
  }

  match(method: string, path: string, upgrade: boolean): Match {
    if (upgrade) {
      const found = this.find(this.routePath(path, true), WEBSOCKET) ?? this.find(ANY_PATH, WEBSOCKET);
      if (found) return { kind: "websocket", ...found };
    }
    const at = this.routePath(path, false);
    if (at === undefined) return { kind: "not-found" };
    const found = this.find(at, method) ?? (method === "HEAD" ? this.find(at, "GET") : undefined);
    if (found) return { kind: "handler", ...found };
    const allow = this.allowAt(at);
    return allow ? { kind: "method-not-allowed", allow } : { kind: "upgrade-required" };
  }

  /** The methods `path` answers, for OPTIONS; undefined when no route has it. */
  allow(path: string): string | undefined {
    const at = this.routePath(path, false);
    return at === undefined ? undefined : (this.allowAt(at) ?? "OPTIONS");
  }

  /** Options of a matched route, defaults when it has none. */
  static options(route: Route<unknown>): RouteOptions {
    return route.options ?? NO_OPTIONS;
  }

  /** The route path that takes `path`: an exact one, else the longest prefix; with `onlyWebSocket`, of WebSocket routes. */
  private routePath(path: string, onlyWebSocket: boolean): string | undefined {
    let best: string | undefined;
    for (const t of this.tables) {
      for (const r of t.routes) {
        if (r.path === ANY_PATH || (onlyWebSocket && r.method !== WEBSOCKET)) continue;
        if (r.path === path) return path;
        if (r.path.endsWith("/*") && path.startsWith(r.path.slice(0, -1)) && (best === undefined || r.path.length > best.length)) best = r.path;
      }
    }
    return best;
  }

  private find(at: string | undefined, method: string): Found | undefined {
    if (at === undefined) return undefined;
    for (const t of this.tables) {
      for (const r of t.routes) if (r.path === at && r.method === method) return { route: r, context: t.context };
    }
    return undefined;
  }

  /** "GET, HEAD, POST, OPTIONS" for the methods at `at`; undefined when it only takes WebSockets. */
  private allowAt(at: string): string | undefined {
    const methods: string[] = [];
    for (const t of this.tables) {
      for (const r of t.routes) if (r.path === at && r.method !== WEBSOCKET && !methods.includes(r.method)) methods.push(r.method);
    }
    if (!methods.length) return undefined;
    if (methods.includes("GET") && !methods.includes("HEAD")) methods.push("HEAD");
    methods.push("OPTIONS");
    return methods.join(", ");
  }
}
