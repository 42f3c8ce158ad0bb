/**
 * A firmware slot in a file, for Moddable's lin simulator, which has no OTA partitions: the update
 * path (header, signature with Mbed TLS's ECDSA, hashing, streaming to flash) runs there as on the
 * ESP32, so the device stage can measure what it costs in RAM. There is no boot loader behind it:
 * the image is kept, never booted, and nothing is ever pending.
 */
import type { FirmwareUpdate } from "../../src/host.ts";
import { ModdableFiles } from "./files.ts";

const PART = "firmware/slot.part";

export function fileSlot(capacity: number): FirmwareUpdate {
  const files = new ModdableFiles();
  return {
    capacity,
    pending: false,
    rolledBack: undefined,
    begin() {
      files.remove(PART);
    },
    write(chunk) {
      files.append(PART, chunk);
    },
    commit() {
      files.rename(PART, "firmware/slot.bin");
    },
    abort() {
      files.remove(PART);
    },
    confirm() {},
    rollback() {},
  };
}
