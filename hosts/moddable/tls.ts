/**
 * TLS on the device: a Connection that speaks TLS over one of the device's TCP connections, with
 * Mbed TLS doing the protocol (the native module iobox-tls, hosts/moddable/tls/). The TCP
 * connection keeps its socket, its queue and its back-pressure (net.ts); here ciphertext goes into
 * the session as it arrives, plaintext comes out into one shared buffer (receivers use bytes only
 * during onData), and what the session writes goes to the TCP connection. Everything above (HTTP,
 * WebSocket, JANOS, /api/ws) is the same over it as over plain TCP.
 */
import { TLSSession, type TLSServer } from "iobox-tls";
import type { Connection } from "../../src/host.ts";
import { SendQueue } from "../../src/send-queue.ts";
import { callSafely } from "./guard.ts";

const WANT_READ = -0x6900;
const WANT_WRITE = -0x6880;
const PEER_CLOSE_NOTIFY = -0x7880;
/** Plaintext handed to onData at once; one TCP segment's worth. */
const PLAIN_CHUNK = 1460;
/** Plaintext per record (Mbed TLS's MBEDTLS_SSL_OUT_CONTENT_LEN, hosts/moddable/tls/mbedtls-user-config.h). */
const RECORD = 4096;
/** Bytes waiting (here and in the TCP connection) before write() asks the caller to wait. */
const HIGH_WATER = 4096;

let plainBuffer: Uint8Array | undefined;

export class TlsConnection implements Connection {
  target?: unknown;
  onData?: (bytes: Uint8Array) => void;
  onDrain?: () => void;
  onClose?: (error?: string) => void;
  readonly remoteAddress: string;
  readonly remotePort: number;
  private session: TLSSession | undefined;
  private readonly queue = new SendQueue(HIGH_WATER);
  /** Plaintext a record was made of and whose write has not yet returned its length (Mbed TLS wants the same bytes again). */
  private writing: Uint8Array | undefined;
  /** Ciphertext the session had no room for: the TCP connection is paused until it is in. */
  private leftover: Uint8Array | undefined;
  private error: string | undefined;
  /** 1 paused, 2 closing, 4 closed */
  private state = 0;

  /** Throws RangeError when the TLS memory limit could not hold another session (the caller closes `tcp`). */
  constructor(
    server: TLSServer,
    private readonly tcp: Connection,
  ) {
    this.session = new TLSSession(server);
    this.remoteAddress = tcp.remoteAddress;
    this.remotePort = tcp.remotePort;
    tcp.target = this;
    tcp.onData = tcpData;
    tcp.onDrain = tcpDrain;
    tcp.onClose = tcpClose;
  }

  get secure(): boolean {
    return true;
  }

  get pending(): number {
    return this.queue.pending + (this.writing?.length ?? 0) + this.tcp.pending;
  }

  /** "TLSv1.3 TLS1-3-AES-128-GCM-SHA256" once the handshake is done. */
  get protocol(): string | undefined {
    return this.session?.protocol;
  }

  write(bytes: Uint8Array): boolean {
    if (this.state & (CLOSING | CLOSED)) return false;
    const ok = this.queue.push(bytes);
    this.send();
    return ok;
  }

  pause(): void {
    this.state |= PAUSED;
  }

  resume(): void {
    if (!(this.state & PAUSED)) return;
    this.state &= ~PAUSED;
    Promise.resolve(this).then(advanceLater); // not from inside resume()
  }

  close(): void {
    if (this.state & (CLOSING | CLOSED)) return;
    this.state |= CLOSING;
    this.send();
  }

  destroy(): void {
    this.end(undefined, true);
  }

  /** @internal the TCP connection's onData */
  received(bytes: Uint8Array): void {
    if (this.state & CLOSED) return;
    const taken = this.session!.put(bytes);
    if (taken < bytes.length) {
      this.leftover = bytes.slice(taken); // the TCP connection's buffer is reused: keep a copy
      this.tcp.pause();
    }
    this.advance();
  }

  /** @internal resume's deferred advance, and the TCP connection's onDrain */
  advance(): void {
    const session = this.session;
    if (!session || this.state & CLOSED) return;
    for (;;) {
      if (this.leftover) {
        const taken = session.put(this.leftover);
        this.leftover = taken < this.leftover.length ? this.leftover.subarray(taken) : undefined;
        if (!this.leftover) this.tcp.resume();
      }
      if (this.state & PAUSED) break; // the plaintext waits in the session
      plainBuffer ??= new Uint8Array(PLAIN_CHUNK);
      const n = session.step(plainBuffer);
      this.flushCiphertext(); // the handshake's messages, alerts
      if (n > 0) {
        this.onData?.(n === PLAIN_CHUNK ? plainBuffer : plainBuffer.subarray(0, n));
        if (this.state & CLOSED) return;
        continue;
      }
      if (n === 0) break;
      return this.end(n === PEER_CLOSE_NOTIFY ? undefined : `TLS: ${tlsError(n)}`, false);
    }
    this.send();
  }

  /** @internal the TCP connection's onClose */
  closed(error?: string): void {
    this.state |= CLOSED;
    this.release();
    const onClose = this.onClose;
    this.onClose = undefined;
    onClose?.call(this, this.error ?? error);
  }

  /** Records what the queue holds, as far as the TCP connection takes them; closes once it is empty when closing. */
  private send(): void {
    const session = this.session;
    if (!session || this.state & CLOSED) return;
    if (!session.established) {
      // closed before its handshake (a head timeout, a server stopping): nothing to say first
      if (this.state & CLOSING) this.end(undefined, false);
      return;
    }
    while (this.tcp.pending < HIGH_WATER) {
      const chunk = this.writing ?? this.queue.take(RECORD);
      if (!chunk) break;
      const n = session.write(chunk);
      this.flushCiphertext();
      if (n === WANT_WRITE) {
        this.writing = chunk; // its record is made; taking its bytes made room for the rest
        continue;
      }
      if (n === WANT_READ) {
        this.writing = chunk; // the session waits for the peer first: the next read goes on
        return;
      }
      if (n < 0) return this.end(`TLS: ${tlsError(n)}`, false);
      this.writing = n < chunk.length ? chunk.subarray(n) : undefined;
    }
    if (this.queue.pending || this.writing) return;
    if (this.state & CLOSING) {
      session.closeNotify();
      this.flushCiphertext();
      return this.end(undefined, false);
    }
    if (this.queue.drained()) this.onDrain?.();
  }

  private flushCiphertext(): void {
    for (let bytes = this.session?.take(); bytes; bytes = this.session?.take()) this.tcp.write(new Uint8Array(bytes));
  }

  /** Ends the connection: at once, or after what the TCP connection holds is sent (an alert, close_notify). onClose follows from the TCP connection. */
  private end(error: string | undefined, abrupt: boolean): void {
    if (this.state & CLOSED) return;
    this.state |= CLOSED;
    this.error = error;
    this.release();
    if (abrupt) this.tcp.destroy();
    else this.tcp.close();
  }

  /** The session's native memory goes back now, not at a garbage collection. */
  private release(): void {
    this.queue.clear();
    this.writing = this.leftover = undefined;
    this.session?.close();
    this.session = undefined;
  }
}

const PAUSED = 1;
const CLOSING = 2;
const CLOSED = 4;

function tlsError(code: number): string {
  return "error -0x" + (-code).toString(16).padStart(4, "0");
}

// the TCP connection's callbacks, shared: `this` is the TCP connection, its `target` ours. They run
// inside the TCP connection's guard (net.ts): an exception drops the connection, never the VM.
type Tcp = Connection & { target: TlsConnection };
function tcpData(this: Tcp, bytes: Uint8Array): void {
  this.target.received(bytes);
}
function tcpDrain(this: Tcp): void {
  this.target.advance();
}
function tcpClose(this: Tcp, error?: string): void {
  this.target.closed(error);
}

/** A promise job, outside any socket callback: guarded here. */
function advanceLater(c: TlsConnection): void {
  if (!callSafely(c, c.advance, "tls: a connection failed and is dropped")) c.destroy();
}
