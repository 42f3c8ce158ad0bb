/**
 * The deterministic in-memory Host: virtual clock, in-memory network and files with power cuts,
 * pure-JS crypto, seeded randomness and a simulated board. Given the same seed and the same calls,
 * it produces the same events in the same order on Node and on XS.
 */
import { portableText } from "../src/bytes.ts";
import { bootSlots, emptySlots, type Slots } from "../src/firmware/slots.ts";
import type { FirmwareUpdate, Host, LogLevel } from "../src/host.ts";
import { SimulatedLink, type SimulatedAir } from "./air.ts";
import { SimBoard, type SimBoardLayout } from "./board.ts";
import { VirtualClock } from "./clock.ts";
import { MemoryFiles, MemoryFlash } from "./memory-files.ts";
import { MemoryNet, type MemoryNetOptions } from "./memory-net.ts";
import { nobleCryptoWith } from "./noble-crypto.ts";
import { Prng } from "./prng.ts";

export interface MemoryHostOptions {
  seed?: number;
  layout?: SimBoardLayout;
  /** Share a flash between hosts to simulate a reboot. */
  flash?: MemoryFlash;
  /** Share a clock between hosts. */
  clock?: VirtualClock;
  net?: MemoryNetOptions;
  unitId?: string;
  /** Simulated Wi-Fi: the board gets a Wi-Fi link into it (without, the network is simply there). */
  air?: SimulatedAir;
  /** Where log lines go; by default they are kept in `logs`. */
  log?: (level: LogLevel, message: string) => void;
  /** A platform that cannot restart itself (Moddable's lin simulator): no `restart`. */
  noRestart?: boolean;
  /** Share the firmware slots between hosts to simulate the boots after an update. */
  update?: MemoryUpdate;
}

export interface LogLine {
  at: number;
  level: LogLevel;
  message: string;
}

export class MemoryHost implements Host {
  readonly platform = "memory";
  readonly clock: VirtualClock;
  readonly timers: VirtualClock;
  readonly crypto = nobleCryptoWith((into) => this.random(into));
  readonly text = portableText;
  readonly flash: MemoryFlash;
  readonly files: MemoryFiles;
  readonly net: MemoryNet;
  readonly board: SimBoard;
  readonly pins: SimBoard;
  readonly update: MemoryUpdate;
  readonly unitId: string;
  readonly link: SimulatedLink | undefined;
  readonly logs: LogLine[] = [];
  /** Restarts asked for: a test boots the next device on this host's flash when it wants. */
  restarts = 0;
  readonly restart: (() => void) | undefined;
  private readonly prng: Prng;
  private readonly sink: ((level: LogLevel, message: string) => void) | undefined;

  constructor(options: MemoryHostOptions = {}) {
    const seed = options.seed ?? 1;
    this.prng = new Prng(seed);
    this.clock = options.clock ?? new VirtualClock();
    this.timers = this.clock;
    this.flash = options.flash ?? new MemoryFlash(seed);
    this.files = new MemoryFiles(this.flash);
    this.net = new MemoryNet(this.clock, { seed, ...options.net });
    this.board = new SimBoard(options.layout ?? { inputs: [1, 2, 3, 4, 5, 6, 7, 8], outputs: [11, 12, 13, 14, 15, 16, 17, 18] });
    this.pins = this.board;
    this.update = options.update ?? new MemoryUpdate();
    this.update.boot();
    this.unitId = options.unitId ?? "02000000" + (seed & 0xffff).toString(16).padStart(4, "0");
    this.link = options.air && new SimulatedLink(options.air, this.unitId.replace(/(..)(?!$)/g, "$1:"), this.clock);
    this.sink = options.log;
    this.restart = options.noRestart ? undefined : () => void this.restarts++;
  }

  random(into: Uint8Array): void {
    this.prng.fill(into);
  }


  log(level: LogLevel, message: string): void {
    if (this.sink) this.sink(level, message);
    else this.logs.push({ at: this.clock.monotonic(), level, message });
  }
}

/**
 * Firmware slots in memory with a boot loader's rollback, as ESP-IDF keeps them: one object shared
 * by the hosts of successive boots (MemoryHostOptions.update), and `boot()` run at each power-up.
 * A committed image boots on probation; one that boots twice without confirming itself, or that
 * gives itself up, is rolled back.
 */
export class MemoryUpdate implements FirmwareUpdate {
  capacity = 1 << 20;
  /** Rollbacks the running image asked for. */
  rollbacks = 0;
  rolledBack: string | undefined;
  /** The boot loader's slots; an image is its payload (null: the one the unit was built with). */
  readonly slots: Slots<Uint8Array> = emptySlots();
  private expected = -1;
  private received: Uint8Array[] = [];
  private length = 0;

  /** The payload the unit runs (undefined: the one it was built with). */
  get running(): Uint8Array | undefined {
    return this.slots.running ?? undefined;
  }

  get pending(): boolean {
    return this.slots.pending;
  }

  begin(size: number): void {
    if (!(Number.isInteger(size) && size > 0 && size <= this.capacity)) throw new RangeError("bad image size");
    this.expected = size;
    this.received = [];
    this.length = 0;
  }

  write(chunk: Uint8Array): void {
    if (this.expected < 0) throw new Error("update not begun");
    if (this.length + chunk.length > this.expected) throw new RangeError("image larger than announced");
    this.received.push(chunk.slice());
    this.length += chunk.length;
  }

  commit(): void {
    if (this.expected < 0 || this.length !== this.expected) throw new Error("image incomplete");
    const image = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.received) {
      image.set(c, o);
      o += c.length;
    }
    this.slots.next = image;
    this.abort();
  }

  abort(): void {
    this.expected = -1;
    this.received = [];
    this.length = 0;
  }

  confirm(): void {
    this.slots.pending = false;
  }

  rollback(reason: string): void {
    this.slots.giveUp = reason;
    this.rollbacks++;
  }

  /** The boot loader at power-up (bootSlots). */
  boot(): void {
    this.rolledBack = bootSlots(this.slots);
  }
}
