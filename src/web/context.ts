/**
 * What every web route gets (the context its table is added with), and the gates in front of the
 * handlers. The gates wrap handlers where the tables are written, in module bodies: on the device
 * the wrapped handlers are preloaded like the rest.
 */
import type { Authenticator } from "../auth/authenticator.ts";
import type { Role, UserStore } from "../auth/users.ts";
import type { WebLogin } from "../auth/web-login.ts";
import type { Host } from "../host.ts";
import type { Exchange } from "../http/exchange.ts";
import type { RouteHandler } from "../http/router.ts";
import type { FirmwareUpdater } from "../firmware/updater.ts";
import type { NetworkManager } from "../network/manager.ts";
import type { Registry } from "../registry/registry.ts";
import type { DeviceFacts } from "./device-api.ts";
import type { SimulatorControl } from "./sim-api.ts";

export interface WebContext {
  host: Host;
  login: WebLogin;
  users: UserStore;
  auth: Authenticator;
  registry: Registry;
  facts: DeviceFacts;
  network: NetworkManager;
  /** Firmware updates (PUT /api/firmware). */
  firmware?: FirmwareUpdater;
  /** In the simulator: the board's inputs, for the UI's simulator panel. */
  simulator?: SimulatorControl;
  status(): unknown;
}

export type WebHandler = RouteHandler<WebContext>;

export const SETUP_PAGE = "/setup";

/**
 * Whether a page may be served: a unit in setup mode without an administrator sends its pages to
 * the setup page (nobody could log in); otherwise the page login decides (open when
 * `WebServer/Login` is off). When not, the request has been answered.
 */
export function allowsPage(c: WebContext, ex: Exchange): boolean {
  if (c.network.inSetupMode && !c.users.hasAdministrator()) {
    ex.respond(302, undefined, ["Location", SETUP_PAGE, "Cache-Control", "no-store"]);
    return false;
  }
  return c.login.allowsPage(ex);
}

/** Behind the page login (allowsPage). */
export function page(handler: WebHandler): WebHandler {
  return (c, ex) => {
    if (allowsPage(c, ex)) handler(c, ex);
  };
}

/** For users with `role` or more, whatever `WebServer/Login` says. */
export function forRole(role: Role, handler: WebHandler): WebHandler {
  return (c, ex) => {
    if (c.login.allowsRole(ex, role)) handler(c, ex);
  };
}
