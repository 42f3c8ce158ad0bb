/**
 * Setup mode's web API, for the setup page (hosts/web-ui/setup.ts), open only while the setup
 * access point is (elsewhere 404). The access point's WPA2 password is the first gate; choosing the
 * network also needs the administrator's login once there is an administrator, and otherwise sets
 * the administrator's password.
 *
 *   GET  /api/setup            {state, setupSsid, ssid, address, hostname, needsAdministrator}
 *   GET  /api/setup/networks   [{ssid, rssi, secure}] in range, strongest first (a scan: ~2 s)
 *   POST /api/setup            {ssid, password, administratorPassword?}: 202, and the unit joins
 *
 * While setup mode lasts, a phone's captive-portal check (the captive DNS sends it here) is
 * redirected to the setup page, and so is the web UI while there is no administrator to log in.
 */
import { checkPassword } from "../auth/users.ts";
import { frozen } from "../frozen.ts";
import type { Exchange } from "../http/exchange.ts";
import type { Route } from "../http/router.ts";
import { setupSsid } from "../network/manager.ts";
import { WPA2_MIN } from "../network/keys.ts";
import { SETUP_PAGE, type WebContext, type WebHandler } from "./context.ts";
import { ApiError, api, jsonBody, sendJson } from "./json.ts";


const ADMIN_MIN = 8;

/** Only in setup mode: anything else is 404, as if the routes were not there. */
function inSetup(handler: WebHandler): WebHandler {
  return (c, ex) => {
    if (c.network.inSetupMode) handler(c, ex);
    else ex.respond(404, "not found\n", undefined);
  };
}

function status(c: WebContext, ex: Exchange): void {
  const n = c.network;
  sendJson(ex, 200, { state: n.state, setupSsid: setupSsid(c.host.unitId), ssid: n.ssid ?? null, address: n.address ?? null, hostname: n.hostname, needsAdministrator: !c.users.hasAdministrator() });
}

function networks(c: WebContext, ex: Exchange): void {
  c.network.scan().then(
    (found) => sendJson(ex, 200, found.map((n) => ({ ssid: n.ssid, rssi: n.rssi, secure: n.authentication !== "none" }))),
    (e: Error) => sendJson(ex, 503, { error: "scan failed: " + e.message }),
  );
}

/** What the setup page sends: before any login, on a new board. */
const CHOICE_NAMES: ReadonlySet<string> = new Set(["ssid", "password", "administratorPassword"]);

function choose(c: WebContext, ex: Exchange): void {
  const body = jsonBody(ex, CHOICE_NAMES);
  const { ssid, password, administratorPassword } = body;
  if (typeof ssid !== "string" || ssid.length < 1 || ssid.length > 32) throw new ApiError(400, `"ssid" is the network's name, 1 to 32 characters`);
  if (typeof password !== "string" || (password !== "" && (password.length < WPA2_MIN || password.length > 63))) throw new ApiError(400, `"password" is empty (an open network) or ${WPA2_MIN} to 63 characters`);
  const admin = c.users.hasAdministrator();
  if (admin) {
    if (!c.login.allowsRole(ex, "administrator")) return;
  } else {
    if (typeof administratorPassword !== "string") throw new ApiError(400, 'give "administratorPassword": the unit has no administrator yet');
    // the unit's first password, chosen on a phone: the floor a guessable one cannot pass
    if (administratorPassword.length < ADMIN_MIN) throw new ApiError(400, `the administrator's password needs ${ADMIN_MIN} characters or more`);
    checkPassword(administratorPassword);
    c.users.put({ name: "jnior", role: "administrator", password: administratorPassword });
    c.host.log("info", `setup: the administrator's password is set (from ${ex.remoteAddress})`);
  }
  c.registry.write({ "IpConfig/WiFi/SSID": ssid, "IpConfig/WiFi/Password": password });
  c.host.log("info", `setup: joining ${JSON.stringify(ssid)} (from ${ex.remoteAddress})`);
  sendJson(ex, 202, { joining: ssid });
}

/** A captive-portal check or any other host's page: to the setup page. */
function toSetup(c: WebContext, ex: Exchange): void {
  ex.respond(302, undefined, ["Location", `http://${c.network.setupAddress}${SETUP_PAGE}`, "Cache-Control", "no-store"]);
}

export const SETUP_ROUTES: readonly Route<WebContext>[] = frozen([
  { method: "GET", path: "/api/setup", handler: inSetup(status) },
  { method: "GET", path: "/api/setup/networks", handler: inSetup(networks) },
  { method: "POST", path: "/api/setup", handler: inSetup(api(choose)), options: { maxBody: 1024 } },
  // what phones and laptops fetch to find a captive portal
  { method: "GET", path: "/generate_204", handler: inSetup(toSetup) },
  { method: "GET", path: "/gen_204", handler: inSetup(toSetup) },
  { method: "GET", path: "/hotspot-detect.html", handler: inSetup(toSetup) },
  { method: "GET", path: "/library/test/success.html", handler: inSetup(toSetup) },
  { method: "GET", path: "/connecttest.txt", handler: inSetup(toSetup) },
  { method: "GET", path: "/ncsi.txt", handler: inSetup(toSetup) },
]);

