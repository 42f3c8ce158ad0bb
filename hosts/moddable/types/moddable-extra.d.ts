// Typings for the Moddable modules this host uses that @moddable/typings 5.6.0 lacks or mistypes
// (moddable.md §9). Written from the SDK sources (modules/crypt/digest, modules/crypt/etc,
// modules/io/update, modules/io/flash, modules/io/system); only what iobox calls is declared.

declare module "crypt" {
  export class Digest {
    constructor(type: "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512");
    write(message: string | ArrayBufferLike | ArrayBufferView): void;
    close(): ArrayBuffer;
    reset(): void;
  }
}

// modules/crypt/etc/curve.js, ecdsa.js and arith/ecp.js: only what ECDSA verification needs
declare module "curve" {
  export default class Curve {
    constructor(name: "secp256r1" | "secp384r1");
  }
}

declare module "ecp" {
  export default class ECPoint {
    constructor(x: bigint, y: bigint);
  }
}

declare module "ecdsa" {
  import type Curve from "curve";
  import type ECPoint from "ecp";
  export default class ECDSA {
    /** For verification `key` is the public point; the SDK's callers pass `priv` false, and it reads no third argument. */
    constructor(key: ECPoint, curve: Curve, priv: false);
    /** `H` is the message digest; `sig` is r‖s (each the order's size) unless `asn1`. Checks no ranges. */
    verify(H: ArrayBuffer, sig: ArrayBuffer | Uint8Array, asn1: boolean): boolean;
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
