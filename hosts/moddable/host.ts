/** The device Host over Moddable modules. */
import Net from "net";
import Time from "time";
import Timer from "timer";
import type { BoardProfile } from "../../src/boards.ts";
import type { FirmwareUpdate, Host, LogLevel, Pins, TextCodec, Timer as HostTimer, Timers, Link } from "../../src/host.ts";
import type { Platform } from "./platform.ts";
import { moddableCrypto } from "./crypto.ts";
import { ModdableFiles } from "./files.ts";
import { callSafely } from "./guard.ts";
import { ModdableNet } from "./net.ts";

/**
 * An armed Moddable timer. Moddable calls a timer's callback with its id (a host object), so the id
 * carries what to call: one module-level `fire` serves every timer, and arming allocates no closure.
 */
class ArmedTimer implements HostTimer {
  readonly id: TimerId;

  constructor(
    readonly fn: (this: unknown) => void,
    readonly target: unknown,
    ms: number,
    repeat: number,
  ) {
    this.id = Timer.set(fire as unknown as Parameters<typeof Timer.set>[0], ms, repeat) as unknown as TimerId;
    this.id.armed = this;
  }

  cancel(): void {
    Timer.clear(this.id as unknown as Parameters<typeof Timer.clear>[0]);
  }
}

interface TimerId {
  armed?: ArmedTimer;
}

/** Every timer's callback. An exception escaping it would abort the VM: it is logged instead. */
function fire(id: TimerId): void {
  const t = id.armed;
  if (t) callSafely(t.target, t.fn, "a timer failed");
}

const timers: Timers = {
  after: (ms, fn, target) => new ArmedTimer(fn as (this: unknown) => void, target, ms, 0),
  every: (ms, fn, target) => new ArmedTimer(fn as (this: unknown) => void, target, Math.max(1, ms), Math.max(1, ms)),
};

/**
 * XS's own UTF-8 conversions, in C: a string is UTF-8 inside XS, so both are copies. (XS writes a
 * lone surrogate as its 3-byte form; the core never sends one on purpose.)
 */
const xsText: TextCodec = {
  encode: (text) => new Uint8Array(ArrayBuffer.fromString(text)),
  decode: (bytes, start, end) => (String.fromArrayBuffer as (b: ArrayBufferLike, offset: number, length: number) => string)(bytes.buffer, bytes.byteOffset + start, end - start),
};

export class ModdableHost implements Host {
  readonly platform: string;
  readonly clock: Host["clock"];
  readonly timers = timers;
  readonly crypto = moddableCrypto;
  readonly text = xsText;
  readonly files = new ModdableFiles();
  readonly net = new ModdableNet();
  readonly pins: Pins;
  readonly update: FirmwareUpdate | undefined;
  readonly link: Link | undefined;
  readonly unitId: string;
  /** System.restart (esp_restart) where modules/io installs it (the ESP32); elsewhere the `restart` given, if any. */
  readonly restart: (() => void) | undefined;
  readonly restartsInPlace: boolean;

  constructor(platform: Platform, board: BoardProfile, restart?: () => void) {
    const system = typeof System !== "undefined" && typeof System.restart === "function";
    this.restart = system ? () => System!.restart!() : restart;
    this.restartsInPlace = !system && restart !== undefined;
    const bootTicks = Time.ticks; // at boot, never in a module body: the preloader runs no native code
    this.clock = {
      now: (): number => Date.now(),
      // Time.ticks is a 32-bit millisecond counter on some ports; Time.delta handles its wrap
      monotonic: (): number => Time.delta(bootTicks),
      set: (epochMs: number): void => Time.set(Math.round(epochMs / 1000)),
    };
    this.platform = "moddable/" + platform.name;
    this.pins = platform.createPins(board);
    this.update = platform.createUpdate();
    this.link = platform.createLink(board, (level, message) => this.log(level, message));
    let mac = "";
    try {
      mac = (Net.get("MAC") ?? "").replace(/:/g, "").toLowerCase();
    } catch {
      // no network interface (lin without Wi-Fi)
    }
    this.unitId = /^[0-9a-f]{12}$/.test(mac) ? mac : "020000000001";
  }

  /**
   * Math.random on ESP32 is esp_random(), 31 bits of the hardware RNG per call (xsHost.h); we take
   * 24 bits per call. On `lin` it is libc rand(), never seeded: fine for the simulator, not for a
   * product (moddable.md §8).
   */
  random(into: Uint8Array): void {
    for (let i = 0; i < into.length; i += 3) {
      let r = Math.floor(Math.random() * 0x1000000);
      for (let k = 0; k < 3 && i + k < into.length; k++, r >>= 8) into[i + k] = r & 0xff;
    }
  }

  log(level: LogLevel, message: string): void {
    trace(`${level} ${message}\n`);
  }
}
