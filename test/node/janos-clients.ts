/**
 * JANOS clients over real sockets for the end-to-end tests: a WebSocket one on the `ws` package and
 * a JMP one on node:net with its own frame reader. Both are written here from janos.md, apart from
 * the server's code, and log in as INTEG's clients do.
 */
import crypto from "node:crypto";
import net from "node:net";
import WebSocket from "ws";

export type Json = Record<string, unknown>;

export abstract class E2eClient {
  readonly messages: Json[] = [];
  closed = false;
  private waiters: { pred: (m: Json) => boolean; resolve: (m: Json) => void }[] = [];
  private closeWaiters: (() => void)[] = [];

  abstract send(message: Json | string): void;
  abstract close(): void;

  /** The first message (already received or still to come) after index `from` that matches. */
  waitFor(pred: (m: Json) => boolean, ms = 5000, from = 0): Promise<Json> {
    const seen = this.messages.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message in ${ms} ms; got ${JSON.stringify(this.messages).slice(-600)}`)), ms);
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** The next message named `name` that arrives after now. */
  next(name: string, ms = 5000): Promise<Json> {
    return this.waitFor((m) => m.Message === name, ms, this.messages.length);
  }

  whenClosed(ms = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("still open after " + ms + " ms")), ms);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Sends the empty probe, answers the 401 with Auth-Digest; resolves with Authenticated and the Monitor after it. */
  async login(user: string, password: string, options: { upperCase?: boolean } = {}): Promise<{ authenticated: Json; monitor: Json }> {
    const challenge = this.next("Error");
    this.send({ Message: "" });
    const nonce = (await challenge).Nonce as string;
    const authenticated = this.next("Authenticated");
    const monitor = this.waitFor((m) => m.Message === "Monitor", 5000, this.messages.length);
    this.send({ "Auth-Digest": authDigest(user, password, nonce, options.upperCase) });
    return { authenticated: await authenticated, monitor: await monitor };
  }

  protected received(m: Json): void {
    this.messages.push(m);
    const ready = this.waiters.filter((w) => w.pred(m));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(m);
  }

  protected ended(): void {
    this.closed = true;
    for (const w of this.closeWaiters.splice(0)) w();
  }
}

export function authDigest(user: string, password: string, nonce: string, upperCase = false): string {
  const hex = crypto.createHash("md5").update(`${user}:${nonce}:${password}`).digest("hex");
  return user + ":" + (upperCase ? hex.toUpperCase() : hex);
}

export class WsClient extends E2eClient {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}, options: { ca?: string; servername?: string } = {}) {
    super();
    this.ws = new WebSocket(url, { headers, ...options });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
    this.ws.on("message", (data, isBinary) => {
      if (!isBinary) this.received(JSON.parse(String(data)) as Json);
    });
    this.ws.on("close", () => this.ended());
    this.ws.on("error", () => {});
  }

  send(message: Json | string): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  close(): void {
    this.ws.close();
  }
}

/** JMP over TCP; frames are read the strict way pyJmp reads them ("[N," then N bytes then "]"). */
export class JmpClient extends E2eClient {
  readonly socket: net.Socket;
  readonly connected: Promise<void>;
  /** Every byte received, for checks of the wire format. */
  raw = Buffer.alloc(0);
  private buffer = Buffer.alloc(0);

  /** `localAddress`: another loopback address (127.0.0.2) is another client to the device's login limiter. */
  constructor(port: number, host = "127.0.0.1", localAddress?: string) {
    super();
    this.socket = net.connect({ port, host, noDelay: true, localAddress });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once("connect", () => resolve());
      this.socket.once("error", reject);
    });
    this.socket.on("data", (d: Buffer) => {
      this.raw = Buffer.concat([this.raw, d]);
      this.buffer = Buffer.concat([this.buffer, d]);
      for (;;) {
        const m = /^\[(\d+),/.exec(this.buffer.toString("latin1", 0, Math.min(this.buffer.length, 16)));
        if (!m) break;
        const start = m[0].length;
        const n = Number(m[1]);
        if (this.buffer.length < start + n + 1) break;
        if (this.buffer[start + n] !== 0x5d) throw new Error("frame not closed by ]: " + this.buffer.toString("latin1"));
        this.received(JSON.parse(this.buffer.toString("ascii", start, start + n)) as Json);
        this.buffer = this.buffer.subarray(start + n + 1);
      }
    });
    this.socket.on("close", () => this.ended());
    this.socket.on("error", () => {});
  }

  send(message: Json | string): void {
    const text = typeof message === "string" ? message : JSON.stringify(message);
    this.socket.write(`[${Buffer.byteLength(text)},${text}]`);
  }

  /** Raw bytes, for framing tests. */
  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.end();
  }
}
