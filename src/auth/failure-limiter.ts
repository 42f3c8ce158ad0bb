/**
 * Slows down password guessing per client address, for every login path (JANOS Auth-Digest, web
 * Digest and Basic). A few failures cost nothing; after that each attempt waits twice as long as
 * the one before, up to a ceiling, and the slate is wiped by a success or by a quiet spell.
 *
 * The table is bounded: when it is full, the address whose last failure is oldest is forgotten.
 */
import type { Clock } from "../host.ts";

export interface FailureLimits {
  /** Failures from one address that cost no delay. */
  free: number;
  /** The first delay, doubled for each further failure. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** An address is forgotten this long after its last failure. */
  forgetMs: number;
  /** Addresses tracked at once. */
  maxAddresses: number;
}

export const FAILURE_LIMITS: FailureLimits = {
  free: 3,
  firstDelayMs: 1000,
  maxDelayMs: 60_000,
  forgetMs: 15 * 60_000,
  maxAddresses: 64,
};

interface Entry {
  failures: number;
  last: number;
}

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();
  readonly limits: FailureLimits;

  constructor(
    private readonly clock: Pick<Clock, "monotonic">,
    limits: Partial<FailureLimits> = {},
  ) {
    this.limits = { ...FAILURE_LIMITS, ...limits };
  }

  /** How long the next attempt from `address` must wait, ms (0: it may go now). */
  delayFor(address: string): number {
    const e = this.current(address);
    if (!e) return 0;
    return Math.max(0, this.delayAfter(e.failures) - (this.clock.monotonic() - e.last));
  }

  /** Records a failure; returns how many failures `address` has now. */
  failed(address: string): number {
    const now = this.clock.monotonic();
    let e = this.current(address);
    if (!e) {
      if (this.entries.size >= this.limits.maxAddresses) this.evictOldest();
      e = { failures: 0, last: now };
      this.entries.set(address, e);
    }
    e.failures++;
    e.last = now;
    return e.failures;
  }

  succeeded(address: string): void {
    this.entries.delete(address);
  }

  private delayAfter(failures: number): number {
    const over = failures - this.limits.free;
    if (over <= 0) return 0;
    return Math.min(this.limits.maxDelayMs, this.limits.firstDelayMs * 2 ** Math.min(over - 1, 30));
  }

  private current(address: string): Entry | undefined {
    const e = this.entries.get(address);
    if (e && this.clock.monotonic() - e.last >= this.limits.forgetMs) {
      this.entries.delete(address);
      return undefined;
    }
    return e;
  }

  private evictOldest(): void {
    let oldest: string | undefined;
    let at = Infinity;
    for (const [address, e] of this.entries) {
      if (e.last < at) {
        at = e.last;
        oldest = address;
      }
    }
    if (oldest !== undefined) this.entries.delete(oldest);
  }
}
