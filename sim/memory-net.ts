/**
 * An in-memory network for the memory host. Bytes move only when the virtual clock runs (each
 * direction is a queue drained by a timer), so tests decide exactly when data arrives. Writes can
 * be split into seeded random segments to exercise parsers against every split, and a paused or
 * slow reader builds up the writer's queue so back-pressure is observable.
 */
import type { ClientConnection, ConnectOptions, Connection, ListenOptions, Listener, Net, Timers } from "../src/host.ts";
import { SendQueue } from "../src/send-queue.ts";
import { Prng } from "./prng.ts";

export interface MemoryNetOptions {
  /** Delay before queued bytes are delivered, ms (default 0: on the next clock advance). */
  latencyMs?: number;
  /** Bytes a writer may queue before `write` returns false (default 16 KiB). */
  highWaterMark?: number;
  /** When set, writes are delivered in random segments of 1..maxSegment bytes. */
  maxSegment?: number;
  /** Bytes delivered per millisecond, per direction (default unlimited): a slow link. */
  bytesPerMs?: number;
  seed?: number;
}

interface Port {
  onConnection: (c: Connection) => void;
  secure: boolean;
}

export class MemoryNet implements Net {
  readonly tlsServer = true;
  readonly tlsClient = true;
  private readonly ports = new Map<number, Port>();
  private nextEphemeral = 49152;
  private nextClient = 2;
  private readonly prng: Prng;

  constructor(
    readonly timers: Timers,
    readonly options: MemoryNetOptions = {},
  ) {
    this.prng = new Prng(options.seed ?? 7);
  }

  listen(options: ListenOptions, onConnection: (c: Connection) => void): Promise<Listener> {
    let port = options.port;
    if (port === 0) {
      while (this.ports.has(this.nextEphemeral)) this.nextEphemeral++;
      port = this.nextEphemeral++;
    }
    if (this.ports.has(port)) return Promise.reject(new Error("EADDRINUSE: port " + port));
    const entry: Port = { onConnection, secure: !!options.tls };
    this.ports.set(port, entry);
    const ports = this.ports;
    return Promise.resolve({
      port,
      close() {
        if (ports.get(port) === entry) ports.delete(port);
      },
    });
  }

  connect(options: ConnectOptions): ClientConnection {
    return this.connectFrom("10.0.0." + this.nextClient++, options);
  }

  /** Connects as a client with a chosen address (per-address limits can be tested this way). */
  connectFrom(address: string, options: ConnectOptions): ClientConnection {
    const clientPort = this.nextEphemeral++;
    const client = new MemoryConnection(this, options.host, options.port, !!options.tls);
    this.timers.after(this.options.latencyMs ?? 0, () => {
      const target = this.ports.get(options.port);
      if (client.closed) return;
      if (!target || target.secure !== !!options.tls) {
        client.fail(target ? "TLS handshake failed" : "ECONNREFUSED " + options.host + ":" + options.port);
        return;
      }
      const server = new MemoryConnection(this, address, clientPort, target.secure);
      client.peer = server;
      server.peer = client;
      target.onConnection(server);
      client.open = true;
      server.open = true;
      client.onConnect?.();
      server.kick();
      client.kick();
    });
    return client;
  }

  /** @internal */
  segment(remaining: number): number {
    const max = this.options.maxSegment;
    return max ? Math.min(remaining, 1 + this.prng.below(max)) : remaining;
  }
}

export class MemoryConnection implements ClientConnection {
  target?: unknown;
  onData?: (bytes: Uint8Array) => void;
  onDrain?: () => void;
  onClose?: (error?: string) => void;
  onConnect?: () => void;
  /** @internal */ peer: MemoryConnection | undefined;
  /** @internal */ open = false;
  /** @internal */ closed = false;
  private readonly queue: SendQueue;
  private paused = false;
  private closing = false;
  private scheduled = false;
  private peerFinished = false;

  constructor(
    private readonly net: MemoryNet,
    readonly remoteAddress: string,
    readonly remotePort: number,
    readonly secure: boolean,
  ) {
    this.queue = new SendQueue(net.options.highWaterMark ?? 16384);
  }

  get pending(): number {
    return this.queue.pending;
  }

  write(bytes: Uint8Array): boolean {
    if (this.closed || this.closing) return false;
    const ok = this.queue.push(bytes);
    if (bytes.length) this.kick();
    return ok;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.peer?.kick();
    if (this.peerFinished) this.kick();
  }

  close(): void {
    if (this.closed || this.closing) return;
    this.closing = true;
    if (!this.open && !this.peer) return this.finish(); // a client closed before it connected
    this.kick(); // (an accepted connection opens right after onConnection: the kick waits for it)
  }

  destroy(): void {
    if (this.closed) return;
    this.queue.clear();
    const peer = this.peer;
    this.finish();
    peer?.fail("ECONNRESET");
  }

  /** @internal the connection failed (refused, reset) */
  fail(error: string): void {
    if (this.closed) return;
    this.queue.clear();
    this.finish(error);
  }

  /** @internal schedules a delivery run for this direction */
  kick(delay = this.net.options.latencyMs ?? 0): void {
    if (this.scheduled || this.closed || !this.open) return;
    this.scheduled = true;
    this.net.timers.after(delay, () => {
      this.scheduled = false;
      this.deliver();
    });
  }

  private deliver(): void {
    const peer = this.peer;
    if (this.closed || !peer) return;
    if (peer.closed) this.queue.clear();
    let budget = this.net.options.bytesPerMs ?? Infinity;
    while (this.queue.pending && !peer.paused && budget > 0) {
      // a copy, as a real network makes one: the receiver may modify what it is given
      const chunk = this.queue.take(this.net.segment(budget))!.slice();
      budget -= chunk.length;
      peer.onData?.(chunk);
      if (this.closed || peer.closed) return this.kick();
    }
    if (this.queue.pending) {
      if (!peer.paused) this.kick(budget > 0 ? undefined : 1);
      return;
    }
    if (this.queue.drained()) this.onDrain?.();
    if (this.closing && !this.closed) {
      peer.peerFinished = true;
      this.finish();
      if (!peer.paused) peer.finish();
    } else if (this.peerFinished && !this.paused) this.finish();
  }

  private finish(error?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    const onClose = this.onClose;
    this.onClose = undefined;
    onClose?.call(this, error);
  }
}
