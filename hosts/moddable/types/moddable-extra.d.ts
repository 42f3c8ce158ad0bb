// Typings for the Moddable modules this host uses that @moddable/typings 5.6.0 lacks or mistypes
// (moddable.md §9). Written from the SDK sources (modules/crypt/digest,
// modules/io/update, modules/io/flash, modules/io/system); only what iobox calls is declared.

declare module "crypt" {
  export class Digest {
    constructor(type: "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512");
    write(message: string | ArrayBufferLike | ArrayBufferView): void;
    close(): ArrayBuffer;
    reset(): void;
  }
}

declare module "embedded:storage/flash" {
  export interface FlashPartition {
    readonly format: "buffer";
    status(): { size: number; blockLength: number };
  }
  const flash: { open(options: { path: string }): FlashPartition };
  export default flash;
}

declare module "embedded:update" {
  import type { FlashPartition } from "embedded:storage/flash";
  export interface UpdateSession {
    write(buffer: ArrayBufferLike | ArrayBufferView): void;
    complete(): void;
    close(): void;
  }
  const Update: { open(options: { partition: FlashPartition; byteLength?: number; mode?: string }): UpdateSession };
  export default Update;
}

// Installed as a global by $(MODDABLE)/modules/io/manifests/<platform>; restart exists on esp32 only.
declare var System: { restart?: () => void } | undefined;

// modules/network/ethernet/ethernet.js (esp32 Ethernet targets)
declare module "ethernet" {
  export default class Ethernet {
    static readonly gotIP: "gotIP";
    static readonly lostIP: "lostIP";
    static readonly connected: "connect";
    static readonly disconnected: "disconnect";
    constructor(options: undefined, onNotify: (message: string) => void);
    close(): void;
    static start(): void;
    static useStaticIP(address: string, netmask: string, gateway: string): void;
    static useDHCP(): void;
  }
}

// Moddable's FFI (mcconfig generates it from the manifest's "ffi" functions: hosts/moddable/manifest_esp32.json)
declare module "mc/ffi" {
  export default class FFI {
    [name: string]: (...args: unknown[]) => unknown;
  }
}

// iobox's own native module (hosts/moddable/tls/tls-engine.js and .c): Mbed TLS server sessions
declare module "iobox-tls" {
  export class TLSServer {
    /** PEM text; throws RangeError for a chain or key it cannot use (the key must be ECDSA P-256). */
    constructor(certificateChain: string, privateKey: string);
    close(): void;
  }
  export class TLSSession {
    /** Throws RangeError when the memory limit could not hold another session. */
    constructor(server: TLSServer);
    /** Ciphertext in; returns how many bytes there was room for. */
    put(bytes: Uint8Array): number;
    /** Plaintext bytes written into `into` (> 0), 0 for "needs more", or Mbed TLS's negative error. */
    step(into: Uint8Array): number;
    /** Plaintext bytes taken (> 0), or WANT_WRITE (take() first, then the same bytes again), or an error. */
    write(bytes: Uint8Array): number;
    /** Ciphertext to send, or undefined. */
    take(): ArrayBuffer | undefined;
    readonly pending: number;
    readonly established: boolean;
    /** "TLSv1.3 TLS1-3-AES-128-GCM-SHA256" once established. */
    readonly protocol: string | undefined;
    closeNotify(): number;
    close(): void;
  }
  /** [bytes in use, peak, allocations, limit] */
  export function statistics(): [number, number, number, number];
  export function limit(bytes: number): void;
  export function resetPeak(): void;
  /** [private scalar (32 bytes), uncompressed public point (65)] */
  export function generateP256(): [ArrayBuffer, ArrayBuffer];
  /** ECDSA P-256 with SHA-256: r‖s (64 bytes) */
  export function signP256(privateKey: Uint8Array, message: Uint8Array): ArrayBuffer;
  /** ECDSA P-256 with SHA-256; false for a bad signature or a malformed key or signature */
  export function verifyP256(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}
