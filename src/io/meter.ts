/**
 * A usage meter: the time spent in a state, kept to the millisecond, shown as hours with two
 * decimals (`$HourMeter`, janos.md §6.2). Hundredths are floored: a meter never shows time not yet
 * spent.
 */
export class UsageMeter {
  /** Milliseconds counted before `since`. */
  ms = 0;
  /** When the metered state began (monotonic ms), or -1 when not in it. */
  since = -1;
  /** Changed since it was last saved. */
  dirty = false;
  /** `$HourMeter` as last announced. */
  shown = "";

  get running(): boolean {
    return this.since >= 0;
  }

  /** Enters or leaves the metered state at `now`. */
  set(on: boolean, now: number): void {
    if (on && this.since < 0) this.since = now;
    else if (!on && this.since >= 0) {
      this.ms += now - this.since;
      this.since = -1;
    }
  }

  total(now: number): number {
    return this.ms + (this.since >= 0 ? now - this.since : 0);
  }

  reset(now: number): void {
    this.ms = 0;
    if (this.since >= 0) this.since = now;
  }

  hours(now: number): string {
    return (Math.floor(this.total(now) / 36_000) / 100).toFixed(2);
  }
}
