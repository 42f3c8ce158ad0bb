/**
 * Accounts over the web API: the page's explicit login, the users list for administrators, and
 * everyone's own password.
 *
 *   POST   /api/login          any user   logs in (HTTP Digest, or Basic over TLS) even with
 *                                         WebServer/Login off; answers {name, role} and the cookie
 *   GET    /api/users          admin      [{name, role}]
 *   PUT    /api/users/<name>   admin      {role, password?} creates (password needed) or changes
 *   DELETE /api/users/<name>   admin      removes (not yourself, not the last administrator)
 *   POST   /api/password       any user   {current, password}: your own password
 *
 * Every change ends the sessions of that account (users.ts onChange), so it logs in again.
 */
import type { Role } from "../auth/users.ts";
import { frozen } from "../frozen.ts";
import type { Exchange } from "../http/exchange.ts";
import type { Route } from "../http/router.ts";
import { forRole, type WebContext, type WebHandler } from "./context.ts";
import { ApiError, api, jsonBody, sendJson } from "./json.ts";

const ROLES: readonly Role[] = ["view", "control", "administrator"];

function loggedIn(_c: WebContext, ex: Exchange): void {
  sendJson(ex, 200, ex.user);
}

function listUsers(c: WebContext, ex: Exchange): void {
  sendJson(
    ex,
    200,
    c.users
      .list()
      .map((u) => ({ name: u.name, role: u.role }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  );
}

/** What the account requests' bodies hold. */
const ACCOUNT_NAMES: ReadonlySet<string> = new Set(["role", "password", "current"]);

function putUser(c: WebContext, ex: Exchange): void {
  const name = userName(ex);
  const body = jsonBody(ex, ACCOUNT_NAMES);
  const role = body.role;
  if (typeof role !== "string" || !ROLES.includes(role as Role)) throw new ApiError(400, `"role" must be one of ${ROLES.join(", ")}`);
  const existing = c.users.find(name);
  const password = body.password;
  if (password !== undefined && typeof password !== "string") throw new ApiError(400, '"password" must be a string');
  if (!existing && !password) throw new ApiError(400, `a new user needs a "password"`);
  c.users.put({ ...existing, name, role: role as Role, password: password || existing!.password });
  c.host.log("info", `web: "${ex.user!.name}" ${existing ? "changed" : "created"} user "${name}" (${role}${password ? ", password set" : ""})`);
  sendJson(ex, existing ? 200 : 201, { name, role });
}

function deleteUser(c: WebContext, ex: Exchange): void {
  const name = userName(ex);
  if (name === ex.user!.name) throw new ApiError(400, "you cannot remove your own account");
  if (!c.users.remove(name)) throw new ApiError(404, `no user "${name}"`);
  c.host.log("info", `web: "${ex.user!.name}" removed user "${name}"`);
  ex.respond(204, undefined, ["Cache-Control", "no-store"]);
}

function changePassword(c: WebContext, ex: Exchange): void {
  const body = jsonBody(ex, ACCOUNT_NAMES);
  if (typeof body.current !== "string" || typeof body.password !== "string") throw new ApiError(400, 'give {"current": "...", "password": "..."}');
  const user = c.users.find(ex.user!.name);
  if (!user) throw new ApiError(404, "your account is gone");
  // a stolen session must not be able to guess the password at full speed: the one login path
  if (c.auth.wait(ex.remoteAddress, user.name) > 0) throw new ApiError(429, "too many failed attempts; try again later");
  if (!c.auth.settle(`web ${ex.remoteAddress} (password change)`, ex.remoteAddress, c.auth.checkPassword(user.name, body.current))) throw new ApiError(403, "the current password is wrong");
  c.users.put({ ...user, password: body.password });
  c.host.log("info", `web: "${user.name}" changed their password`);
  ex.respond(204, undefined, ["Cache-Control", "no-store"]);
}

const admin = (handler: WebHandler): WebHandler => forRole("administrator", api(handler));

export const ACCOUNT_ROUTES: readonly Route<WebContext>[] = frozen([
  // from the unit's own pages only (api): no other site may log a browser in (login CSRF)
  { method: "POST", path: "/api/login", handler: api(forRole("view", loggedIn)) },
  { method: "GET", path: "/api/users", handler: admin(listUsers) },
  { method: "PUT", path: "/api/users/*", handler: admin(putUser), options: { maxBody: 1024 } },
  { method: "DELETE", path: "/api/users/*", handler: admin(deleteUser) },
  { method: "POST", path: "/api/password", handler: forRole("view", api(changePassword)), options: { maxBody: 1024 } },
]);

function userName(ex: Exchange): string {
  const name = ex.path.slice("/api/users/".length);
  if (!name || name.includes("/")) throw new ApiError(404, "the path is /api/users/<name>");
  return name;
}
