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
import { frozen } from "../frozen.ts";
import type { Exchange } from "../http/exchange.ts";
import type { Route } from "../http/router.ts";
import { page, type WebContext } from "./context.ts";
import { sendJson } from "./json.ts";

export interface DeviceFacts {
  model: string;
  serialNumber: number;
  version: string;
  platform: string;
  board: string;
  /** When the unit booted, by the wall clock as it is now (right once SNTP has set it). */
  bootTime(): string;
  simulator: boolean;
  /** This boot is in safe mode (src/boot-record.ts). */
  safeMode: boolean;
  /** An administrator can reboot the unit (the JANOS message `Reboot`). */
  canReboot: boolean;
  /** The most bytes of image one `Firmware Write` may carry (its base64 must fit one JANOS message). */
  firmwarePiece: number;
  inputs: number;
  outputs: number;
  uptimeMs(): number;
  ports(): Readonly<Record<string, number>>;
  /** SHA-256 of the certificate the TLS port serves (src/tls/identity.ts). */
  tlsFingerprint(): string | undefined;
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
  /** What an owner checks against the browser's view of the certificate; null without a TLS port. */
  tlsFingerprint: string | null;
  simulator: boolean;
  safeMode: boolean;
  canReboot: boolean;
  firmwarePiece: number;
  loginRequired: boolean;
  user: Principal | null;
  inputs: number;
  outputs: number;
}

function info(c: WebContext, ex: Exchange): void {
  const { facts, login } = c;
  const answer: DeviceInfo = {
    model: facts.model,
    serialNumber: facts.serialNumber,
    version: facts.version,
    platform: facts.platform,
    board: facts.board,
    uptimeMs: facts.uptimeMs(),
    bootTime: facts.bootTime(),
    ports: facts.ports(),
    tlsFingerprint: facts.tlsFingerprint() ?? null,
    simulator: facts.simulator,
    safeMode: facts.safeMode,
    canReboot: facts.canReboot,
    firmwarePiece: facts.firmwarePiece,
    loginRequired: login.required,
    user: ex.user ?? login.sessionUser(ex) ?? null,
    inputs: facts.inputs,
    outputs: facts.outputs,
  };
  sendJson(ex, 200, answer);
}

function schema(c: WebContext, ex: Exchange): void {
  const s = c.registry.schema;
  sendJson(
    ex,
    200,
    s.specs().map((spec) => ({ ...spec, channels: spec.channels && s.channelCount(spec.channels), format: spec.format?.description })),
  );
}

export const DEVICE_ROUTES: readonly Route<WebContext>[] = frozen([
  { method: "GET", path: "/api/info", handler: page(info) },
  { method: "GET", path: "/api/schema", handler: page(schema) },
]);
