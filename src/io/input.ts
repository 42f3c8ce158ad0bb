/**
 * A digital input, processed in the JANOS order (janos.md §6.3): sample -> Inversion -> Debounce ->
 * Latching -> Counting -> usage meter -> Conditioning -> reported state.
 *
 * Latching watches the signal after inversion and before debounce: JANOS says a latch "catches
 * pulses >= 1 ms", which a 200 ms debounce in front of it would never let through. (The exact
 * JANOS wiring is UNCONFIRMED; this is the reading that keeps that promise.) Counting and the meter
 * see the latched signal, conditioning only changes what is reported.
 *
 * Debounce holds one lazily re-armed timer: an edge only records when the new level began; the
 * timer, when due, checks whether the level has held for the whole window. A bounce back within
 * the window leaves nothing behind.
 */
import type { EdgeListener, InputPin, Level, Timer } from "../host.ts";
import { frozen } from "../frozen.ts";
import type { ChannelOwner } from "./channel.ts";
import { UsageMeter } from "./meter.ts";

export interface InputConfig {
  inversion: boolean;
  /** ms the signal must hold before a transition counts; 0 = every edge. */
  debounceMs: number;
  latchEnabled: boolean;
  /** The state that latches. */
  latchState: Level;
  /** Auto-reset after this many ms; 0 = hold until Reset Latch. */
  latchResetMs: number;
  /** Transitions into this state are counted. */
  countState: Level;
  /** The meter counts time in this state. */
  usageState: Level;
  /** 0 normal, 1 inverted, 2 forced off, 3 forced on (janos.md §6.3). */
  conditioning: number;
}

export const DEFAULT_INPUT: InputConfig = frozen({
  inversion: false,
  debounceMs: 200,
  latchEnabled: false,
  latchState: 1,
  latchResetMs: 0,
  countState: 1,
  usageState: 1,
  conditioning: 0,
});

export class InputChannel implements EdgeListener {
  /** The level at the pin, after the board's own inversion (active-low opto inputs). */
  raw: Level = 0;
  /** After Inversion. */
  private sampled: Level = 0;
  /** After Debounce. */
  debounced: Level = 0;
  latched = false;
  /** After Latching: what counting and the meter see. */
  private effective: Level = 0;
  /** After Conditioning: what Monitor reports. */
  reported: Level = 0;
  count = 0;
  /** When `reported` last changed (monotonic ms; boot counts as a change). */
  changedAt = 0;
  readonly meter = new UsageMeter();
  /** Where the count is kept across power cuts (the owner's registry). */
  saved: { set(value: string): void } | undefined;
  private pin: InputPin | undefined;
  private pendingSince = -1;
  private debounceTimer: Timer | undefined;
  private latchTimer: Timer | undefined;

  constructor(
    private readonly owner: ChannelOwner,
    readonly index: number,
    /** The board wires the input active low: a low pin is on. */
    private readonly activeLow: boolean,
    public config: InputConfig,
  ) {}

  /** Takes the opened pin (whose edges come to `edge`) and starts from its level; the level at boot is not a transition. */
  attach(pin: InputPin): void {
    this.pin = pin;
    this.raw = this.board(pin.read());
    this.sampled = this.invert(this.raw);
    this.debounced = this.sampled;
    this.effective = this.debounced;
    this.reported = this.condition(this.effective);
    this.changedAt = this.owner.now();
    this.meter.set(this.effective === this.config.usageState, this.changedAt);
  }

  /** An edge at the pin (the platform may report a level twice when edges came close together). */
  edge(level: Level): void {
    const raw = this.board(level);
    if (raw === this.raw) return;
    this.raw = raw;
    this.resample(this.owner.now());
  }

  /** Clears the latch; returns whether it was set. */
  resetLatch(): boolean {
    if (!this.latched) return false;
    this.latched = false;
    this.latchTimer?.cancel();
    this.latchTimer = undefined;
    this.owner.latchChanged(this.index);
    this.update(this.owner.now());
    return true;
  }

  resetCounter(): void {
    if (this.count === 0) return;
    this.count = 0;
    this.owner.counted(this.index);
    this.owner.changed("input", this.index);
  }

  /** New settings from the registry, applied at once. */
  reconfigure(config: InputConfig): void {
    const now = this.owner.now();
    const was = this.config;
    this.config = config;
    if (!config.latchEnabled && this.latched) this.resetLatch();
    if (config.usageState !== was.usageState) {
      this.meter.set(false, now);
      this.meter.set(this.effective === config.usageState, now);
      this.owner.metered("input", this.index);
    }
    if (config.debounceMs !== was.debounceMs && this.pendingSince >= 0) {
      this.debounceTimer?.cancel();
      this.debounceTimer = undefined;
      this.debounceDue(); // re-evaluates against the new window
    }
    if (config.inversion !== was.inversion) this.resample(now);
    else this.update(now); // conditioning and latch state may have changed what is reported
  }

  /** Stops the timers and closes the pin. */
  release(): void {
    this.debounceTimer?.cancel();
    this.latchTimer?.cancel();
    this.debounceTimer = this.latchTimer = undefined;
    this.pin?.close();
    this.pin = undefined;
  }

  private board(level: Level): Level {
    return this.activeLow ? ((1 - level) as Level) : level;
  }

  private invert(level: Level): Level {
    return this.config.inversion ? ((1 - level) as Level) : level;
  }

  private resample(now: number): void {
    const s = this.invert(this.raw);
    if (s === this.sampled) return;
    this.sampled = s;
    const c = this.config;
    if (c.latchEnabled && !this.latched && s === c.latchState) {
      this.latched = true;
      if (c.latchResetMs > 0) this.latchTimer = this.owner.timers.after(c.latchResetMs, this.latchDue, this);
      this.owner.latchChanged(this.index);
    }
    if (c.debounceMs === 0) {
      this.debounced = s;
      return this.update(now);
    }
    if (s === this.debounced) {
      this.pendingSince = -1; // bounced back within the window: nothing happened
      return this.update(now); // (a latch may have caught it)
    }
    this.pendingSince = now;
    this.debounceTimer ??= this.owner.timers.after(c.debounceMs, this.debounceDue, this);
    this.update(now);
  }

  private debounceDue(): void {
    this.debounceTimer = undefined;
    if (this.pendingSince < 0) return;
    const now = this.owner.now();
    const waited = now - this.pendingSince;
    if (waited >= this.config.debounceMs) {
      this.pendingSince = -1;
      if (this.sampled !== this.debounced) {
        this.debounced = this.sampled;
        this.update(now);
      }
    } else this.debounceTimer = this.owner.timers.after(this.config.debounceMs - waited, this.debounceDue, this);
  }

  private latchDue(): void {
    this.latchTimer = undefined;
    this.resetLatch();
  }

  /** Latching, counting, metering and conditioning, from the debounced level. */
  private update(now: number): void {
    const c = this.config;
    const effective = this.latched ? c.latchState : this.debounced;
    let changed = false;
    if (effective !== this.effective) {
      this.effective = effective;
      if (effective === c.countState) {
        this.count++;
        this.owner.counted(this.index);
        changed = true;
      }
      const metering = this.meter.running;
      this.meter.set(effective === c.usageState, now);
      if (metering !== this.meter.running) this.owner.metered("input", this.index);
    }
    const reported = this.condition(effective);
    if (reported !== this.reported) {
      this.reported = reported;
      this.changedAt = now;
      changed = true;
    }
    if (changed) this.owner.changed("input", this.index);
  }

  private condition(level: Level): Level {
    switch (this.config.conditioning) {
      case 1:
        return (1 - level) as Level;
      case 2:
        return 0;
      case 3:
        return 1;
      default:
        return level; // 0, and anything else (janos.md §6.3)
    }
  }
}
