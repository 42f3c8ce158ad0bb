/**
 * The JANOS WebSocket client (janos.md §3–§5). Login is not done here: a session cookie (from the
 * page's HTTP login) logs the socket in; when the device answers with the 401 challenge instead,
 * `challenged` lets the page log in over HTTP and call `connect` again.
 *
 * Requests carry Meta.Hash and are settled by the answer that echoes it. Control has no answer
 * when it works (the Monitor is the answer): its promise settles quietly after a short wait
 * unless an Error came back. A closed socket rejects what is pending, then reconnects with
 * backoff and jitter.
 */
import type { Role } from "./api.ts";

export type Link = "connecting" | "connected" | "disconnected" | "login needed";
export type Keys = Record<string, string>;
export type Message = Record<string, unknown>;

export interface Monitor {
  Inputs: { State: number; Count: number }[];
  Outputs: { State: number }[];
}

export interface JanosEvents {
  link(state: Link): void;
  authenticated(role: Role): void;
  monitor(m: Monitor): void;
  keys(keys: Keys): void;
  /** The device asked for a login; the socket is closed and stays closed until `connect`. */
  challenged(): void;
  /** An Error that answers no request of ours. */
  error(text: string): void;
}

export class JanosError extends Error {}

interface Pending {
  resolve(m: Message): void;
  reject(e: Error): void;
  timer: number;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5000;
const ANSWER_MS = 10_000;
/** How long a Control waits for an Error before it counts as done. */
const CONTROL_MS = 1500;

export class Janos {
  link: Link = "disconnected";
  role: Role = "view";
  private ws: WebSocket | undefined;
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private delay = FIRST_RETRY_MS;
  private retry = 0;

  constructor(
    private readonly url: string,
    private readonly on: JanosEvents,
  ) {}

  connect(): void {
    this.drop();
    this.set("connecting");
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this.on.error(`WebSocket: ${e instanceof Error ? e.message : String(e)}`);
      return this.later();
    }
    this.ws = ws;
    ws.onopen = () => ws.send('{"Message":""}');
    ws.onmessage = (e) => this.receive(e.data);
    // onerror is always followed by onclose, which does the work
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.failPending();
      this.later();
    };
  }

  /** Closes the socket and stays off: after a logout, or while a login is needed. */
  stop(state: Link): void {
    this.drop();
    this.set(state);
  }

  /** Tries again after the backoff (the device may be restarting). */
  later(): void {
    clearTimeout(this.retry);
    this.set("disconnected");
    const wait = this.delay * (0.75 + Math.random() * 0.5);
    this.delay = Math.min(this.delay * 2, MAX_RETRY_MS);
    this.retry = setTimeout(() => this.connect(), wait);
  }

  /** A request with an answer: resolves with it, rejects with the device's Error (its Detail). */
  request(m: Message): Promise<Message> {
    return this.send(m, false);
  }

  /** Control (janos.md §5.2): resolves when no Error came back in time. */
  command(command: string, channel: number, duration?: number): Promise<Message> {
    const m: Message = { Message: "Control", Command: command, Channel: channel };
    if (duration) m.Duration = duration;
    return this.send(m, true);
  }

  async read(keys: string[]): Promise<Keys> {
    return (await this.request({ Message: "Registry Read", Keys: keys })).Keys as Keys;
  }

  /** One atomic Registry Write: all keys or none, with the device's reasons in the error. */
  async write(keys: Keys): Promise<Keys> {
    const written = (await this.request({ Message: "Registry Write", Keys: keys })).Keys as Keys;
    this.on.keys(written);
    return written;
  }

  /** The keys and (ending in "/") the nodes under `node`. */
  async list(node: string): Promise<string[]> {
    return (await this.request({ Message: "Registry List", Node: node })).Keys as string[];
  }

  get live(): boolean {
    return this.link === "connected";
  }

  private send(m: Message, quiet: boolean): Promise<Message> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.link !== "connected") return Promise.reject(new JanosError("not connected to the device"));
    const hash = "ui" + ++this.seq;
    m.Meta = { Hash: hash };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.pending.delete(hash);
          if (quiet) resolve({});
          else reject(new JanosError("the device did not answer"));
        },
        quiet ? CONTROL_MS : ANSWER_MS,
      );
      this.pending.set(hash, { resolve, reject, timer });
      ws.send(JSON.stringify(m));
    });
  }

  private receive(data: unknown): void {
    let m: Message;
    try {
      m = JSON.parse(String(data)) as Message;
    } catch {
      return this.on.error("the device sent a message that is not JSON");
    }
    const meta = m.Meta as { Hash?: unknown } | undefined;
    const p = meta && typeof meta.Hash === "string" ? this.pending.get(meta.Hash) : undefined;
    if (p) {
      this.pending.delete(meta!.Hash as string);
      clearTimeout(p.timer);
      if (m.Message === "Error") p.reject(new JanosError(String(m.Detail ?? m.Text)));
      else p.resolve(m);
    }
    switch (m.Message) {
      case "Authenticated":
        this.role = m.Administrator ? "administrator" : m.Control ? "control" : "view";
        this.delay = FIRST_RETRY_MS;
        this.set("connected");
        this.on.authenticated(this.role);
        break;
      case "Monitor":
        this.on.monitor(m as unknown as Monitor);
        break;
      case "Registry Update":
        this.on.keys(m.Keys as Keys);
        break;
      case "Error":
        if (m.Nonce !== undefined || String(m.Text).startsWith("401")) {
          this.stop("login needed");
          this.on.challenged();
        } else if (!p) this.on.error(`${String(m.Text)}${m.Detail ? ": " + String(m.Detail) : ""}`);
        break;
    }
  }

  private drop(): void {
    clearTimeout(this.retry);
    const ws = this.ws;
    this.ws = undefined;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close();
    }
    this.failPending();
  }

  private failPending(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new JanosError("the connection to the device was lost"));
    }
    this.pending.clear();
  }

  private set(state: Link): void {
    if (this.link === state) return;
    this.link = state;
    this.on.link(state);
  }
}
