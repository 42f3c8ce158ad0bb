/**
 * What the web UI reads about the device besides the JANOS messages: who it is and how it is
 * reached, and the registry's schema (types, ranges, descriptions) for the editor. Open like the
 * pages: behind the login when `WebServer/Login` is on.
 *
 *   GET /api/info     {model, serialNumber, version, platform, board, uptimeMs, bootTime, ports,
 *                      simulator, loginRequired, user, inputs, outputs}
 *   GET /api/schema   [{pattern, channels?, type, default?, min?, max?, values?, format?, unit?,
 *                      description, secret?}]
 */
import type { WebLogin } from "../auth/web-login.ts";
import type { Router } from "../http/router.ts";
import type { Registry } from "../registry/registry.ts";
import { sendJson } from "./json.ts";

export interface DeviceFacts {
  model: string;
  serialNumber: number;
  version: string;
  platform: string;
  board: string;
  bootTime: string;
  simulator: boolean;
  inputs: number;
  outputs: number;
  uptimeMs(): number;
  ports(): Readonly<Record<string, number>>;
}

export function deviceRoutes(router: Router, deps: { login: WebLogin; registry: Registry; facts: DeviceFacts }): void {
  const { login, facts } = deps;
  router.get(
    "/api/info",
    login.protect((ex) =>
      sendJson(ex, 200, {
        model: facts.model,
        serialNumber: facts.serialNumber,
        version: facts.version,
        platform: facts.platform,
        board: facts.board,
        uptimeMs: facts.uptimeMs(),
        bootTime: facts.bootTime,
        ports: facts.ports(),
        simulator: facts.simulator,
        loginRequired: login.required,
        user: ex.user ?? login.sessionUser(ex) ?? null,
        inputs: facts.inputs,
        outputs: facts.outputs,
      }),
    ),
  );
  router.get(
    "/api/schema",
    login.protect((ex) =>
      sendJson(
        ex,
        200,
        deps.registry.schema.specs().map((s) => ({ ...s, format: s.format?.description })),
      ),
    ),
  );
}
