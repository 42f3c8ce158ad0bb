/**
 * A relay output. Its state is tracked here: the device cannot read an output back (moddable.md §5).
 *
 * Close, Open and Toggle may carry a duration: after it, the relay returns to the state it had
 * before (a pulse, janos.md §5.2). A command during a pulse cancels the pending return; a new pulse
 * keeps the original return state, so re-triggering a pulse extends it instead of leaving the
 * relay stuck in the pulsed state.
 */
import type { Level, OutputPin, Timer } from "../host.ts";
import type { ChannelOwner } from "./channel.ts";
import { UsageMeter } from "./meter.ts";

export type RelayCommand = "close" | "open" | "toggle";

/**
 * A relay command as JANOS (`Control` Close, Open, Toggle) and MQTT (`on`, `off`, `toggle`, and
 * the usual 1/0, true/false) spell it, any case: the one parser both use. Anything else is no
 * command; it is compared as a whole, never used to look anything up.
 */
export function parseRelayCommand(text: string): RelayCommand | undefined {
  switch (text.toLowerCase()) {
    case "close":
    case "on":
    case "1":
    case "true":
      return "close";
    case "open":
    case "off":
    case "0":
    case "false":
      return "open";
    case "toggle":
      return "toggle";
    default:
      return undefined;
  }
}

export class RelayChannel {
  level: Level = 0;
  /** When `level` last changed (monotonic ms; boot counts as a change). */
  changedAt: number;
  usageState: Level = 1;
  readonly meter = new UsageMeter();
  private restoreLevel: Level = 0;
  private restoreTimer: Timer | undefined;

  constructor(
    private readonly owner: ChannelOwner,
    readonly index: number,
    private readonly pin: OutputPin,
    private readonly activeLow: boolean,
  ) {
    this.changedAt = owner.now();
  }

  /** Whether a pulse is running (its return is pending). */
  get pulsing(): boolean {
    return this.restoreTimer !== undefined;
  }

  command(command: RelayCommand, durationMs = 0): void {
    const base = this.restoreTimer ? this.restoreLevel : this.level;
    this.restoreTimer?.cancel();
    this.restoreTimer = undefined;
    const target: Level = command === "close" ? 1 : command === "open" ? 0 : ((1 - this.level) as Level);
    this.set(target);
    if (durationMs > 0 && target !== base) {
      this.restoreLevel = base;
      this.restoreTimer = this.owner.timers.after(durationMs, this.restoreDue, this);
    }
  }

  private restoreDue(): void {
    this.restoreTimer = undefined;
    this.set(this.restoreLevel);
  }

  setUsageState(state: Level): void {
    if (state === this.usageState) return;
    const now = this.owner.now();
    this.usageState = state;
    this.meter.set(false, now);
    this.meter.set(this.level === state, now);
    this.owner.metered("output", this.index);
  }

  /** Stops a pulse where it is and closes the pin. */
  release(): void {
    this.restoreTimer?.cancel();
    this.restoreTimer = undefined;
    this.pin.close();
  }

  private set(level: Level): void {
    if (level === this.level) return;
    this.level = level;
    this.changedAt = this.owner.now();
    this.pin.write(this.activeLow ? ((1 - level) as Level) : level);
    const metering = this.meter.running;
    this.meter.set(level === this.usageState, this.owner.now());
    if (metering !== this.meter.running) this.owner.metered("output", this.index);
    this.owner.changed("output", this.index);
  }
}
