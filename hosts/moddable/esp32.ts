/**
 * The ESP32's own parts, whatever its network: pins over ECMA-419 `embedded:io/digital`, firmware
 * update through `embedded:update`. platform-esp32 adds Wi-Fi, platform-esp32-ethernet Ethernet.
 * Edges come from GPIO interrupts; the device merges edges that arrive close together (the channel
 * then hears the same level again and ignores it) and has no hardware debounce (the core debounces).
 * Outputs cannot be read back, so the core tracks relays.
 */
import Digital from "embedded:io/digital";
import flash, { type FlashPartition } from "embedded:storage/flash";
import FFI from "mc/ffi";
import Update, { type UpdateSession } from "embedded:update";
import { callSafely } from "./guard.ts";
import type { EdgeListener, FirmwareUpdate, InputPin, Level, OutputPin, Pins } from "../../src/host.ts";

/** Every input's interrupt handler: `this` is the pin, its `target` the I/O channel listening. */
function onReadable(this: Digital & { target: EdgeListener }): void {
  callSafely(this, edge, "an input edge");
}

function edge(this: Digital & { target: EdgeListener }): void {
  this.target.edge(this.read() as Level);
}

export function createPins(): Pins {
  return {
    // The Digital object is the pin itself: it has read() and close(), and carries its listener as
    // its target, so an input costs no closure
    input(pin, options, listener): InputPin {
      const mode = options.pull === "up" ? Digital.InputPullUp : options.pull === "down" ? Digital.InputPullDown : Digital.Input;
      return new Digital({ pin, mode, edge: Digital.Rising | Digital.Falling, onReadable, target: listener } as ConstructorParameters<typeof Digital>[0]) as unknown as InputPin;
    },
    output(pin, initial): OutputPin {
      // initialValue: driven from the moment the pin becomes an output (a relay must not blip at boot)
      return new Digital({ pin, mode: Digital.Output, initialValue: initial } as ConstructorParameters<typeof Digital>[0]) as unknown as OutputPin;
    },
  };
}

/**
 * Firmware slots over ECMA-419's `embedded:update` (esp_ota_begin/write/end/set_boot_partition into
 * the other OTA slot) and ESP-IDF's app rollback through Moddable's FFI (esp32-ota.c): a new image
 * boots PENDING_VERIFY and is kept only once confirmed; the boot loader rolls back one that resets
 * first. Type-checked and bundled only: no ESP32 ran this.
 */
export function createUpdate(): FirmwareUpdate {
  const ffi = new FFI() as unknown as OtaFfi; // at boot, not in the (preloaded) module body
  let session: UpdateSession | undefined;
  const end = (): void => {
    session?.close(); // esp_ota_abort when unfinished
    session = undefined;
  };
  const next = (): FlashPartition => flash.open({ path: "nextota" });
  return {
    capacity: next().status().size,
    pending: ffi.iobox_ota_pending() === 1,
    rolledBack: ffi.iobox_ota_rolled_back() === 1 ? "the boot loader went back to this image: the update did not confirm itself" : undefined,
    begin(size) {
      end();
      session = Update.open({ partition: next(), byteLength: size });
    },
    write(chunk) {
      if (!session) throw new Error("update not begun");
      session.write(chunk);
    },
    commit() {
      if (!session) throw new Error("update not begun");
      session.complete(); // esp_ota_end checks the app image; the slot boots next
      end();
    },
    abort: end,
    confirm() {
      ffi.iobox_ota_confirm();
    },
    rollback() {
      ffi.iobox_ota_rollback(); // restarts the unit into the previous image
    },
  };
}

interface OtaFfi {
  iobox_ota_pending(): number;
  iobox_ota_confirm(): number;
  iobox_ota_rollback(): number;
  iobox_ota_rolled_back(): number;
}
