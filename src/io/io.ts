/**
 * The I/O service: inputs and relays over the Host's pins, configured by registry keys (live: a
 * change applies at once), with counters and usage meters kept across power cuts through the
 * registry's coalesced writes. One change event, `(kind, index)`, tells every protocol what
 * changed; listeners read the state they need from the channels, so an edge allocates nothing.
 */
import type { BoardProfile } from "../boards.ts";
import type { Host, Level, Timer } from "../host.ts";
import { parseBoolean } from "../registry/keys.ts";
import type { LiveValues, Registry } from "../registry/registry.ts";
import type { ChannelOwner, IoKind } from "./channel.ts";
import { DEFAULT_INPUT, InputChannel, type InputConfig } from "./input.ts";
import { defineIoKeys, inputKey, outputKey } from "./keys.ts";
import type { UsageMeter } from "./meter.ts";
import { RelayChannel, type RelayCommand } from "./relay.ts";

export type IoListener = (kind: IoKind, index: number) => void;

/** Usage meters reach flash (and `$HourMeter` is announced) every hundredth of an hour, as JANOS does. */
export const METER_STEP_MS = 36_000;
/** The longest pulse a command may ask for: 24 h. */
export const MAX_DURATION_MS = 86_400_000;

export class Io implements ChannelOwner, LiveValues {
  readonly inputs: InputChannel[] = [];
  readonly outputs: RelayChannel[] = [];
  readonly timers;
  private readonly listeners: IoListener[] = [];
  private meterTicker: Timer | undefined;
  private readonly stopWatching: () => void;

  constructor(
    private readonly host: Host,
    private readonly registry: Registry,
    readonly profile: BoardProfile,
  ) {
    this.timers = host.timers;
    defineIoKeys(registry.schema, profile);
    try {
      // relays first, driven open before anything else happens: no glitch at boot
      profile.outputs.forEach((spec, i) => {
        const relay = new RelayChannel(this, i, host.pins.output(spec.pin, spec.activeLow ? 1 : 0), spec.activeLow === true);
        this.outputs.push(relay);
        relay.usageState = this.level(outputKey(i, "UsageState"), 1);
        relay.meter.ms = this.persisted(outputKey(i, "$UsageMs"));
      });
      profile.inputs.forEach((spec, i) => {
        const channel = new InputChannel(this, i, spec.activeLow === true, this.inputConfig(i));
        this.inputs.push(channel);
        channel.attach(host.pins.input(spec.pin, { pull: spec.pull ?? "none" }, channel));
        channel.count = this.persisted(inputKey(i, "$Counter"));
        channel.meter.ms = this.persisted(inputKey(i, "$UsageMs"));
        channel.saved = registry.slot(inputKey(i, "$Counter"));
      });
    } catch (e) {
      this.releaseChannels();
      throw e;
    }
    const now = host.clock.monotonic();
    for (const r of this.outputs) r.meter.set(r.level === r.usageState, now);
    registry.provide(this);
    this.stopWatching = registry.watch("IO", (changes) => {
      for (const c of changes) this.reconfigure(c.key);
    });
    this.applyInitialStates();
    this.tickMeters();
  }

  // --- what protocols use -------------------------------------------------------------------------

  /** Calls `listener(kind, index)` after every change of a reported state or count. */
  onChange(listener: IoListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Close, Open or Toggle relay `channel` (1-based), for `durationMs` when positive (a pulse). */
  control(command: RelayCommand, channel: number, durationMs = 0): void {
    const relay = this.outputs[this.channelIndex(channel, this.outputs.length, "relay")]!;
    if (!Number.isFinite(durationMs) || durationMs < 0 || durationMs > MAX_DURATION_MS) throw new RangeError(`duration must be 0 to ${MAX_DURATION_MS} ms`);
    relay.command(command, Math.round(durationMs));
  }

  /** Clears input `channel`'s latch (1-based); false when it was not latched. */
  resetLatch(channel: number): boolean {
    return this.inputs[this.channelIndex(channel, this.inputs.length, "input")]!.resetLatch();
  }

  resetCounter(channel: number): void {
    this.inputs[this.channelIndex(channel, this.inputs.length, "input")]!.resetCounter();
  }

  /** Zeroes a usage meter: channels 1..inputs are the inputs, then the relays (janos.md §5.2). */
  resetUsage(channel: number): void {
    const index = this.channelIndex(channel, this.inputs.length + this.outputs.length, "usage meter");
    const isInput = index < this.inputs.length;
    const meter = isInput ? this.inputs[index]!.meter : this.outputs[index - this.inputs.length]!.meter;
    meter.reset(this.now());
    this.saveMeter(meter, true, isInput ? inputKey : outputKey, isInput ? index : index - this.inputs.length);
  }

  /** Stops timers, saves the meters, and releases the pins. */
  close(): void {
    this.stopWatching();
    this.meterTicker?.cancel();
    this.meterTicker = undefined;
    this.saveMeters(true);
    this.releaseChannels();
  }

  // --- ChannelOwner ---------------------------------------------------------------------------------

  now(): number {
    return this.host.clock.monotonic();
  }

  changed(kind: IoKind, index: number): void {
    for (const l of this.listeners) {
      try {
        l(kind, index);
      } catch (e) {
        this.host.log("error", "io: a listener failed: " + (e as Error).message);
      }
    }
  }

  counted(index: number): void {
    const input = this.inputs[index]!;
    input.saved?.set(String(input.count));
  }

  latchChanged(index: number): void {
    this.registry.notify(inputKey(index, "$Latched"));
  }

  /** A meter entered or left its state: saved with the next tick (at most 36 s later), or at close. */
  metered(kind: IoKind, index: number): void {
    const meter = (kind === "input" ? this.inputs : this.outputs)[index]?.meter;
    if (!meter) return; // during construction
    meter.dirty = true;
    this.tickMeters();
  }

  // --- LiveValues: $HourMeter of every channel, $Latched of every input --------------------------

  liveValue(key: string): string | undefined {
    const m = /^io\/(inputs\/din|outputs\/rout)([1-9][0-9]{0,2})\/(\$hourmeter|\$latched)$/.exec(key);
    if (!m) return undefined;
    const isInput = m[1] === "inputs/din";
    const channel = (isInput ? this.inputs : this.outputs)[Number(m[2]) - 1];
    if (!channel) return undefined;
    if (m[3] === "$hourmeter") return channel.meter.hours(this.now());
    return isInput ? ((channel as InputChannel).latched ? "1" : "0") : undefined;
  }

  liveKeys(): string[] {
    const keys: string[] = [];
    for (let i = 0; i < this.inputs.length; i++) keys.push(inputKey(i, "$HourMeter"), inputKey(i, "$Latched"));
    for (let i = 0; i < this.outputs.length; i++) keys.push(outputKey(i, "$HourMeter"));
    return keys;
  }

  // --- internals ----------------------------------------------------------------------------------

  private channelIndex(channel: number, count: number, what: string): number {
    if (!Number.isInteger(channel) || channel < 1 || channel > count) throw new RangeError(count ? `no ${what} ${channel}: this board has ${count} (1 to ${count})` : `this board has no ${what}s`);
    return channel - 1;
  }

  private persisted(key: string): number {
    const n = Number(this.registry.get(key) ?? "0");
    return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
  }

  private level(key: string, fallback: Level): Level {
    const v = this.registry.get(key);
    return v === "0" ? 0 : v === "1" ? 1 : fallback;
  }

  /** Input `i`'s settings; the shared default object when they are all defaults (most inputs: no heap of their own). */
  private inputConfig(i: number): InputConfig {
    const get = (name: string): string | undefined => this.registry.get(inputKey(i, name));
    const int = (name: string, fallback: number): number => {
      const n = Number(get(name));
      return Number.isInteger(n) && n >= 0 ? n : fallback;
    };
    const config: InputConfig = {
      inversion: parseBoolean(get("Inversion") ?? "") ?? DEFAULT_INPUT.inversion,
      debounceMs: int("Debounce", DEFAULT_INPUT.debounceMs),
      latchEnabled: parseBoolean(get("Latching/Enabled") ?? "") ?? DEFAULT_INPUT.latchEnabled,
      latchState: this.level(inputKey(i, "Latching/State"), DEFAULT_INPUT.latchState),
      latchResetMs: int("Latching/ResetTime", DEFAULT_INPUT.latchResetMs),
      countState: this.level(inputKey(i, "CountState"), DEFAULT_INPUT.countState),
      usageState: this.level(inputKey(i, "UsageState"), DEFAULT_INPUT.usageState),
      conditioning: int("Conditioning", DEFAULT_INPUT.conditioning),
    };
    for (const k in config) if (config[k as keyof InputConfig] !== DEFAULT_INPUT[k as keyof InputConfig]) return config;
    return DEFAULT_INPUT;
  }

  private reconfigure(key: string): void {
    const m = /^io\/(inputs\/din|outputs\/rout)(\d+)\/(.+)$/.exec(key.toLowerCase());
    if (!m || m[3]!.startsWith("$")) return;
    const index = Number(m[2]) - 1;
    if (m[1] === "inputs/din") this.inputs[index]?.reconfigure(this.inputConfig(index));
    else if (m[3] === "usagestate") this.outputs[index]?.setUsageState(this.level(outputKey(index, "UsageState"), 1));
  }

  /** InitialState (janos.md §6.4): positive pulses closed that long, 0 closes, unset or negative leaves open. */
  private applyInitialStates(): void {
    this.outputs.forEach((relay, i) => {
      const n = Number(this.registry.get(outputKey(i, "InitialState")) ?? "-1");
      if (!Number.isInteger(n) || n < 0) return;
      relay.command("close", Math.min(n, MAX_DURATION_MS));
    });
  }

  /** One timer while any meter runs or waits to be saved: saved, and announced, each hundredth of an hour. */
  private tickMeters(): void {
    if (this.meterTicker) return;
    this.meterTicker = this.timers.every(METER_STEP_MS, this.meterTick, this);
  }

  private meterTick(): void {
    if (this.saveMeters(false)) return;
    this.meterTicker?.cancel();
    this.meterTicker = undefined;
  }

  /** Saves meters that run or changed (all with `all`); returns whether any still runs. */
  private saveMeters(all: boolean): boolean {
    let running = false;
    this.inputs.forEach((c, i) => (running = this.saveMeter(c.meter, all, inputKey, i) || running));
    this.outputs.forEach((r, i) => (running = this.saveMeter(r.meter, all, outputKey, i) || running));
    return running;
  }

  private saveMeter(meter: UsageMeter, force: boolean, key: (index: number, name: string) => string, index: number): boolean {
    if (!force && !meter.dirty && !meter.running) return false;
    const now = this.now();
    meter.dirty = false;
    this.registry.setCoalesced(key(index, "$UsageMs"), String(meter.total(now)));
    const hours = meter.hours(now);
    if (hours !== meter.shown) {
      meter.shown = hours;
      this.registry.notify(key(index, "$HourMeter"));
    }
    return meter.running;
  }

  private releaseChannels(): void {
    for (const c of this.inputs) c.release();
    for (const r of this.outputs) r.release();
  }
}
