/**
 * Every HTTP route of the device but the WebSockets: the web UI's page, /status, the login, and
 * the web API (device-api.ts, account-api.ts, backup-api.ts, and sim-api.ts in the simulator).
 */
import type { FailureLimiter } from "../auth/failure-limiter.ts";
import type { UserStore } from "../auth/users.ts";
import type { WebLogin } from "../auth/web-login.ts";
import type { Host } from "../host.ts";
import type { Router } from "../http/router.ts";
import { serveAssets, type Asset } from "../http/static.ts";
import type { Registry } from "../registry/registry.ts";
import { accountRoutes } from "./account-api.ts";
import { backupRoutes } from "./backup-api.ts";
import { deviceRoutes, type DeviceFacts } from "./device-api.ts";
import { sendJson } from "./json.ts";
import { simulatorRoutes, type SimulatorControl } from "./sim-api.ts";

export interface WebDependencies {
  login: WebLogin;
  users: UserStore;
  limiter: FailureLimiter;
  registry: Registry;
  facts: DeviceFacts;
  /** The web UI (an `/index.html`, served at `/` too); without it `/` says so. */
  assets: readonly Asset[];
  /** In the simulator: the board's inputs, for the UI's simulator panel. */
  simulator?: SimulatorControl;
  status(): unknown;
}

export function webRoutes(router: Router, host: Host, deps: WebDependencies): void {
  const { login } = deps;
  serveAssets(router, host.crypto, deps.assets, (h) => login.protect(h));
  if (!deps.assets.some((a) => a.path === "/index.html")) {
    router.get(
      "/",
      login.protect((ex) => ex.respond(200, "iobox: this build has no web UI; the device status is at /status\n", ["Content-Type", "text/plain; charset=utf-8"])),
    );
  }
  router.get(
    "/status",
    login.protect((ex) => sendJson(ex, 200, deps.status())),
  );
  router.post("/logout", login.logout);
  deviceRoutes(router, deps);
  accountRoutes(router, host, deps);
  backupRoutes(router, host, { login, registry: deps.registry, serialNumber: deps.facts.serialNumber, model: deps.facts.model });
  if (deps.simulator) simulatorRoutes(router, "/api/sim", deps.simulator, (h) => login.requireRole("control", h));
}
