/**
 * Every HTTP route of the device but the WebSockets: the web UI's page, /status, the login, and
 * the web API (device-api.ts, account-api.ts, backup-api.ts, and sim-api.ts in the simulator).
 */
import { frozen } from "../frozen.ts";
import type { Exchange } from "../http/exchange.ts";
import type { Route, Router } from "../http/router.ts";
import { serveAssets, type Asset } from "../http/static.ts";
import { ACCOUNT_ROUTES } from "./account-api.ts";
import { BACKUP_ROUTES } from "./backup-api.ts";
import { allowsPage, page, SETUP_PAGE, type WebContext } from "./context.ts";
import { DEVICE_ROUTES } from "./device-api.ts";
import { FIRMWARE_ROUTES } from "./firmware-api.ts";
import { sendJson } from "./json.ts";
import { SETUP_ROUTES } from "./setup-api.ts";
import { simulatorRoutes } from "./sim-api.ts";

function status(c: WebContext, ex: Exchange): void {
  sendJson(ex, 200, c.status());
}

function logout(c: WebContext, ex: Exchange): void {
  c.login.logout(ex);
}

function noUi(_c: WebContext, ex: Exchange): void {
  ex.respond(200, "iobox: this build has no web UI; the device status is at /status\n", ["Content-Type", "text/plain; charset=utf-8"]);
}

const WEB_ROUTES: readonly Route<WebContext>[] = frozen([
  { method: "GET", path: "/status", handler: page(status) },
  { method: "POST", path: "/logout", handler: logout },
  ...DEVICE_ROUTES,
  ...ACCOUNT_ROUTES,
  ...BACKUP_ROUTES,
  ...FIRMWARE_ROUTES,
]);

const NO_UI: readonly Route<WebContext>[] = frozen([{ method: "GET", path: "/", handler: page(noUi) }]);

/**
 * The web UI's files (`assets`: without an `/index.html`, `/` says there is no UI; `/setup.html`
 * is the setup page, served at /setup in setup mode only) and the web API.
 */
export function webRoutes(router: Router, context: WebContext, assets: readonly Asset[]): void {
  const setupPage = assets.filter((a) => a.path === "/setup.html").map((a) => ({ ...a, path: SETUP_PAGE }));
  serveAssets(router, context.host.crypto, setupPage, (ex) => {
    if (context.network.inSetupMode) return true;
    ex.respond(404, "not found\n", undefined);
    return false;
  });
  serveAssets(
    router,
    context.host.crypto,
    assets.filter((a) => a.path !== "/setup.html"),
    (ex) => allowsPage(context, ex),
  );
  if (!assets.some((a) => a.path === "/index.html")) router.add(NO_UI, context);
  router.add(WEB_ROUTES, context);
  router.add(SETUP_ROUTES, context);
  if (context.simulator) simulatorRoutes(router, "/api/sim", context.simulator, (ex) => context.login.allowsRole(ex, "control"));
}
