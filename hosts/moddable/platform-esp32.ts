/**
 * ESP32: pins over ECMA-419 `embedded:io/digital`, firmware update through `embedded:update`.
 * Edges come from GPIO interrupts; the device merges edges that arrive close together and has no
 * hardware debounce (the core debounces). Outputs cannot be read back, so the core tracks relays.
 */
import Digital from "embedded:io/digital";
import flash from "embedded:storage/flash";
import Update, { type UpdateSession } from "embedded:update";
import type { FirmwareUpdate, InputPin, Level, OutputPin, Pins } from "../../src/host.ts";
import type { Platform } from "./platform.ts";

function createPins(): Pins {
  return {
    input(pin, options, onChange): InputPin {
      const mode = options.pull === "up" ? Digital.InputPullUp : options.pull === "down" ? Digital.InputPullDown : Digital.Input;
      let last: Level = 0;
      const d = new Digital({
        pin,
        mode,
        edge: Digital.Rising | Digital.Falling,
        onReadable() {
          const level = this.read();
          if (level !== last) {
            last = level;
            onChange(level);
          }
        },
      });
      last = d.read();
      return { read: () => d.read(), close: () => d.close() };
    },
    output(pin, initial): OutputPin {
      const d = new Digital({ pin, mode: Digital.Output });
      d.write(initial);
      return { write: (level) => d.write(level), close: () => d.close() };
    },
  };
}

function createUpdate(): FirmwareUpdate {
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
    restart() {
      if (typeof System === "undefined" || !System.restart) throw new Error("restart unsupported on this platform");
      System.restart();
    },
  };
}

const platform: Platform = { name: "esp32", createPins, createUpdate };
export default platform;
