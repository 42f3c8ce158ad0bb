/**
 * Net over ECMA-419 sockets (`embedded:io/socket/listener`, `embedded:io/socket/tcp`).
 *
 * The device's TCP `write` throws "would block" beyond the free send buffer and `onWritable(n)`
 * reports that space, so each connection keeps a queue and feeds the socket as space appears. Reads
 * go into one buffer per connection, reused. There is no TLS listener on the device (moddable.md §3),
 * and no TLS client wired yet: both are refused with a clear error.
 */
import Listener from "embedded:io/socket/listener";
import TCP from "embedded:io/socket/tcp";
import type { ClientConnection, ConnectOptions, Connection, ListenOptions, Listener as HostListener, Net } from "../../src/host.ts";
import { SendQueue } from "../../src/send-queue.ts";

const READ_CHUNK = 1460; // one TCP segment: bounded heap per read
const HIGH_WATER = 4096; // queued bytes before write() asks the caller to wait

export class ModdableNet implements Net {
  readonly tlsServer = false;
  readonly tlsClient = false;

  listen(options: ListenOptions, onConnection: (c: Connection) => void): Promise<HostListener> {
    if (options.tls) return Promise.reject(new Error("no TLS listener on this device"));
    try {
      const listener = new Listener({
        port: options.port,
        onReadable(count: number) {
          while (count-- > 0) {
            const from = this.read();
            if (from) onConnection(new SocketConnection(from, undefined));
          }
        },
      });
      return Promise.resolve({ port: listener.port, close: () => (listener as unknown as { close(): void }).close() });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  connect(options: ConnectOptions): ClientConnection {
    if (options.tls) throw new Error("no TLS client on this device yet");
    return new SocketConnection(undefined, options);
  }
}

class SocketConnection implements ClientConnection {
  target?: unknown;
  onData?: (bytes: Uint8Array) => void;
  onDrain?: () => void;
  onClose?: (error?: string) => void;
  onConnect?: () => void;
  readonly secure = false;
  remoteAddress = "";
  remotePort = 0;
  private readonly socket: TCP;
  private readonly queue = new SendQueue(HIGH_WATER);
  private writable = 0;
  private paused = false;
  private closing = false;
  private closed = false;
  private readBuffer: Uint8Array | undefined;
  private available = 0;

  constructor(from: TCP | undefined, connect: ConnectOptions | undefined) {
    const self = this;
    const callbacks = {
      onReadable(count: number) {
        self.available = count;
        self.pump();
      },
      onWritable(count: number) {
        self.writable = count;
        if (connect && !self.onConnectDone) {
          self.onConnectDone = true;
          self.onConnect?.();
        }
        self.flush();
      },
      onError() {
        self.finish(self.closing ? undefined : "connection lost");
      },
      format: "buffer" as const,
    };
    this.socket = from ? new TCP({ from, ...callbacks }) : new TCP({ address: connect!.host, port: connect!.port, nodelay: true, ...callbacks });
    this.remoteAddress = this.socket.remoteAddress ?? connect?.host ?? "";
    this.remotePort = this.socket.remotePort ?? connect?.port ?? 0;
  }

  private onConnectDone = false;

  get pending(): number {
    return this.queue.pending;
  }

  write(bytes: Uint8Array): boolean {
    if (this.closed || this.closing) return false;
    const ok = this.queue.push(bytes);
    this.flush();
    return ok;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.available > 0) Promise.resolve(this).then(pumpLater); // not from inside resume()
  }

  close(): void {
    if (this.closed || this.closing) return;
    this.closing = true;
    if (!this.queue.pending) this.finish();
  }

  destroy(): void {
    this.queue.clear();
    this.finish();
  }

  private flush(): void {
    while (this.queue.pending && this.writable > 0 && !this.closed) {
      const chunk = this.queue.take(this.writable)!;
      try {
        this.writable = this.socket.write(chunk) as unknown as number;
      } catch {
        return this.finish("write failed");
      }
    }
    if (this.queue.pending || this.closed) return;
    if (this.closing) return this.finish();
    if (this.queue.drained()) this.onDrain?.();
  }

  private finish(error?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.clear();
    this.readBuffer = undefined;
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

  /** @internal */
  pump(): void {
    while (this.available > 0 && !this.paused && !this.closed) {
      const n = Math.min(this.available, READ_CHUNK);
      this.readBuffer ??= new Uint8Array(READ_CHUNK);
      const view = n === READ_CHUNK ? this.readBuffer : this.readBuffer.subarray(0, n);
      (this.socket.read as (b: Uint8Array) => void)(view);
      this.available -= n;
      this.onData?.(view);
    }
  }
}

function pumpLater(c: SocketConnection): void {
  c.pump();
}
