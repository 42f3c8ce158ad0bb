/**
 * The HTTP/1.1 server (RFC 9112) over Host connections: incremental parsing under hard limits,
 * keep-alive and pipelining, Content-Length and chunked bodies both ways, HEAD, `Expect:
 * 100-continue`, routing, and the WebSocket upgrade with the whole request visible to the route
 * before it accepts or refuses. One timer checks every deadline; connections hold no timer and no
 * closure each. Malformed input gets its status code and the connection is closed; it never
 * throws out of a callback and never hangs.
 */
import { encodeAscii } from "../bytes.ts";
import { Refusals, type Budgeted, type ConnectionBudget } from "../connection-budget.ts";
import type { Connection, Host, Listener, ListenOptions, LogLevel, TextCodec, Timer } from "../host.ts";
import { acceptKey, isValidKey } from "../ws/handshake.ts";
import { SIMULATOR_WEBSOCKET, WebSocket, type WebSocketHost, type WebSocketOptions } from "../ws/websocket.ts";
import { Exchange, type ExchangeOwner } from "./exchange.ts";
import { pipelineLimit, SIMULATOR_LIMITS, type HttpLimits } from "./limits.ts";
import { RequestBody, requestFraming } from "./request-body.ts";
import { fieldLines, hasField } from "./response-head.ts";
import { HeadScanner, parseHead, type RequestHead } from "./request-head.ts";
import { Router, type Found } from "./router.ts";
import { HttpError, reasonPhrase } from "./status.ts";

export interface HttpServerOptions {
  router: Router;
  limits?: Partial<HttpLimits>;
  /** Defaults for accepted WebSockets; a route may override them in `acceptWebSocket`. */
  websocket?: Partial<WebSocketOptions>;
  /** The unit's connection budget, shared with the other servers (connection-budget.ts). */
  budget?: ConnectionBudget;
}

type Session = HttpConnection | WebSocket;

export class HttpServer implements WebSocketHost {
  readonly limits: HttpLimits;
  readonly websocketDefaults: WebSocketOptions;
  readonly router: Router;
  private readonly budget: ConnectionBudget | undefined;
  private readonly sessions = new Set<Session>();
  private readonly listeners: Listener[] = [];
  private sweeper: Timer | undefined;
  private closing: { resolve: () => void; timer: Timer } | undefined;
  private dateSecond = -1;
  private dateLine = "";
  private webSocketCount = 0;

  constructor(
    readonly host: Host,
    options: HttpServerOptions,
  ) {
    this.router = options.router;
    this.budget = options.budget;
    this.limits = { ...SIMULATOR_LIMITS, ...options.limits };
    this.websocketDefaults = { ...SIMULATOR_WEBSOCKET, ...options.websocket };
  }

  get text(): TextCodec {
    return this.host.text;
  }

  /** Connections open now, HTTP and WebSocket. */
  get connections(): number {
    return this.sessions.size;
  }

  get webSockets(): number {
    return this.webSocketCount;
  }

  get isClosing(): boolean {
    return this.closing !== undefined;
  }

  async listen(options: ListenOptions): Promise<Listener> {
    const listener = await this.host.net.listen({ ...options, admit: () => this.admissible() }, (c) => this.accept(c));
    this.listeners.push(listener);
    return listener;
  }

  /**
   * Whether the host should set up a connection arriving now: one it would serve, or one more 503
   * while few are being sent. Beyond that it is closed as it arrives (a flood costs no heap).
   */
  private admissible(): boolean {
    const room = !this.closing && this.sessions.size < this.limits.maxConnections && (this.budget?.hasRoom() ?? true);
    return this.refusals.admits(room);
  }

  /** Serves a connection accepted elsewhere. */
  accept(connection: Connection): void {
    if (this.closing || this.sessions.size >= this.limits.maxConnections) {
      this.log(this.closing ? "debug" : "warn", `${connection.remoteAddress}:${connection.remotePort}: refused, ${this.closing ? "shutting down" : this.sessions.size + " connections open (limit " + this.limits.maxConnections + ")"}`);
      return this.refuse(connection);
    }
    const session = new HttpConnection(this, connection);
    if (this.budget && !this.budget.admit(session)) return session.refuseUnavailable();
    this.add(session);
  }

  private readonly refusals = new Refusals();

  /** No room: 503, before a byte of the request is read. */
  refuse(connection: Connection): void {
    this.refusals.refuse(connection, SERVICE_UNAVAILABLE);
  }

  /**
   * Stops accepting, lets requests in progress finish (with `Connection: close`), closes WebSockets
   * with 1001, and after `graceMs` drops whatever is left. Resolves when every connection is closed.
   */
  close(graceMs = 5000): Promise<void> {
    for (const l of this.listeners.splice(0)) l.close();
    if (this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.host.timers.after(graceMs, () => {
        for (const s of [...this.sessions]) s.terminate();
      });
      this.closing = { resolve, timer };
      for (const s of [...this.sessions]) s.shutdown();
      this.settle();
    });
  }

  // --- for connections and WebSockets -----------------------------------------------------------

  now(): number {
    return this.host.clock.monotonic();
  }

  log(level: LogLevel, message: string): void {
    this.host.log(level, "http: " + message);
  }

  /** @internal */
  add(session: Session): void {
    this.sessions.add(session);
    this.sweeper ??= this.host.timers.every(this.limits.sweepMs, () => this.sweep());
  }

  /** @internal a session has ended */
  release(session: Session): void {
    this.budget?.release(session);
    if (!this.sessions.delete(session)) return;
    if (session instanceof WebSocket) this.webSocketCount--;
    this.settle();
  }

  /** @internal a connection became a WebSocket */
  upgraded(from: HttpConnection, to: WebSocket): void {
    this.sessions.delete(from);
    this.sessions.add(to);
    this.budget?.replace(from, to);
    this.webSocketCount++;
  }

  /** @internal `Date` header line, when the clock is plausible (RFC 9110 §6.6.1: none without a clock). */
  dateHeader(): string {
    const now = this.host.clock.now();
    if (now < 1_600_000_000_000) return "";
    const second = Math.floor(now / 1000);
    if (second !== this.dateSecond) {
      this.dateSecond = second;
      this.dateLine = "Date: " + new Date(second * 1000).toUTCString() + "\r\n";
    }
    return this.dateLine;
  }

  private sweep(): void {
    const now = this.now();
    for (const s of this.sessions) s.sweep(now);
  }

  private settle(): void {
    if (this.sessions.size) return;
    this.sweeper?.cancel();
    this.sweeper = undefined;
    if (this.closing) {
      this.closing.timer.cancel();
      this.closing.resolve();
    }
  }
}

const SERVICE_UNAVAILABLE = encodeAscii("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

const CONTINUE = encodeAscii("HTTP/1.1 100 Continue\r\n\r\n");
/** Bodies above this are queued by reference after the head rather than copied into one buffer with it. */
const COPY_LIMIT = 1024;

// connection states
const HEAD = 0; // reading a request head
const BODY = 1; // reading a request body
const WAIT = 2; // a handler has the request (or is streaming the response)
const DONE = 3; // closing or closed: input is ignored

class HttpConnection implements ExchangeOwner, Budgeted {
  readonly kind = "http";
  private state = HEAD;
  private readonly scanner: HeadScanner;
  /** Bytes kept between reads: a partial head, or pipelined requests waiting their turn. */
  private buf: Uint8Array | undefined;
  private bufStart = 0;
  private bufEnd = 0;
  private running = false;
  private idle = true; // between requests (no byte of the next one yet)
  private deadline: number;
  private exchange: Exchange | undefined;
  /** The route waiting for the request's body. */
  private pendingRoute: Found | undefined;
  private keepAlive = false;
  private closeAfter = false;
  private outputFull = false;
  /** The request's body while it is read (state BODY). */
  private body: RequestBody | undefined;
  private responding = false; // a chunked response has started and not ended
  private closeWhenEnded = false;
  private head = false; // a HEAD request: no body in the response

  constructor(
    private readonly server: HttpServer,
    private readonly connection: Connection,
  ) {
    this.scanner = new HeadScanner(server.limits);
    this.deadline = server.now() + server.limits.headTimeoutMs;
    connection.target = this;
    connection.onData = httpData;
    connection.onDrain = httpDrain;
    connection.onClose = httpClosed;
  }

  get remoteAddress(): string {
    return this.connection.remoteAddress;
  }

  get remotePort(): number {
    return this.connection.remotePort;
  }

  /** Between requests, or still reading a head: closing it loses nothing (a keep-alive client reconnects). */
  get sheddable(): boolean {
    return this.state === HEAD;
  }

  shed(): void {
    this.state = DONE;
    this.dropBuffer();
    this.connection.close();
  }

  /** Admitted by nobody: 503, and the connection is closed. */
  refuseUnavailable(): void {
    this.state = DONE;
    this.server.refuse(this.connection);
  }

  // --- input ----------------------------------------------------------------------------------

  receive(chunk: Uint8Array): void {
    if (this.state === DONE) return;
    if (this.bufEnd > this.bufStart) {
      this.keep(chunk, 0, chunk.length);
      if (!this.running && this.state !== WAIT) this.run(this.buf!, this.bufStart, this.bufEnd, true);
    } else if (this.state === WAIT) {
      this.keep(chunk, 0, chunk.length);
    } else this.run(chunk, 0, chunk.length, false);
  }

  /** Processes `data[start, end)`; `stashed` when `data` is this.buf. Leftovers are kept. */
  private run(data: Uint8Array, start: number, end: number, stashed: boolean): void {
    this.running = true;
    let i = start;
    try {
      while (i < end) {
        if (this.state === HEAD) {
          if (this.outputFull) break; // the client is not reading its answers: no more requests until it does
          if (this.idle) {
            this.idle = false;
            this.deadline = this.server.now() + this.server.limits.headTimeoutMs;
          }
          const n = this.scanner.scan(data, i, end - i);
          if (n < 0) break;
          const head = parseHead(data, i, n);
          this.scanner.reset();
          i += n;
          this.begin(head);
        } else if (this.state === BODY) {
          i = this.readBody(data, i, end);
        } else break;
      }
    } catch (e) {
      this.running = false;
      if (e instanceof HttpError) return this.refuse(e.status, e.message);
      this.server.log("error", `${this.peer()}: ${(e as Error).message}`);
      return this.refuse(500, "internal error");
    }
    this.running = false;
    if (this.upgradedTo) {
      // what came after the handshake in this read belongs to the WebSocket
      if (i < end) {
        if (stashed) this.bufStart = i;
        else this.keep(data, i, end);
      } else this.dropBuffer();
      return this.handOver();
    }
    if (this.state === DONE) return;
    if (stashed) {
      this.bufStart = i;
      if (i === end) this.dropBuffer();
    } else if (i < end) this.keep(data, i, end);
    if ((this.state === WAIT || this.outputFull) && this.bufEnd > this.bufStart) this.connection.pause();
  }

  /** Accepted, and not handed over yet: the connection's bytes go to it once this parse is done. */
  private upgradedTo: WebSocket | undefined;

  /**
   * The one place a WebSocket takes the connection over: after the parse that found its handshake
   * has returned (never from inside it), with the bytes the client sent after the handshake.
   */
  private handOver(): void {
    const ws = this.upgradedTo!;
    this.upgradedTo = undefined;
    const rest = this.bufEnd > this.bufStart ? this.buf!.subarray(this.bufStart, this.bufEnd) : undefined;
    this.dropBuffer();
    this.connection.resume();
    if (rest) ws.receive(rest);
  }

  /** Keeps `data[from, to)` for later. */
  private keep(data: Uint8Array, from: number, to: number): void {
    const n = to - from;
    const held = this.bufEnd - this.bufStart;
    const cap = pipelineLimit(this.server.limits);
    if (held + n > cap) {
      // only a client pipelining far ahead of its answers gets here
      this.server.log("warn", `${this.peer()}: more than ${cap} bytes sent ahead of the answers; dropped`);
      this.state = DONE;
      this.connection.destroy();
      return;
    }
    if (!this.buf || this.bufEnd + n > this.buf.length) {
      const next = new Uint8Array(Math.max(512, 1 << Math.ceil(Math.log2(held + n))));
      if (held) next.set(this.buf!.subarray(this.bufStart, this.bufEnd));
      this.buf = next;
      this.bufStart = 0;
      this.bufEnd = held;
    }
    this.buf.set(data.subarray(from, to), this.bufEnd);
    this.bufEnd += n;
  }

  private dropBuffer(): void {
    this.buf = undefined; // an idle connection holds no buffer
    this.bufStart = this.bufEnd = 0;
  }

  private begin(head: RequestHead): void {
    const { method, target, minor, headers } = head;
    const { path, query } = splitTarget(target);
    this.head = method === "HEAD";
    this.keepAlive = minor === 1 ? !headers.hasToken("connection", "close") : headers.hasToken("connection", "keep-alive");
    this.closeAfter = false;
    const exchange = new Exchange(this, method, target, path, query, minor, headers, this.connection.remoteAddress, this.connection.remotePort, this.connection.secure);
    this.exchange = exchange;

    this.body = undefined;
    const framing = requestFraming(headers, minor);
    const hasBody = framing !== 0;
    if (minor === 1 && headers.count("host") !== 1) throw new HttpError(400, "HTTP/1.1 needs exactly one Host");
    const expect = headers.get("expect");
    if (expect !== undefined && expect.toLowerCase() !== "100-continue") throw new HttpError(417, "unsupported expectation");

    const upgrade = headers.hasToken("upgrade", "websocket") && headers.hasToken("connection", "upgrade");
    if (method === "OPTIONS") {
      this.skipBody(hasBody);
      const allow = path === "*" ? "GET, HEAD, POST, PUT, DELETE, OPTIONS" : this.server.router.allow(path);
      return allow ? this.respond(exchange, 204, undefined, ["Allow", allow]) : this.respond(exchange, 404, "not found\n", undefined);
    }
    const match = this.server.router.match(method, path, upgrade);
    switch (match.kind) {
      case "not-found":
        this.skipBody(hasBody);
        return this.respond(exchange, 404, "not found\n", undefined);
      case "method-not-allowed":
        this.skipBody(hasBody);
        return this.respond(exchange, 405, "method not allowed\n", ["Allow", match.allow]);
      case "upgrade-required":
        this.skipBody(hasBody);
        return this.respond(exchange, 426, "WebSocket only\n", ["Upgrade", "websocket", "Connection", "Upgrade"]);
      case "websocket": {
        // RFC 6455 §4.2.1; version first, so that a client speaking another version learns ours
        if (headers.get("sec-websocket-version") !== "13") {
          this.skipBody(hasBody);
          return this.respond(exchange, 426, "WebSocket version 13 only\n", ["Sec-WebSocket-Version", "13"]);
        }
        if (method !== "GET" || minor !== 1 || hasBody) throw new HttpError(400, "a WebSocket handshake is a GET over HTTP/1.1 without a body");
        if (!isValidKey(headers.get("sec-websocket-key"))) throw new HttpError(400, "bad Sec-WebSocket-Key");
        exchange.isWebSocket = true;
        return this.callHandler(match);
      }
      case "handler": {
        const options = Router.options(match.route);
        const streaming = options.stream === true;
        // a streamed body is never held whole: only the route's own limit applies to it
        const limit = streaming ? (options.maxBody ?? Infinity) : Math.min(options.maxBody ?? this.server.limits.maxBody, this.server.limits.maxRouteBody);
        if (!hasBody) return this.callHandler(match);
        this.body = new RequestBody(exchange, framing, limit, streaming); // 413 before a byte of it is read, or a 100 sent
        if (expect !== undefined) this.connection.write(CONTINUE);
        this.state = BODY;
        this.deadline = this.server.now() + this.server.limits.bodyTimeoutMs;
        if (streaming) this.callHandler(match, BODY);
        else this.pendingRoute = match;
        return;
      }
    }
  }

  /** The request's body will not be read: the connection cannot be reused. */
  private skipBody(hasBody: boolean): void {
    if (hasBody) this.closeAfter = true;
  }

  private readBody(data: Uint8Array, i: number, end: number): number {
    this.deadline = this.server.now() + this.server.limits.bodyTimeoutMs;
    const body = this.body!;
    i = body.read(data, i, end);
    if (!body.done) return i;
    this.body = undefined;
    if (body.streaming) {
      this.state = WAIT;
      this.deadline = this.server.now() + this.server.limits.handlerTimeoutMs;
      this.exchange!.onEnd?.();
    } else this.callHandler(this.pendingRoute!);
    return i;
  }

  private callHandler(found: Found, state = WAIT): void {
    const exchange = this.exchange!;
    this.state = state;
    this.pendingRoute = undefined;
    if (state === WAIT) this.deadline = this.server.now() + this.server.limits.handlerTimeoutMs;
    try {
      found.route.handler(found.context, exchange);
    } catch (e) {
      this.server.log("error", `${exchange.method} ${exchange.path}: handler failed: ${(e as Error).message}`);
      if (!exchange.status && this.state !== DONE) {
        this.closeAfter = true;
        this.respond(exchange, 500, "internal error\n", undefined);
      }
    }
  }

  // --- output ---------------------------------------------------------------------------------

  respond(exchange: Exchange, status: number, body: string | Uint8Array | undefined, headers: readonly string[] | undefined): void {
    if (!this.onTurn(exchange)) return;
    const noBody = status < 200 || status === 204 || status === 304;
    if (noBody && body !== undefined && body.length) throw new Error(`a ${status} response has no body`);
    const closing = this.closing(headers);
    const text = this.server.text;
    const bytes = typeof body === "string" ? text.encode(body) : body;
    const length = bytes ? bytes.length : 0;
    let extra = "";
    if (!noBody) {
      extra = "Content-Length: " + length + "\r\n";
      if (typeof body === "string" && length && !hasField(headers, "content-type")) extra += "Content-Type: text/plain; charset=utf-8\r\n";
    }
    const head = text.encode(this.headLines(exchange, status, headers, closing) + extra + "\r\n");
    const send = this.head || noBody ? 0 : length;
    exchange.status = status;
    if (send > COPY_LIMIT) {
      // a large body (the web UI page, in flash on the device) is queued as it is, not copied
      this.connection.write(head);
      this.outputFull = !this.connection.write(bytes!);
    } else {
      // head and a small body in one buffer: one write, usually one segment
      const out = new Uint8Array(head.length + send);
      out.set(head);
      if (send) out.set(bytes!, head.length);
      this.outputFull = !this.connection.write(out);
    }
    this.responseEnded(closing);
  }

  startStream(exchange: Exchange, status: number, headers: readonly string[] | undefined): void {
    if (!this.onTurn(exchange)) return;
    if (status < 200 || status === 204 || status === 304) throw new Error(`a ${status} response has no body`);
    // HTTP/1.0 has no chunked coding: there the end of the connection ends the body
    const closing = this.closing(headers) || exchange.minor === 0;
    const head = this.headLines(exchange, status, headers, closing) + (exchange.minor === 1 && !this.head ? "Transfer-Encoding: chunked\r\n" : "") + "\r\n";
    exchange.status = status;
    this.responding = true;
    this.closeWhenEnded = closing;
    this.deadline = Infinity; // answered: a long stream is not a late handler
    this.outputFull = !this.connection.write(this.server.text.encode(head));
    if (this.head) this.endStream(exchange);
  }

  writeStream(exchange: Exchange, chunk: Uint8Array): boolean {
    if (exchange !== this.exchange || !this.responding) return false;
    if (!this.head && chunk.length) {
      let out: Uint8Array;
      if (exchange.minor === 0) out = chunk.slice();
      else {
        const size = chunk.length.toString(16);
        out = new Uint8Array(size.length + 2 + chunk.length + 2);
        out.set(encodeAscii(size + "\r\n"));
        out.set(chunk, size.length + 2);
        out[out.length - 2] = 13;
        out[out.length - 1] = 10;
      }
      this.outputFull = !this.connection.write(out);
    }
    return !this.outputFull;
  }

  endStream(exchange: Exchange): void {
    if (exchange !== this.exchange || !this.responding) return;
    if (exchange.minor === 1 && !this.head) this.outputFull = !this.connection.write(LAST_CHUNK) || this.outputFull;
    this.responding = false;
    this.responseEnded(this.closeWhenEnded);
  }

  acceptWebSocket(exchange: Exchange, options: Partial<WebSocketOptions> & { protocol?: string }): WebSocket {
    if (!this.onTurn(exchange)) throw new Error("this exchange is over: its connection has ended");
    if (!exchange.isWebSocket) throw new Error("not a WebSocket handshake");
    const protocol = options.protocol ?? "";
    if (protocol && !exchange.protocols.includes(protocol)) throw new Error(`subprotocol ${protocol} was not offered`);
    const accept = acceptKey(this.server.host.crypto, exchange.headers.get("sec-websocket-key")!);
    exchange.status = 101;
    this.connection.write(
      this.server.text.encode(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n` + (protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : "") + "\r\n"),
    );
    const ws = new WebSocket(this.server, this.connection, { ...this.server.websocketDefaults, ...options }, exchange.path, protocol);
    this.state = DONE;
    this.exchange = undefined;
    this.server.upgraded(this, ws);
    this.upgradedTo = ws;
    // a handler that accepted later than its call (after a lookup, say) hands over in a turn of its own
    if (!this.running) Promise.resolve().then(() => this.upgradedTo === ws && this.handOver());
    return ws;
  }

  /**
   * Whether `exchange` may be answered now. A second answer is a bug, and throws. An answer after the
   * exchange is over (its connection closed or timed out while an asynchronous handler worked, a
   * Wi-Fi scan say) goes nowhere: it is no error, and must not throw, least of all from a promise
   * job, where on the device it would end the VM.
   */
  private onTurn(exchange: Exchange): boolean {
    if (exchange.status) throw new Error("already answered with " + exchange.status);
    if (exchange === this.exchange) return true;
    this.server.log("debug", `${exchange.method} ${exchange.path}: answered after the exchange was over; dropped`);
    return false;
  }

  /** Whether this response ends the connection; an unread request body always does. */
  private closing(headers: readonly string[] | undefined): boolean {
    if (!this.keepAlive || this.closeAfter || this.server.isClosing || this.state === BODY) return true;
    return hasField(headers, "connection", "close");
  }

  /** Status line and the caller's fields, checked: a CR or LF in a value would split the response. */
  private headLines(exchange: Exchange, status: number, headers: readonly string[] | undefined, closing: boolean): string {
    let head = `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n`;
    if (headers) head = fieldLines(head, headers);
    if (exchange.added) head = fieldLines(head, exchange.added);
    head += this.server.dateHeader();
    if (closing) head += "Connection: close\r\n";
    else if (exchange.minor === 0) head += "Connection: keep-alive\r\n";
    return head;
  }

  /** The response is written: close, or get ready for the next request. */
  private responseEnded(closing: boolean): void {
    if (closing) {
      this.state = DONE;
      this.exchange = undefined;
      this.dropBuffer();
      this.connection.close();
      return;
    }
    this.state = HEAD;
    this.exchange = undefined;
    this.body = undefined;
    this.idle = true;
    this.deadline = this.server.now() + this.server.limits.keepAliveTimeoutMs;
    if (!this.outputFull) this.continueInput(); // else the client is not reading: wait for drain
  }

  private continueInput(): void {
    if (this.running || this.state !== HEAD) return;
    this.connection.resume();
    if (this.bufEnd > this.bufStart) this.run(this.buf!, this.bufStart, this.bufEnd, true);
  }

  // --- connection events and deadlines ----------------------------------------------------------

  drained(): void {
    if (!this.outputFull) return;
    this.outputFull = false;
    if (this.responding) this.exchange?.onDrain?.();
    else this.continueInput();
  }

  ended(): void {
    if (this.exchange) this.exchange.aborted = true;
    this.state = DONE;
    this.exchange = undefined;
    this.dropBuffer();
    this.server.release(this);
  }

  sweep(now: number): void {
    if (this.state === DONE || now < this.deadline) return;
    if (this.state === HEAD) {
      if (this.idle) {
        // an idle keep-alive (or never used) connection is closed quietly (RFC 9112 §9.5)
        this.state = DONE;
        this.connection.close();
      } else this.refuse(408, "request head not received in time");
    } else if (this.state === BODY) this.refuse(408, "request body stalled");
    else if (this.state === WAIT) {
      this.server.log("error", `${this.exchange?.method} ${this.exchange?.path}: no answer in ${this.server.limits.handlerTimeoutMs} ms`);
      this.refuse(500, "handler did not answer");
    }
  }

  shutdown(): void {
    if (this.state === HEAD && this.idle) {
      this.state = DONE;
      this.connection.close();
    } else this.closeAfter = true;
  }

  terminate(): void {
    this.connection.destroy();
  }

  /** Answers an error and closes: after malformed input the byte stream cannot be trusted. */
  private refuse(status: number, message: string): void {
    if (this.state === DONE) return;
    this.server.log("debug", `${this.peer()}: ${status} ${message}`);
    this.state = DONE;
    const extra = status === 426 ? "Sec-WebSocket-Version: 13\r\n" : "";
    this.connection.write(this.server.text.encode(`HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${message.length + 1}\r\n${extra}Connection: close\r\n\r\n${message}\n`));
    this.exchange = undefined;
    this.dropBuffer();
    this.connection.close();
  }

  private peer(): string {
    return this.connection.remoteAddress + ":" + this.connection.remotePort;
  }
}

const LAST_CHUNK = encodeAscii("0\r\n\r\n");

function httpData(this: Connection, bytes: Uint8Array): void {
  (this.target as HttpConnection).receive(bytes);
}

function httpDrain(this: Connection): void {
  (this.target as HttpConnection).drained();
}

function httpClosed(this: Connection): void {
  (this.target as HttpConnection).ended();
}

/** Origin-form `/p?q`, absolute-form `http://h/p?q` (RFC 9112 §3.2.2) or `*`; the path is percent-decoded. */
function splitTarget(target: string): { path: string; query: string } {
  let t = target;
  if (t === "*") return { path: "*", query: "" };
  if (!t.startsWith("/")) {
    const m = /^https?:\/\/[^/?#]*/i.exec(t);
    if (!m) throw new HttpError(400, "bad request target");
    t = t.slice(m[0].length) || "/";
    if (!t.startsWith("/")) t = "/" + t;
  }
  const q = t.indexOf("?");
  const raw = q < 0 ? t : t.slice(0, q);
  let path: string;
  try {
    path = raw.indexOf("%") < 0 ? raw : decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, "bad percent-encoding in path");
  }
  if (path.indexOf("\0") >= 0) throw new HttpError(400, "NUL in path");
  return { path, query: q < 0 ? "" : t.slice(q + 1) };
}
