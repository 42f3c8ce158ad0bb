/** Net over node:net and node:tls. */
import dgram from "node:dgram";
import dns from "node:dns";
import net from "node:net";
import tls from "node:tls";
import type { ClientConnection, ConnectOptions, Connection, ListenOptions, Listener, Net, UdpOptions, UdpSocket } from "../../src/host.ts";

/** A peer that never answers our FIN must not hold a socket forever. */
const CLOSE_GRACE_MS = 5000;

export class NodeNet implements Net {
  readonly tlsServer = true;
  readonly tlsClient = true;
  private readonly sockets = new Set<net.Socket>();

  listen(options: ListenOptions, onConnection: (c: Connection) => void): Promise<Listener> {
    const accept = (socket: net.Socket, secure: boolean): void => {
      if (options.admit && !options.admit()) return void socket.destroy();
      const c = new NodeConnection(socket, secure, this.sockets);
      onConnection(c);
    };
    const server: net.Server = options.tls
      ? tls.createServer({ cert: options.tls.cert, key: options.tls.key, minVersion: "TLSv1.2" }, (s) => accept(s, true))
      : net.createServer({ noDelay: true }, (s) => accept(s, false));
    // failed TLS handshakes (scanners, clients refusing a self-signed certificate) are routine
    server.on("tlsClientError", (_e: Error, s: net.Socket) => s.destroy());
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: options.host, port: options.port }, () => {
        server.off("error", reject);
        server.on("error", () => {});
        const port = (server.address() as net.AddressInfo).port;
        resolve({ port, close: () => server.close() });
      });
    });
  }

  async resolve(name: string): Promise<string> {
    if (net.isIPv4(name)) return name;
    const { address } = await dns.promises.lookup(name, { family: 4 });
    return address;
  }

  udp(options: UdpOptions, onPacket: (bytes: Uint8Array, address: string, port: number) => void): Promise<UdpSocket> {
    // reuseAddr: mDNS shares 5353 with the PC's own responder (avahi)
    const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
    socket.on("message", (msg, from) => onPacket(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), from.address, from.port));
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(options.port, () => {
        socket.off("error", reject);
        socket.on("error", () => {}); // a datagram that cannot be sent is dropped, as UDP does
        if (options.multicast) {
          socket.addMembership(options.multicast, options.interface);
          if (options.interface) socket.setMulticastInterface(options.interface);
          socket.setMulticastTTL(255);
        }
        resolve({
          port: socket.address().port,
          send: (bytes, address, port) => socket.send(bytes, port, address),
          close: () => socket.close(),
        });
      });
    });
  }

  connect(options: ConnectOptions): ClientConnection {
    const secure = !!options.tls;
    const socket = options.tls
      ? tls.connect({
          host: options.host,
          port: options.port,
          ca: options.tls.ca,
          servername: options.tls.servername ?? (net.isIP(options.host) ? undefined : options.host),
          rejectUnauthorized: options.tls.verify !== false,
        })
      : net.connect({ host: options.host, port: options.port, noDelay: true });
    const c = new NodeConnection(socket, secure, this.sockets);
    socket.once(secure ? "secureConnect" : "connect", () => c.onConnect?.());
    return c;
  }

  /** Destroys every socket this host opened or accepted (for tests and shutdown). */
  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
  }
}

class NodeConnection implements ClientConnection {
  target?: unknown;
  onData?: (bytes: Uint8Array) => void;
  onDrain?: () => void;
  onClose?: (error?: string) => void;
  onConnect?: () => void;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private error: string | undefined;
  private closed = false;
  private corked = false;

  constructor(
    private readonly socket: net.Socket,
    readonly secure: boolean,
    sockets: Set<net.Socket>,
  ) {
    sockets.add(socket);
    this.remoteAddress = (socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    this.remotePort = socket.remotePort ?? 0;
    socket.on("data", (buf: Buffer) => {
      // a plain view: Buffer#slice does not copy, and the core expects Uint8Array semantics
      this.onData?.(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    });
    socket.on("drain", () => this.onDrain?.());
    socket.on("error", (e: NodeJS.ErrnoException) => {
      this.error ??= e.code ?? e.message;
    });
    socket.on("close", () => {
      sockets.delete(socket);
      this.closed = true;
      const onClose = this.onClose;
      this.onClose = undefined;
      onClose?.call(this, this.error);
    });
  }

  get pending(): number {
    return this.socket.writableLength;
  }

  write(bytes: Uint8Array): boolean {
    if (this.closed || this.socket.writableEnded || this.socket.destroyed) return false;
    // writes made in one turn of the event loop leave together (one writev, not one syscall each)
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(uncork, this);
    }
    return this.socket.write(bytes);
  }

  /** @internal */
  uncork(): void {
    this.corked = false;
    this.socket.uncork();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    if (this.closed || this.socket.writableEnded) return;
    if (this.corked) this.uncork();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function uncork(c: NodeConnection): void {
  c.uncork();
}
