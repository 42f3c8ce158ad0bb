/**
 * An in-memory network for the memory host. Bytes move only when the virtual clock runs (each
 * direction is a queue drained by a timer), so tests decide exactly when data arrives. Writes can
 * be split into seeded random segments to exercise parsers against every split, and a paused or
 * slow reader builds up the writer's queue so back-pressure is observable.
 *
 * Like the device's, it connects to addresses only: a name must be resolved first, from the names
 * this network knows (`names`), and one it does not know fails. UDP datagrams, unicast or to a
 * multicast group, are delivered the same way, by the clock.
 */
import type { ClientConnection, ConnectOptions, Connection, ListenOptions, Listener, Net, Timers, UdpOptions, UdpSocket } from "../src/host.ts";
import { isIpv4 } from "../src/network/ipv4.ts";
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
  /** Host names it resolves, to addresses. */
  names?: Record<string, string>;
}

/** The memory host's own address: clients connect to it, and its datagrams come from it. */
export const MEMORY_HOST_ADDRESS = "10.0.0.1";



interface Port {
  onConnection: (c: Connection) => void;
  secure: boolean;
  admit?: () => boolean;
}

export class MemoryNet implements Net {
  readonly tlsServer = true;
  readonly tlsClient = true;
  private readonly ports = new Map<number, Port>();
  private nextEphemeral = 49152;
  private nextClient = 2;
  private readonly prng: Prng;
  /** Host names and their addresses; a test adds, changes or removes them (a lookup that fails). */
  readonly names: Map<string, string>;
  private readonly udpSockets = new Set<MemoryUdp>();
  /** Connections accepted by a listener and not yet closed on the listener's side: what a leak shows in. */
  acceptedOpen = 0;

  constructor(
    readonly timers: Timers,
    readonly options: MemoryNetOptions = {},
  ) {
    this.prng = new Prng(options.seed ?? 7);
    this.names = new Map(Object.entries(options.names ?? {}));
  }

  resolve(name: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.timers.after(this.options.latencyMs ?? 0, () => {
        const address = isIpv4(name) ? name : this.names.get(name.toLowerCase());
        if (address) resolve(address);
        else reject(new Error(`cannot resolve ${name}`));
      });
    });
  }

  udp(options: UdpOptions, onPacket: (bytes: Uint8Array, address: string, port: number) => void): Promise<UdpSocket> {
    try {
      return Promise.resolve(this.udpFrom(MEMORY_HOST_ADDRESS, options, onPacket));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** A UDP socket of another host on this network (a test's client), at once. */
  udpFrom(address: string, options: UdpOptions, onPacket: (bytes: Uint8Array, address: string, port: number) => void): UdpSocket {
    let port = options.port;
    if (port === 0) port = this.nextEphemeral++;
    for (const s of this.udpSockets) if (s.address === address && s.port === port && !options.multicast) throw new Error("EADDRINUSE: udp port " + port);
    const socket = new MemoryUdp(this, address, port, options.multicast, onPacket);
    this.udpSockets.add(socket);
    return socket;
  }

  /** @internal a datagram on its way: to the sockets bound to (address, port), or joined to the group */
  deliver(bytes: Uint8Array, from: MemoryUdp, address: string, port: number): void {
    const copy = bytes.slice();
    this.timers.after(this.options.latencyMs ?? 0, () => {
      for (const s of this.udpSockets) {
        if (s.port !== port || s === from) continue;
        if (address === s.multicast || address === s.address) s.onPacket(copy.slice(), from.address, from.port);
      }
    });
  }

  /** @internal */
  forget(socket: MemoryUdp): void {
    this.udpSockets.delete(socket);
  }

  listen(options: ListenOptions, onConnection: (c: Connection) => void): Promise<Listener> {
    let port = options.port;
    if (port === 0) {
      while (this.ports.has(this.nextEphemeral)) this.nextEphemeral++;
      port = this.nextEphemeral++;
    }
    if (this.ports.has(port)) return Promise.reject(new Error("EADDRINUSE: port " + port));
    const entry: Port = { onConnection, secure: !!options.tls, admit: options.admit };
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
    if (!isIpv4(options.host)) throw new RangeError(`not an IPv4 address: ${options.host} (resolve names first)`);
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
      if (target.admit && !target.admit()) {
        client.fail("closed by the peer as it arrived"); // nothing was made for it on the server's side
        return;
      }
      const server = new MemoryConnection(this, address, clientPort, target.secure);
      server.accepted = true;
      this.acceptedOpen++;
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
  /** @internal the listener's end */ accepted = false;
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
    if (this.accepted) this.net.acceptedOpen--;
    const onClose = this.onClose;
    this.onClose = undefined;
    onClose?.call(this, error);
  }
}

class MemoryUdp implements UdpSocket {
  constructor(
    private readonly net: MemoryNet,
    readonly address: string,
    readonly port: number,
    readonly multicast: string | undefined,
    readonly onPacket: (bytes: Uint8Array, address: string, port: number) => void,
  ) {}

  send(bytes: Uint8Array, address: string, port: number): void {
    this.net.deliver(bytes, this, address, port);
  }

  close(): void {
    this.net.forget(this);
  }
}
