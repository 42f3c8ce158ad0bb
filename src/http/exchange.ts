/**
 * One request and its response: what a handler receives. It answers once, with `respond` (a whole
 * body) or `stream` + `write` + `end` (chunked), or, for a WebSocket route, with `acceptWebSocket`
 * or a refusal through `respond` (401 with WWW-Authenticate, 403, ...).
 */
import type { Principal } from "../auth/users.ts";
import type { WebSocket, WebSocketOptions } from "../ws/websocket.ts";
import type { HttpHeaders } from "./headers.ts";

/** What an exchange needs from its connection (implemented in server.ts). */
export interface ExchangeOwner {
  respond(exchange: Exchange, status: number, body: string | Uint8Array | undefined, headers: readonly string[] | undefined): void;
  startStream(exchange: Exchange, status: number, headers: readonly string[] | undefined): void;
  writeStream(exchange: Exchange, chunk: Uint8Array): boolean;
  endStream(exchange: Exchange): void;
  acceptWebSocket(exchange: Exchange, options: Partial<WebSocketOptions> & { protocol?: string }): WebSocket;
}

const EMPTY = new Uint8Array(0);

export class Exchange {
  /** Status sent, 0 until the response starts. */
  status = 0;
  /** The whole body, for routes that buffer it (the default). */
  body: Uint8Array = EMPTY;
  /** For `stream` routes: body bytes as they arrive (valid during the call), then `onEnd`. */
  onBody?: (this: Exchange, chunk: Uint8Array) => void;
  onEnd?: (this: Exchange) => void;
  /** While streaming a response: the connection can take more. */
  onDrain?: (this: Exchange) => void;
  /** The client went away before the exchange ended. */
  aborted = false;
  /** The handshake of a WebSocket route passed validation (version 13, a valid key). */
  isWebSocket = false;
  /** Who made the request, once a login check has let it through (undefined: login is off). */
  user: Principal | undefined;
  /** Fields added to whatever response the handler sends (a login's Set-Cookie), as flat pairs. */
  added: string[] | undefined;

  constructor(
    private readonly owner: ExchangeOwner,
    readonly method: string,
    /** The request target as sent. */
    readonly target: string,
    /** The path, percent-decoded, without the query. */
    readonly path: string,
    /** The query string without `?`, not decoded. */
    readonly query: string,
    /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
    readonly minor: number,
    readonly headers: HttpHeaders,
    readonly remoteAddress: string,
    readonly remotePort: number,
    readonly secure: boolean,
  ) {}

  /**
   * Answers with a whole body. `headers` are flat pairs: ["Content-Type", "text/html", ...]. A
   * byte body may be sent after this returns: the caller must not change it afterwards.
   */
  respond(status: number, body?: string | Uint8Array, headers?: readonly string[]): void {
    this.owner.respond(this, status, body, headers);
  }

  /** Starts a chunked response; then `write` and `end`. */
  stream(status: number, headers?: readonly string[]): void {
    this.owner.startStream(this, status, headers);
  }

  /** False when the connection is above its mark: wait for `onDrain`. */
  write(chunk: Uint8Array): boolean {
    return this.owner.writeStream(this, chunk);
  }

  end(): void {
    this.owner.endStream(this);
  }

  /** Adds a response field, sent with the response whoever starts it. */
  addHeader(name: string, value: string): void {
    (this.added ??= []).push(name, value);
  }

  /** Subprotocols the client offered, in its order of preference. */
  get protocols(): string[] {
    return this.headers.tokens("sec-websocket-protocol");
  }

  /** Completes the WebSocket handshake (101). `protocol`, if given, must be one the client offered. */
  acceptWebSocket(options: Partial<WebSocketOptions> & { protocol?: string } = {}): WebSocket {
    return this.owner.acceptWebSocket(this, options);
  }

  /** A query parameter, decoded (the first one of that name), or undefined. */
  param(name: string): string | undefined {
    for (const part of this.query.split("&")) {
      const eq = part.indexOf("=");
      const key = eq < 0 ? part : part.slice(0, eq);
      if (safeDecode(key) === name) return safeDecode(eq < 0 ? "" : part.slice(eq + 1));
    }
    return undefined;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}
