/**
 * The ESP32's own parts, whatever its network: pins over ECMA-419 `embedded:io/digital`, firmware
 * update through `embedded:update`. platform-esp32 adds Wi-Fi, platform-esp32-ethernet Ethernet.
 * Edges come from GPIO interrupts; the device merges edges that arrive close together (the channel
 * then hears the same level again and ignores it) and has no hardware debounce (the core debounces).
 * Outputs cannot be read back, so the core tracks relays.
 */
import Digital from "embedded:io/digital";
import flash from "embedded:storage/flash";
import Update, { type UpdateSession } from "embedded:update";
import type { EdgeListener, FirmwareUpdate, InputPin, Level, OutputPin, Pins } from "../../src/host.ts";

/** Every input's interrupt handler: `this` is the pin, its `target` the I/O channel listening. */
function onReadable(this: Digital & { target: EdgeListener }): void {
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

export function createUpdate(): FirmwareUpdate {
  let session: UpdateSession | undefined;
  const end = (): void => {
    session?.close();
    session = undefined;
  };
  return {
    begin(size) {
      end();
      session = Update.open({ partition: flash.open({ path: "nextota" }), byteLength: size });
    },
    write(chunk) {
      if (!session) throw new Error("update not begun");
      session.write(chunk);
    },
    commit() {
      if (!session) throw new Error("update not begun");
      session.complete(); // verifies the image and selects it for the next boot
      end();
    },
    abort: end,
  };
}
