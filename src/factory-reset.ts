/**
 * Recovery from the board: holding its button (ESP32 boards' BOOT, named by the board profile)
 * while the unit powers up, and for 10 s after, clears the accounts and the network settings
 * (`IpConfig/*` but the setup password) and so returns the unit to setup mode, where a new
 * administrator password is chosen. Counters, meters and every other setting stay. A button let go
 * sooner does nothing: a brief press at power-up is not a reset.
 */
import type { ButtonSpec } from "./boards.ts";
import type { EdgeListener, Host, Level } from "./host.ts";
import type { Registry } from "./registry/registry.ts";

export const RESET_HOLD_MS = 10_000;

/** Whether the button is held at boot and for RESET_HOLD_MS; resolves early (false) when it is let go. */
export function resetRequested(host: Host, button: ButtonSpec | undefined): Promise<boolean> {
  if (!button) return Promise.resolve(false);
  const pressedLevel: Level = button.activeLow === false ? 1 : 0;
  return new Promise((resolve) => {
    let settle: (held: boolean) => void = () => {};
    const listener: EdgeListener = { edge: (level) => level !== pressedLevel && settle(false) };
    const pin = host.pins.input(button.pin, { pull: button.activeLow === false ? "down" : "up" }, listener);
    if (pin.read() !== pressedLevel) {
      pin.close();
      return resolve(false);
    }
    host.log("warn", `boot: the button (GPIO ${button.pin}) is held: keep holding it ${RESET_HOLD_MS / 1000} s for a factory reset`);
    const timer = host.timers.after(RESET_HOLD_MS, () => settle(pin.read() === pressedLevel));
    settle = (held) => {
      settle = () => {};
      timer.cancel();
      pin.close();
      if (!held) host.log("info", "boot: the button was let go: no factory reset");
      resolve(held);
    };
  });
}

/** Clears the accounts and the network settings; returns what it removed. */
export function factoryReset(host: Host, registry: Registry): string[] {
  host.files.remove("users.json");
  const keys = registry
    .stored()
    .map(([key]) => key)
    .filter((key) => /^ipconfig\//i.test(key) && !/^ipconfig\/setuppassword$/i.test(key) && !key.includes("$"));
  if (keys.length) registry.write(keys.map((k): [string, string] => [k, ""]));
  host.log("warn", `boot: factory reset: accounts and ${keys.length} network settings cleared; the unit starts in setup mode`);
  return keys;
}
