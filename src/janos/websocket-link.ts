/**
 * JANOS over WebSocket (janos.md §2.1): one JSON object per text frame, on any path of the web
 * server. Frames to the client are single, unmasked text frames with ASCII JSON.
 *
 * INTEG's C# client never answers pings (it reads every frame as a message and skips empty ones),
 * so a JANOS WebSocket is pinged, with an empty payload, only to make the TCP stack notice a peer
 * that is gone; a client that does not answer is not dropped for that (pongTimeoutMs 0).
 */
import type { Principal } from "../auth/users.ts";
import type { Exchange } from "../http/exchange.ts";
import type { WebSocket, WebSocketHandler } from "../ws/websocket.ts";
import type { Link, SharedMessage } from "./link.ts";
import type { JanosService } from "./service.ts";
import type { JanosSession, LoginRoute } from "./session.ts";

class WebSocketLink implements Link {
  readonly transport = "websocket";

  constructor(private readonly ws: WebSocket) {}

  get remoteAddress(): string {
    return this.ws.remoteAddress;
  }

  get remotePort(): number {
    return this.ws.remotePort;
  }

  get secure(): boolean {
    return this.ws.secure;
  }

  get pending(): number {
    return this.ws.bufferedAmount;
  }

  send(json: string): boolean {
    return this.ws.send(json);
  }

  sendShared(message: SharedMessage): boolean {
    return this.ws.sendFrame(message.webSocketFrame);
  }

  close(): void {
    this.ws.close(1000);
  }
}

/** Accepts WebSocket upgrades for the JANOS protocol; one handler object serves every connection. */
export class JanosWebSockets {
  private readonly handler: WebSocketHandler;

  constructor(private readonly service: JanosService) {
    this.handler = {
      onText: (ws, text) => service.receive(ws.target as JanosSession, text),
      onBinary: (ws) => service.error(ws.target as JanosSession, 400, "JANOS messages are JSON text frames, not binary"),
      onClose: (ws) => service.closed(ws.target as JanosSession),
    };
  }

  /** Completes the handshake; `principal` logs the connection in from the start. */
  accept(exchange: Exchange, principal?: Principal, route?: LoginRoute): void {
    const ws = exchange.acceptWebSocket({ pongTimeoutMs: 0 });
    ws.target = this.service.open(new WebSocketLink(ws), principal, route);
    ws.handler = this.handler;
  }
}
