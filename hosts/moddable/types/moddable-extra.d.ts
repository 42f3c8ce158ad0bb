// Typings for the Moddable modules this host uses that @moddable/typings 5.6.0 lacks or mistypes
// (moddable.md §9). Written from the SDK sources (modules/crypt/digest, modules/io/update,
// modules/io/flash, modules/io/system); only what iobox calls is declared.

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
