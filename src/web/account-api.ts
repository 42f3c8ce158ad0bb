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
import { equalConstantTime } from "../auth/credentials.ts";
import type { FailureLimiter } from "../auth/failure-limiter.ts";
import type { Role, UserStore } from "../auth/users.ts";
import type { WebLogin } from "../auth/web-login.ts";
import type { Exchange } from "../http/exchange.ts";
import type { Router } from "../http/router.ts";
import type { Host } from "../host.ts";
import { ApiError, apiHandler, jsonBody, sendJson } from "./json.ts";

const ROLES: readonly Role[] = ["view", "control", "administrator"];

export interface AccountApiDependencies {
  login: WebLogin;
  users: UserStore;
  limiter: FailureLimiter;
}

export function accountRoutes(router: Router, host: Host, deps: AccountApiDependencies): void {
  const { login, users } = deps;
  const admin = (handler: (ex: Exchange) => void) => login.requireRole("administrator", apiHandler(handler));

  router.post(
    "/api/login",
    login.requireRole("view", (ex) => sendJson(ex, 200, ex.user)),
  );
  router.get(
    "/api/users",
    admin((ex) =>
      sendJson(
        ex,
        200,
        users
          .list()
          .map((u) => ({ name: u.name, role: u.role }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      ),
    ),
  );
  router.on(
    "PUT",
    "/api/users/*",
    admin((ex) => {
      const name = userName(ex);
      const body = jsonBody(ex);
      const role = body.role;
      if (typeof role !== "string" || !ROLES.includes(role as Role)) throw new ApiError(400, `"role" must be one of ${ROLES.join(", ")}`);
      const existing = users.find(name);
      const password = body.password;
      if (password !== undefined && typeof password !== "string") throw new ApiError(400, '"password" must be a string');
      if (!existing && !password) throw new ApiError(400, `a new user needs a "password"`);
      users.put({ ...existing, name, role: role as Role, password: password || existing!.password });
      host.log("info", `web: "${ex.user!.name}" ${existing ? "changed" : "created"} user "${name}" (${role}${password ? ", password set" : ""})`);
      sendJson(ex, existing ? 200 : 201, { name, role });
    }),
    { maxBody: 1024 },
  );
  router.on(
    "DELETE",
    "/api/users/*",
    admin((ex) => {
      const name = userName(ex);
      if (name === ex.user!.name) throw new ApiError(400, "you cannot remove your own account");
      if (!users.remove(name)) throw new ApiError(404, `no user "${name}"`);
      host.log("info", `web: "${ex.user!.name}" removed user "${name}"`);
      ex.respond(204, undefined, ["Cache-Control", "no-store"]);
    }),
  );
  router.post(
    "/api/password",
    login.requireRole(
      "view",
      apiHandler((ex) => {
        const body = jsonBody(ex);
        if (typeof body.current !== "string" || typeof body.password !== "string") throw new ApiError(400, 'give {"current": "...", "password": "..."}');
        const user = users.find(ex.user!.name);
        if (!user) throw new ApiError(404, "your account is gone");
        // a stolen session must not be able to guess the password at full speed
        const wait = deps.limiter.delayFor(ex.remoteAddress);
        if (wait > 0) throw new ApiError(429, "too many failed attempts; try again later");
        if (!equalConstantTime(body.current, user.password)) {
          deps.limiter.failed(ex.remoteAddress);
          throw new ApiError(403, "the current password is wrong");
        }
        users.put({ ...user, password: body.password });
        host.log("info", `web: "${user.name}" changed their password`);
        ex.respond(204, undefined, ["Cache-Control", "no-store"]);
      }),
    ),
    { maxBody: 1024 },
  );
}

function userName(ex: Exchange): string {
  const name = ex.path.slice("/api/users/".length);
  if (!name || name.includes("/")) throw new ApiError(404, "the path is /api/users/<name>");
  return name;
}
