/**
 * Net over ECMA-419 sockets (`embedded:io/socket/listener`, `embedded:io/socket/tcp`).
 *
 * The device's TCP `write` throws "would block" beyond the free send buffer and `onWritable(n)`
 * reports that space, so each connection keeps a queue and feeds the socket as space appears. Reads
 * go into one buffer per connection, reused. A TLS listener runs each connection through an Mbed TLS
 * session (tls.ts); there is no TLS client wired yet: it is refused with a clear error.
 */
import Listener from "embedded:io/socket/listener";
import TCP from "embedded:io/socket/tcp";
import UDP from "embedded:io/socket/udp";
import NetStatus from "net";
import { Socket as LegacySocket } from "socket";
import type { ClientConnection, ConnectOptions, Connection, ListenOptions, Listener as HostListener, Net, UdpOptions, UdpSocket } from "../../src/host.ts";
import { isIpv4 } from "../../src/network/ipv4.ts";
import { SendQueue } from "../../src/send-queue.ts";
import { callSafely } from "./guard.ts";
import config from "mc/config";
import { limit as limitTls, TLSServer } from "iobox-tls";
import { TlsConnection } from "./tls.ts";

const READ_CHUNK = 1460; // one TCP segment: bounded heap per read
/**
 * Native memory every TLS session and server together may hold (manifest.json's tlsMemory): a
 * session takes ~27 KB open and ~32 KB at its handshake's peak (16 KB and 4 KB record buffers), so
 * a connection that could not be held is closed before its handshake. The ESP32's 40 KB allows one
 * session at a time (whether a board without PSRAM has that to spare beside the XS heap is for an
 * ESP32 to show); lin's 128 KB, four.
 */
const TLS_MEMORY = (): number => Number((config as { tlsMemory?: unknown }).tlsMemory) || 0;
const HIGH_WATER = 4096; // queued bytes before write() asks the caller to wait

/**
 * One read buffer for every connection: the Connection contract lets a receiver use the bytes only
 * during `onData`, and sockets' callbacks never nest, so connections need not keep one each.
 */
let readBuffer: Uint8Array | undefined;

export class ModdableNet implements Net {
  readonly tlsServer = true;
  readonly tlsClient = false;

  listen(options: ListenOptions, onConnection: (c: Connection) => void): Promise<HostListener> {
    try {
      // the certificate and key are parsed once per listener; a bad pair rejects here, by name
      if (options.tls) limitTls(TLS_MEMORY());
      const tls = options.tls ? new TLSServer(options.tls.cert, options.tls.key) : undefined;
      // only `admit` is kept: the certificate's and key's text would stay in the heap for nothing
      const accepting = new Accepting(options.admit, tls ? secured(tls, onConnection) : onConnection);
      const listener = new Listener({ port: options.port, onReadable: accepting.readable });
      accepting.listener = listener;
      return Promise.resolve({
        port: listener.port,
        close: () => {
          (listener as unknown as { close(): void }).close();
          tls?.close(); // its sessions keep it until they end
        },
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  connect(options: ConnectOptions): ClientConnection {
    if (options.tls) throw new Error("no TLS client on this device yet");
    return new SocketConnection(undefined, options);
  }

  /** lwIP's resolver (the lin build: GLib's). */
  resolve(name: string): Promise<string> {
    if (isIpv4(name)) return Promise.resolve(name);
    return new Promise((resolve, reject) => {
      try {
        NetStatus.resolve(name, (_name: string, address?: string) => (address ? resolve(address) : reject(new Error("cannot resolve " + name))));
      } catch (e) {
        reject(e); // lwIP's queue of lookups is full
      }
    });
  }

  /**
   * ECMA-419's UDP (the captive DNS, SNTP); for a multicast group (mDNS), Moddable's `socket` module,
   * which joins groups on lwIP (the ESP32). lin's refuses every group: platform-sim says so.
   */
  udp(options: UdpOptions, onPacket: OnPacket): Promise<UdpSocket> {
    try {
      return Promise.resolve(options.multicast ? multicastUdp(options, onPacket) : unicastUdp(options, onPacket));
    } catch (e) {
      return Promise.reject(e);
    }
  }
}

/**
 * Takes a listener's connections one per turn of the event loop, asking `admit` before it makes
 * anything for one. lwIP keeps the ones not yet taken (outside the XS heap); taking a burst of
 * hundreds in one callback would hold every one of them, and what the servers make for them, alive
 * at once (300 connections at once ended the VM with "memory full"). Between turns the connections
 * just closed are let go, so the heap holds only those being served.
 */
class Accepting {
  listener: Listener | undefined;
  private waiting = 0;
  private scheduled = false;

  constructor(
    private readonly admit: ListenOptions["admit"],
    private readonly onConnection: (c: Connection) => void,
  ) {}

  /** The listener's onReadable: `count` connections are waiting (all of them, not only new ones). */
  readonly readable = (count: number): void => {
    this.waiting = count;
    if (!this.scheduled) this.next();
  };

  private next(): void {
    this.scheduled = false;
    if (this.waiting <= 0 || !this.listener) return;
    this.waiting--;
    callSafely(this, this.takeOne, "net: a connection could not be set up");
    if (this.waiting > 0) {
      this.scheduled = true;
      Promise.resolve(this).then(acceptNext); // after the jobs the last connection queued (its close)
    }
  }

  private takeOne(): void {
    const from = this.listener!.read(); // Moddable's read() makes the socket's object: the least a connection costs
    if (!from) return;
    if (this.admit && !this.admit()) (from as unknown as { close(): void }).close();
    else this.onConnection(new SocketConnection(from, undefined));
  }

  /** @internal */
  continue(): void {
    this.next();
  }
}

function acceptNext(a: Accepting): void {
  a.continue();
}

/** A TLS listener's connections: a TLS session over each; one the TLS memory cannot hold is closed at once. */
function secured(server: TLSServer, onConnection: (c: Connection) => void): (c: Connection) => void {
  return (tcp) => {
    let tls: TlsConnection;
    try {
      tls = new TlsConnection(server, tcp);
    } catch (e) {
      trace(`tls: ${tcp.remoteAddress} refused: ${(e as Error).message}\n`);
      return tcp.destroy();
    }
    onConnection(tls);
  };
}

type OnPacket = (bytes: Uint8Array, address: string, port: number) => void;

function unicastUdp(options: UdpOptions, onPacket: OnPacket): UdpSocket {
  const socket = new UDP({
    ...(options.port ? { port: options.port } : {}),
    onReadable(count: number) {
      while (count-- > 0) {
        const packet = this.read();
        delivery.set(onPacket, new Uint8Array(packet), packet.address, packet.port);
        callSafely(delivery, deliver, "udp");
      }
    },
  });
  return udpSocket(options.port, (bytes, address, port) => socket.write(bytes, address, port), () => (socket as unknown as { close(): void }).close());
}

/** Datagrams are read in the socket module's callback, the only time they can be. */
function multicastUdp(options: UdpOptions, onPacket: OnPacket): UdpSocket {
  const socket = new LegacySocket({ kind: "UDP", port: options.port, multicast: options.multicast } as never) as unknown as LegacyUdp;
  socket.callback = function (message: number, _length: number, address: string, port: number) {
    if (message !== 2) return; // 2: a datagram to read
    delivery.set(onPacket, new Uint8Array(this.read(ArrayBuffer)), address, port);
    callSafely(delivery, deliver, "udp");
  };
  return udpSocket(options.port, (bytes, address, port) => socket.write(address, port, bytes.slice().buffer as ArrayBuffer), () => socket.close());
}

/** The datagram being handed to a receiver (sockets' callbacks never nest: one will do). */
class Delivery {
  onPacket: OnPacket | undefined;
  bytes: Uint8Array | undefined;
  address = "";
  port = 0;

  set(onPacket: OnPacket, bytes: Uint8Array, address: string, port: number): void {
    this.onPacket = onPacket;
    this.bytes = bytes;
    this.address = address;
    this.port = port;
  }
}
const delivery = new Delivery();

function deliver(this: Delivery): void {
  const { onPacket, bytes } = this;
  this.onPacket = this.bytes = undefined;
  onPacket!(bytes!, this.address, this.port);
}

function udpSocket(port: number, write: (bytes: Uint8Array, address: string, port: number) => void, close: () => void): UdpSocket {
  return {
    port,
    send(bytes, address, to) {
      try {
        write(bytes, address, to);
      } catch {
        // a datagram that cannot be sent is dropped, as UDP does
      }
    },
    close,
  };
}

interface LegacyUdp {
  callback: (this: LegacyUdp, message: number, length: number, address: string, port: number) => void;
  read(type: typeof ArrayBuffer): ArrayBuffer;
  write(address: string, port: number, data: ArrayBuffer): void;
  close(): void;
}

/** The socket's callbacks, shared by every socket: `this` is the socket, its `target` the connection. */
type Socket = TCP & { target: SocketConnection };
function onReadable(this: Socket, count: number): void {
  this.target.readable(count);
}
function onWritable(this: Socket, count: number): void {
  this.target.writable(count);
}
function onError(this: Socket): void {
  this.target.failed();
}

class SocketConnection implements ClientConnection {
  target?: unknown;
  onData?: (bytes: Uint8Array) => void;
  onDrain?: () => void;
  onClose?: (error?: string) => void;
  onConnect?: () => void;
  remoteAddress: string;
  remotePort: number;
  private readonly socket: TCP;
  private readonly queue = new SendQueue(HIGH_WATER);
  private room = 0; // bytes the socket takes now
  private available = 0; // bytes waiting to be read
  /** 1 paused, 2 closing, 4 closed, 8 connecting (a client before its first onWritable) */
  private state: number;

  constructor(from: TCP | undefined, connect: ConnectOptions | undefined) {
    this.state = connect ? CONNECTING : 0;
    this.socket = from
      ? new TCP({ from, onReadable, onWritable, onError, format: "buffer", target: this } as ConstructorParameters<typeof TCP>[0])
      : new TCP({ address: connect!.host, port: connect!.port, nodelay: true, onReadable, onWritable, onError, format: "buffer", target: this } as ConstructorParameters<typeof TCP>[0]);
    this.remoteAddress = this.socket.remoteAddress ?? connect?.host ?? "";
    this.remotePort = this.socket.remotePort ?? connect?.port ?? 0;
  }

  get secure(): boolean {
    return false;
  }

  get pending(): number {
    return this.queue.pending;
  }

  write(bytes: Uint8Array): boolean {
    if (this.state & (CLOSING | CLOSED)) return false;
    const ok = this.queue.push(bytes);
    this.flush();
    return ok;
  }

  pause(): void {
    this.state |= PAUSED;
  }

  resume(): void {
    if (!(this.state & PAUSED)) return;
    this.state &= ~PAUSED;
    if (this.available > 0) Promise.resolve(this).then(pumpLater); // not from inside resume()
  }

  close(): void {
    if (this.state & (CLOSING | CLOSED)) return;
    this.state |= CLOSING;
    if (!this.queue.pending) this.finish();
  }

  destroy(): void {
    this.queue.clear();
    this.finish();
  }

  /** @internal onReadable */
  readable(count: number): void {
    this.available = count;
    this.guard(this.pump);
  }

  /** @internal onWritable */
  writable(count: number): void {
    this.room = count;
    if (this.state & CONNECTING) {
      this.state &= ~CONNECTING;
      if (this.onConnect) this.guard(this.onConnect);
    }
    this.guard(this.flush);
  }

  /** @internal resume's deferred pump */
  resumed(): void {
    this.guard(this.pump);
  }

  /** @internal onError */
  failed(): void {
    this.finish(this.state & CLOSING ? undefined : "connection lost");
  }

  /** An exception escaping a socket callback would abort the VM: it is logged, and the connection dropped. */
  private guard(fn: (this: SocketConnection) => void): void {
    if (!callSafely(this, fn, "net: a connection failed and is dropped")) this.destroy();
  }

  private flush(): void {
    while (this.queue.pending && this.room > 0 && !(this.state & CLOSED)) {
      const chunk = this.queue.take(this.room)!;
      let left: unknown;
      try {
        left = this.socket.write(chunk);
      } catch {
        return this.finish("write failed");
      }
      // A failed write (the peer reset) returns nothing and flags the socket in error, but the
      // error is never reported on lin (its socket task skips a socket in error): without this the
      // connection would be held for good
      if (typeof left !== "number") return this.finish("write failed");
      this.room = left;
    }
    if (this.queue.pending || this.state & CLOSED) return;
    if (this.state & CLOSING) return this.finish();
    if (this.queue.drained()) this.onDrain?.();
  }

  private finish(error?: string): void {
    if (this.state & CLOSED) return;
    this.state |= CLOSED;
    this.queue.clear();
    try {
      this.socket.close();
    } catch {
      // already gone
    }
    const onClose = this.onClose;
    this.onClose = undefined;
    // later, not from inside close() or destroy() (lwIP reports an idle socket's end at once)
    if (onClose) Promise.resolve().then(() => onClose.call(this, error));
  }

  private pump(): void {
    while (this.available > 0 && !(this.state & (PAUSED | CLOSED))) {
      const n = Math.min(this.available, READ_CHUNK);
      readBuffer ??= new Uint8Array(READ_CHUNK);
      const view = n === READ_CHUNK ? readBuffer : readBuffer.subarray(0, n);
      (this.socket.read as (b: Uint8Array) => void)(view);
      this.available -= n;
      this.onData?.(view);
    }
  }
}

const PAUSED = 1;
const CLOSING = 2;
const CLOSED = 4;
const CONNECTING = 8;

function pumpLater(c: SocketConnection): void {
  c.resumed();
}
