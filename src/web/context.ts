/**
 * What every web route gets (the context its table is added with), and the gates in front of the
 * handlers. The gates wrap handlers where the tables are written, in module bodies: on the device
 * the wrapped handlers are preloaded like the rest.
 */
import type { FailureLimiter } from "../auth/failure-limiter.ts";
import type { Role, UserStore } from "../auth/users.ts";
import type { WebLogin } from "../auth/web-login.ts";
import type { Host } from "../host.ts";
import type { RouteHandler } from "../http/router.ts";
import type { Registry } from "../registry/registry.ts";
import type { DeviceFacts } from "./device-api.ts";
import type { SimulatorControl } from "./sim-api.ts";

export interface WebContext {
  host: Host;
  login: WebLogin;
  users: UserStore;
  limiter: FailureLimiter;
  registry: Registry;
  facts: DeviceFacts;
  /** In the simulator: the board's inputs, for the UI's simulator panel. */
  simulator?: SimulatorControl;
  status(): unknown;
}

export type WebHandler = RouteHandler<WebContext>;

/** Behind the page login: open when `WebServer/Login` is off. */
export function page(handler: WebHandler): WebHandler {
  return (c, ex) => {
    if (c.login.allowsPage(ex)) handler(c, ex);
  };
}

/** For users with `role` or more, whatever `WebServer/Login` says. */
export function forRole(role: Role, handler: WebHandler): WebHandler {
  return (c, ex) => {
    if (c.login.allowsRole(ex, role)) handler(c, ex);
  };
}
