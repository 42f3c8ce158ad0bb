/**
 * The Host contract: everything the portable core may use beyond ES2022 built-ins.
 *
 * Three hosts implement it: `hosts/node` (the desktop simulator), `hosts/moddable` (the device and
 * the Moddable simulator) and `sim/memory-host` (deterministic, in-memory, for tests on Node and
 * XS). A host translates; it does not decide. Behaviour lives in the core.
 *
 * Conventions that keep the device heap small:
 * - Bytes are `Uint8Array`. A buffer passed to `onData` is the receiver's during the call: it may
 *   modify it in place (WebSocket unmasking does), but it must copy what it keeps, because a host may
 *   reuse its read buffer. A buffer passed to `write` belongs to the host from then on (it may be
 *   queued); do not modify it afterwards. The same bytes may be written to many connections.
 * - Connection callbacks are called as methods of the connection (`this` is the connection), and
 *   `target` is free for the owner, as in ECMA-419: one shared function can serve every connection
 *   without a closure per connection.
 * - No callback is called from inside a call the owner made (`write`, `close`, `destroy`,
 *   `resume`): it comes later, from the host's event loop, so owners never see themselves re-entered.
 * - Everything is synchronous except `net.listen` and `net.udp` (binding can be asynchronous on
 *   some hosts), `net.resolve`, `link.scan` and the network callbacks themselves.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Host {
  /** Which host this is, for logs and status: "node", "memory", "moddable/esp32", ... */
  readonly platform: string;
  readonly clock: Clock;
  readonly timers: Timers;
  /** Fills `into` with cryptographic-quality random bytes (seeded and deterministic on the memory host). */
  random(into: Uint8Array): void;
  readonly crypto: Crypto;
  /** UTF-8 both ways, natively where the platform can (XS: ArrayBuffer.fromString; Node: Buffer). */
  readonly text: TextCodec;
  readonly files: Files;
  readonly net: Net;
  readonly pins: Pins;
  /** Firmware image slots; absent where the platform cannot update itself. */
  readonly update?: FirmwareUpdate;
  /**
   * The unit's own network interface (Wi-Fi or Ethernet), which iobox joins, watches and opens its
   * setup access point on. Absent where the host's network is simply there (the simulator on a PC).
   */
  readonly link?: Link;
  /** A stable identifier of this unit (e.g. the Wi-Fi MAC as 12 hex digits); the serial number derives from it. */
  readonly unitId: string;
  /**
   * Restarts the unit: the device reboots; the simulator stops its device and starts it again.
   * Absent where the platform cannot. The core flushes and stops first.
   */
  restart?(): void;
  /** The restart starts the core again in the same program (Moddable's lin): a firmware update cannot run by it. */
  readonly restartsInPlace?: boolean;
  log(level: LogLevel, message: string): void;
}

export interface Clock {
  /** Wall-clock time, epoch milliseconds. May jump (NTP). */
  now(): number;
  /** Milliseconds since boot; never goes backwards. Use it for every interval and timeout. */
  monotonic(): number;
  /** Sets the wall clock (from SNTP); absent where the clock is not the unit's to set (a PC's). */
  set?(epochMs: number): void;
}

/**
 * `target`, when given, is `this` in `fn`: an object's method can be its timer without a closure of
 * its own (on the device each closure an input or a connection keeps costs heap for as long as it
 * lives).
 */
export interface Timers {
  /** Calls `fn` once, `ms` from now. */
  after<T>(ms: number, fn: (this: T) => void, target?: T): Timer;
  /** Calls `fn` every `ms` until cancelled. */
  every<T>(ms: number, fn: (this: T) => void, target?: T): Timer;
}

export interface Timer {
  /** Idempotent; harmless after a one-shot timer has fired. */
  cancel(): void;
}

export interface TextCodec {
  /** The UTF-8 bytes of `text`. */
  encode(text: string): Uint8Array;
  /** Decodes `bytes[start, end)`, which the caller has validated as UTF-8 (see src/ws/utf8-stream.ts). */
  decode(bytes: Uint8Array, start: number, end: number): string;
}

export type HashAlgorithm = "md5" | "sha1" | "sha256";

export interface Crypto {
  /** An incremental digest. HMAC and everything built on digests live in the core. */
  hash(algorithm: HashAlgorithm): Hasher;
  /**
   * ECDSA over P-256 with SHA-256 (JWT "ES256"): `publicKey` is the uncompressed point (65 bytes,
   * 0x04‖X‖Y), `signature` is r‖s (64 bytes, JWS form). False for a bad signature or a malformed
   * key/signature; never throws. The core cannot do elliptic-curve math itself at a usable speed,
   * so each host brings its own.
   */
  verifyP256(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** A new P-256 key pair from the host's strong random source: the private scalar (32 bytes) and the uncompressed public point (65). */
  generateP256(): { privateKey: Uint8Array; publicKey: Uint8Array };
  /** ECDSA P-256 with SHA-256 over `message`: r‖s (64 bytes). Throws for a key that is not one. */
  signP256(privateKey: Uint8Array, message: Uint8Array): Uint8Array;
}

export interface Hasher {
  update(data: Uint8Array): Hasher;
  /** Ends the hasher; it may not be used afterwards. */
  digest(): Uint8Array;
}

/**
 * Files under the host's data directory. Paths are relative, `/`-separated, without `.` or `..`
 * segments; hosts refuse anything else. Every call that returns has reached stable storage.
 */
export interface FileEntry {
  name: string;
  /** Bytes; for a directory, how many entries it holds. */
  size: number;
  directory: boolean;
}

export interface Files {
  /** The whole file (or `length` bytes from `offset`, fewer at its end), or undefined when it does not exist. */
  read(path: string, offset?: number, length?: number): Uint8Array | undefined;
  /** Replaces the file atomically: after a power cut it holds either the old or the new content. */
  write(path: string, data: Uint8Array): void;
  /** Appends; a power cut during the call may leave any prefix of `data` (readers must cope with a torn tail). */
  append(path: string, data: Uint8Array): void;
  /** Removes the file; no error when it does not exist. */
  remove(path: string): void;
  /** Size in bytes, or -1 when the file does not exist. */
  size(path: string): number;
  /** What is directly inside `dir` ("" = the root), sorted by name; empty when `dir` does not exist. */
  list(dir: string): FileEntry[];
  /** Moves a file, replacing `to` atomically when it exists. */
  rename(from: string, to: string): void;
  /** Makes a directory (and its parents); no error when it exists. */
  mkdir(dir: string): void;
  /** Removes an empty directory; false when it is not empty or not there. */
  rmdir(dir: string): boolean;
  /** Bytes used and in all, where the platform can tell. */
  space?(): { used: number; total: number } | undefined;
}

export interface TlsServerOptions {
  /** PEM certificate chain. */
  cert: string;
  /** PEM private key. */
  key: string;
}

export interface TlsClientOptions {
  /** PEM CA certificates to trust instead of the host's defaults. */
  ca?: string;
  /** Name to verify in the server certificate (defaults to `host`). */
  servername?: string;
  /** Defaults to true. Only tests should turn it off. */
  verify?: boolean;
}

export interface ListenOptions {
  /** Bind address; hosts that cannot choose (the device) bind to all interfaces. */
  host?: string;
  /** 0 picks a free port; `Listener.port` tells which. */
  port: number;
  tls?: TlsServerOptions;
  /**
   * Asked as a connection arrives, before the host makes anything for it: false, and the host
   * closes it at once. A flood of connections then costs the heap nothing (on the device each
   * connection set up is a few hundred bytes until it has closed).
   */
  admit?: () => boolean;
}

export interface ConnectOptions {
  host: string;
  port: number;
  tls?: TlsClientOptions;
}

export interface Net {
  /** What this host can do; a TLS listener on a host without `tlsServer` is refused. */
  readonly tlsServer: boolean;
  readonly tlsClient: boolean;
  /** Rejects when the port cannot be bound. */
  listen(options: ListenOptions, onConnection: (connection: Connection) => void): Promise<Listener>;
  /** Connects in the background: `onConnect` when ready, or `onClose(error)` when it fails. `host` is an IPv4 address: resolve names first. */
  connect(options: ConnectOptions): ClientConnection;
  /** The IPv4 address of a host name (an address is its own); rejects when it cannot be resolved. */
  resolve(name: string): Promise<string>;
  /** A UDP socket on `port` (0: any), joined to a multicast group when one is given (mDNS); rejects when it cannot bind. Datagrams arrive as `onPacket` calls. */
  udp(options: UdpOptions, onPacket: (bytes: Uint8Array, address: string, port: number) => void): Promise<UdpSocket>;
}

export interface UdpOptions {
  port: number;
  /** An IPv4 multicast group to join, e.g. "224.0.0.251". */
  multicast?: string;
  /** The unit's address on the network to multicast on (a host with several interfaces picks by it). */
  interface?: string;
}

export interface UdpSocket {
  readonly port: number;
  /** Sends one datagram; a datagram that cannot be sent is dropped, as UDP does. */
  send(bytes: Uint8Array, address: string, port: number): void;
  close(): void;
}

export interface Listener {
  readonly port: number;
  /** Stops accepting; open connections stay open. */
  close(): void;
}

/**
 * A byte stream, TLS already done. Callbacks are set by the owner and may be replaced at any time
 * (the HTTP server hands a connection to the WebSocket layer this way). A host delivers nothing
 * before the `onConnection` (or `onConnect`) call returns, and nothing while paused.
 */
export interface Connection {
  /** The owner's; hosts never touch it. */
  target?: unknown;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  /** Bytes queued by the host and not yet handed to the network. */
  readonly pending: number;
  /**
   * Queues bytes for sending and returns false when the queue is above the host's high-water mark:
   * then write no more until `onDrain`. Ignored after close.
   */
  write(bytes: Uint8Array): boolean;
  /** Stops delivering `onData` (receive back-pressure) until `resume`. */
  pause(): void;
  resume(): void;
  /** Sends what is queued, then closes. */
  close(): void;
  /** Closes at once, dropping what is queued. */
  destroy(): void;
  onData?: (bytes: Uint8Array) => void;
  onDrain?: () => void;
  /** Called once, whoever closed it; `error` says why when it was not a clean close. */
  onClose?: (error?: string) => void;
}

export interface ClientConnection extends Connection {
  onConnect?: () => void;
}

export type Level = 0 | 1;

export interface InputOptions {
  pull?: "up" | "down" | "none";
}

/** GPIO. Relays cannot be read back on the device, so the core tracks output state itself. */
export interface Pins {
  /**
   * Opens an input; `listener.edge` is called with the level after every edge the platform reports
   * (possibly the same level again, when edges came close together). An object, not a closure: the
   * I/O channel itself listens.
   */
  input(pin: number, options: InputOptions, listener: EdgeListener): InputPin;
  /** Opens an output driven to `initial` from the start (no glitch at boot). */
  output(pin: number, initial: Level): OutputPin;
}

export interface EdgeListener {
  edge(level: Level): void;
}

export interface InputPin {
  read(): Level;
  close(): void;
}

export interface OutputPin {
  write(level: Level): void;
  close(): void;
}

/**
 * The unit's firmware slots, as a boot loader with rollback keeps them (ESP-IDF's OTA slots; the
 * simulator's launcher, hosts/node/launcher.ts): an image written to the inactive slot and
 * committed boots next, on probation; the running image confirms itself or is rolled back.
 */
export interface FirmwareUpdate {
  /** Bytes the inactive slot holds. */
  readonly capacity: number;
  /** Starts writing an image of `size` bytes into the inactive slot. */
  begin(size: number): void;
  write(chunk: Uint8Array): void;
  /** Marks the new image bootable: it runs, on probation, after the next restart (Host.restart). */
  commit(): void;
  abort(): void;
  /** The running image is on probation: booted from an update and not confirmed yet. */
  readonly pending: boolean;
  /** Keeps the running image: no rollback from now on. */
  confirm(): void;
  /** Gives the running image up: the previous one boots at the next restart (which the core then asks for). */
  rollback(reason: string): void;
  /** Set when the boot loader went back to this image because an update failed: why, for people. */
  readonly rolledBack: string | undefined;
}

/**
 * A network interface that the core drives: it joins when told, reports when it is up or down, and
 * can open an access point beside the station (the setup mode). Policy (when to join, how long to
 * wait, when to open the access point) is the core's (src/network).
 */
export interface Link {
  readonly kind: "wifi" | "ethernet";
  /** "a4:cf:12:01:02:03" */
  readonly mac: string;
  /** Joins (Wi-Fi: the network named; Ethernet: the cable) and reports through `onEvent` until `leave`. */
  join(options: JoinOptions, onEvent: (event: LinkEvent) => void): void;
  /** Leaves the network; no more events from the last `join`. */
  leave(): void;
  /** Opens the access point beside the station and returns its address, or closes it (undefined). */
  accessPoint(options: AccessPointOptions | undefined): string | undefined;
  /** The Wi-Fi networks in range (none on Ethernet). */
  scan(): Promise<WifiNetwork[]>;
  /** The station's address while it is up. */
  readonly address: string | undefined;
  /** The signal of the network joined, dBm (Wi-Fi). */
  readonly rssi: number | undefined;
}

export interface JoinOptions {
  ssid?: string;
  password?: string;
  /** Without it, DHCP. */
  static?: StaticAddress;
}

export interface StaticAddress {
  address: string;
  netmask: string;
  gateway: string;
  dns: string[];
}

export interface AccessPointOptions {
  ssid: string;
  /** WPA2: 8 to 63 characters. */
  password: string;
}

export type LinkEvent = { kind: "up"; address: string } | { kind: "down"; reason: string };

export interface WifiNetwork {
  ssid: string;
  rssi: number;
  /** "none" for an open network */
  authentication: string;
}
