/**
 * A simulated board: input pins whose levels people and tests set, output pins whose levels they
 * read. It implements the Host's `Pins`, so the core drives it exactly as it drives GPIO.
 */
import type { EdgeListener, InputOptions, InputPin, Level, OutputPin, Pins, Timer, Timers } from "../src/host.ts";

export interface SimBoardLayout {
  /** GPIO wired to inputs, in channel order (a number, or a board profile's pin spec). */
  inputs: readonly (number | { pin: number })[];
  /** GPIO wired to relays, in channel order. */
  outputs: readonly (number | { pin: number })[];
  /** A push button (read like an input; released when the board starts). */
  button?: { pin: number; activeLow?: boolean };
}

const pinOf = (p: number | { pin: number }): number => (typeof p === "number" ? p : p.pin);

type OutputListener = (pin: number, level: Level) => void;

export class SimBoard implements Pins {
  private readonly levels = new Map<number, Level>();
  private readonly watchers = new Map<number, EdgeListener>();
  private readonly driven = new Map<number, Level>();
  private readonly opened = new Set<number>();
  private readonly listeners: OutputListener[] = [];
  private readonly trains: Timer[] = [];

  constructor(readonly layout: SimBoardLayout) {
    for (const p of layout.inputs) this.levels.set(pinOf(p), 0);
    if (layout.button) this.levels.set(layout.button.pin, layout.button.activeLow ? 1 : 0);
    for (const p of layout.outputs) this.driven.set(pinOf(p), 0);
  }

  // --- what people and tests do -------------------------------------------------------------

  /** Sets the level at an input pin; an edge reaches the core at once. */
  setInput(pin: number, level: Level): void {
    if (!this.levels.has(pin)) throw new RangeError("no input pin " + pin + " on this board");
    if (level !== 0 && level !== 1) throw new RangeError("level must be 0 or 1");
    if (this.levels.get(pin) === level) return;
    this.levels.set(pin, level);
    this.watchers.get(pin)?.edge(level);
  }

  inputLevel(pin: number): Level {
    const level = this.levels.get(pin);
    if (level === undefined) throw new RangeError("no input pin " + pin + " on this board");
    return level;
  }

  /** The level the core last drove on an output pin. */
  outputLevel(pin: number): Level {
    const level = this.driven.get(pin);
    if (level === undefined) throw new RangeError("no output pin " + pin + " on this board");
    return level;
  }

  /** Calls `listener` whenever the core changes an output level. Returns a function that stops it. */
  watchOutputs(listener: OutputListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Drives `count` pulses of `widthMs` at a `periodMs` period on an input, starting now (the first
   * edge is immediate). A pulse is `active` (1 = high; 0 for an active-low input). Returns the ms
   * the train lasts.
   */
  pulseTrain(timers: Timers, pin: number, count: number, widthMs: number, periodMs: number, active: Level = 1): number {
    this.inputLevel(pin);
    if (!(Number.isInteger(count) && count >= 1 && count <= 1_000_000)) throw new RangeError("count must be an integer from 1 to 1000000");
    if (!(widthMs > 0 && periodMs > widthMs)) throw new RangeError("need 0 < width < period");
    let n = 0;
    let fall: Timer | undefined;
    const train: Timer = {
      cancel: () => {
        repeat.cancel();
        fall?.cancel();
        const i = this.trains.indexOf(train);
        if (i >= 0) this.trains.splice(i, 1);
      },
    };
    const rise = (): void => {
      // a late timer (a loaded machine, mcsim) can bring the next rise before this pulse's fall:
      // the fall comes first, so that every pulse of the train is an edge
      if (fall) {
        fall.cancel();
        fall = undefined;
        this.setInput(pin, (1 - active) as Level);
      }
      this.setInput(pin, active);
      const last = ++n >= count;
      if (last) repeat.cancel();
      fall = timers.after(widthMs, () => {
        fall = undefined;
        this.setInput(pin, (1 - active) as Level);
        if (last) train.cancel();
      });
    };
    const repeat = timers.every(periodMs, rise);
    this.trains.push(train);
    rise();
    return (count - 1) * periodMs + widthMs;
  }

  /** Stops every pulse train in progress. */
  stopTrains(): void {
    for (const t of this.trains.slice()) t.cancel();
  }

  // --- Pins, what the core uses -------------------------------------------------------------

  input(pin: number, _options: InputOptions, listener: EdgeListener): InputPin {
    if (!this.levels.has(pin)) throw new RangeError("no input pin " + pin + " on this board");
    this.claim(pin);
    this.watchers.set(pin, listener);
    return new SimInput(this, pin);
  }

  output(pin: number, initial: Level): OutputPin {
    if (!this.driven.has(pin)) throw new RangeError("no output pin " + pin + " on this board");
    this.claim(pin);
    this.drive(pin, initial);
    return new SimOutput(this, pin);
  }

  /** @internal SimOutput's write */
  drive(pin: number, level: Level): void {
    if (this.driven.get(pin) === level) return;
    this.driven.set(pin, level);
    for (const l of this.listeners) l(pin, level);
  }

  /** @internal SimInput's and SimOutput's close */
  release(pin: number): void {
    this.watchers.delete(pin);
    this.opened.delete(pin);
  }

  /** @internal */
  isOpen(pin: number): boolean {
    return this.opened.has(pin);
  }

  private claim(pin: number): void {
    // the device throws on a pin already in use (moddable.md §5); so does the simulation
    if (this.opened.has(pin)) throw new Error("pin " + pin + " already in use");
    this.opened.add(pin);
  }
}

/** An opened input: a class, so that a pin costs two fields and no closures (the device image runs this on lin). */
class SimInput implements InputPin {
  constructor(
    private readonly board: SimBoard,
    private readonly pin: number,
  ) {}

  read(): Level {
    return this.board.inputLevel(this.pin);
  }

  close(): void {
    this.board.release(this.pin);
  }
}

class SimOutput implements OutputPin {
  constructor(
    private readonly board: SimBoard,
    private readonly pin: number,
  ) {}

  write(level: Level): void {
    if (!this.board.isOpen(this.pin)) throw new Error("pin " + this.pin + " is closed");
    this.board.drive(this.pin, level);
  }

  close(): void {
    this.board.release(this.pin);
  }
}
