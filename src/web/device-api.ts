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
import type { Principal } from "../auth/users.ts";
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

/** Who the device is: the start of both /api/info and /status. */
export interface DeviceIdentity {
  model: string;
  serialNumber: number;
  version: string;
  platform: string;
  board: string;
  uptimeMs: number;
}

/** The answer of GET /api/info (the web UI reads it with this type). */
export interface DeviceInfo extends DeviceIdentity {
  bootTime: string;
  /** The bound port per listener name (http, https, jmp). */
  ports: Readonly<Record<string, number>>;
  simulator: boolean;
  loginRequired: boolean;
  user: Principal | null;
  inputs: number;
  outputs: number;
}

export function deviceRoutes(router: Router, deps: { login: WebLogin; registry: Registry; facts: DeviceFacts }): void {
  const { login, facts } = deps;
  router.get(
    "/api/info",
    login.protect((ex) => {
      const info: DeviceInfo = {
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
      };
      sendJson(ex, 200, info);
    }),
  );
  router.get(
    "/api/schema",
    login.protect((ex) =>
      sendJson(
        ex,
        200,
        deps.registry.schema.specs().map((s) => ({ ...s, channels: s.channels && deps.registry.schema.channelCount(s.channels), format: s.format?.description })),
      ),
    ),
  );
}
