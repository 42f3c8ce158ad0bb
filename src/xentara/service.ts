/**
 * The Xentara-style WebSocket API of the device (xentara.md): the element model of its I/O, the
 * connections, and the data-change events an I/O change causes.
 */
import type { AccessControl } from "../auth/security.ts";
import { CborEncoder } from "../cbor.ts";
import type { Host, LogLevel } from "../host.ts";
import type { Exchange } from "../http/exchange.ts";
import type { Io } from "../io/io.ts";
import type { Registry } from "../registry/registry.ts";
import type { WebSocketHandler } from "../ws/websocket.ts";
import { ElementModel, randomUuid } from "./model.ts";
import { PointStates } from "./points.ts";
import { SESSION_LIMITS, XentaraSession, type SessionLimits, type XentaraPrincipal } from "./session.ts";

export interface XentaraDependencies {
  registry: Registry;
  io: Io;
  access: AccessControl;
  /** Reported by server_information. */
  version: string;
}

/** The subprotocol one third-party client asks for; echoed when offered, never required (xentara.md §1.1). */
const SUBPROTOCOL = "xentara-v1";

export class XentaraService {
  readonly sessions = new Set<XentaraSession>();
  readonly encoder = new CborEncoder();
  readonly model: ElementModel;
  readonly points: PointStates;
  readonly access: AccessControl;
  readonly limits: SessionLimits;
  readonly version: string;
  readonly timers: Host["timers"];
  private readonly io: Io;
  private readonly handler: WebSocketHandler;
  private readonly stopListening: () => void;

  constructor(
    private readonly host: Host,
    deps: XentaraDependencies,
    limits: Partial<SessionLimits> = {},
  ) {
    this.io = deps.io;
    this.access = deps.access;
    this.version = deps.version;
    this.timers = host.timers;
    this.limits = { ...SESSION_LIMITS, ...limits };
    this.model = new ElementModel(host, deps.registry, deps.io);
    this.points = new PointStates(deps.io, host.clock);
    this.handler = {
      onBinary: (ws, bytes) => (ws.target as XentaraSession).receive(bytes),
      onText: (ws) => ws.close(1003, "the Xentara API speaks CBOR in binary frames"),
      onClose: (ws) => this.closed(ws.target as XentaraSession),
    };
    this.stopListening = deps.io.onChange((kind, index) => {
      if (!this.points.update(kind, index)) return;
      const element = (kind === "input" ? this.model.inputs : this.model.outputs)[index];
      if (!element) return;
      for (const s of this.sessions) s.changed(element);
    });
  }

  /** Completes the handshake for an authorized client. */
  accept(exchange: Exchange, principal: XentaraPrincipal): void {
    const protocol = exchange.protocols.includes(SUBPROTOCOL) ? SUBPROTOCOL : undefined;
    const ws = exchange.acceptWebSocket({ protocol });
    const session = new XentaraSession(this, ws, principal);
    ws.target = session;
    ws.handler = this.handler;
    this.sessions.add(session);
    this.log("info", `xentara ${exchange.remoteAddress}:${exchange.remotePort}: "${principal.name}" connected`);
  }

  writeRelay(index: number, on: boolean): void {
    this.io.control(on ? "close" : "open", index + 1);
    this.points.written(index);
  }

  now(): number {
    return this.host.clock.now();
  }

  newUuid(): Uint8Array {
    return randomUuid(this.host);
  }

  log(level: LogLevel, message: string): void {
    this.host.log(level, message);
  }

  close(): void {
    this.stopListening();
    for (const s of [...this.sessions]) {
      s.ws.close(1001, "server shutting down");
      this.closed(s);
    }
  }

  /** Closes the sessions of device account `name`, which changed or went. */
  endUser(name: string): void {
    for (const s of [...this.sessions]) {
      if (!s.principal.account || s.principal.name !== name) continue;
      s.ws.close(1008, "the account changed; log in again");
      this.closed(s);
    }
  }

  private closed(session: XentaraSession): void {
    session.close();
    this.sessions.delete(session);
  }
}
