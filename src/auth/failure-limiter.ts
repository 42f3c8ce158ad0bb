/**
 * Slows down password guessing, for every login path (authenticator.ts). Failures count twice: for
 * the client address, and for the address and the account they named together. A few cost nothing;
 * after that each attempt waits twice as long as the one before, up to a ceiling. A success forgets
 * only its own account's failures from its address, never the address's: one's own logins do not
 * hide guesses at another account. Another address is not held back. A quiet spell forgets
 * everything.
 *
 * The table is bounded, and a full table forgets nothing that is still counting: the failures of
 * further addresses and accounts go into one shared count, which slows all of them together. So
 * failing from many addresses cannot flush the count of the one under attack.
 */
import type { Clock } from "../host.ts";

export interface FailureLimits {
  /** Failures (of one address, or of one address against one account) that cost no delay. */
  free: number;
  /** The first delay, doubled for each further failure. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A count is forgotten this long after its last failure. */
  forgetMs: number;
  /** Addresses and accounts counted at once. */
  maxEntries: number;
}

export const FAILURE_LIMITS: FailureLimits = {
  free: 3,
  firstDelayMs: 1000,
  maxDelayMs: 60_000,
  forgetMs: 15 * 60_000,
  maxEntries: 128,
};

interface Entry {
  failures: number;
  last: number;
}

/** Where failures go when the table is full. */
const OVERFLOW = "*";

export class FailureLimiter {
  private readonly entries = new Map<string, Entry>();
  readonly limits: FailureLimits;

  constructor(
    private readonly clock: Pick<Clock, "monotonic">,
    limits: Partial<FailureLimits> = {},
  ) {
    this.limits = { ...FAILURE_LIMITS, ...limits };
  }

  /** How long the next attempt from `address` (naming `user`, when known) must wait, ms (0: now). */
  delayFor(address: string, user?: string): number {
    let wait = this.waitOf(this.lookup("a " + address));
    if (user !== undefined) wait = Math.max(wait, this.waitOf(this.lookup(pair(address, user))));
    return wait;
  }

  /** Records a failure; returns how many `address` has now. */
  failed(address: string, user?: string): number {
    if (user !== undefined) this.count(pair(address, user));
    return this.count("a " + address);
  }

  /** A login as `user` from `address` worked: its failures there are forgotten (the address's are not). */
  succeeded(address: string, user: string): void {
    this.entries.delete(pair(address, user));
  }

  private count(key: string): number {
    const now = this.clock.monotonic();
    let e = this.lookup(key);
    if (!e) {
      if (this.entries.size >= this.limits.maxEntries) this.forgetExpired(now);
      if (this.entries.size >= this.limits.maxEntries) key = OVERFLOW;
      e = this.lookup(key) ?? { failures: 0, last: now };
      this.entries.set(key, e);
    }
    e.failures++;
    e.last = now;
    return e.failures;
  }

  private waitOf(e: Entry | undefined): number {
    if (!e) return 0;
    const over = e.failures - this.limits.free;
    if (over <= 0) return 0;
    const delay = Math.min(this.limits.maxDelayMs, this.limits.firstDelayMs * 2 ** Math.min(over - 1, 30));
    return Math.max(0, delay - (this.clock.monotonic() - e.last));
  }

  /** The count of `key` (or the shared one, for a key the full table could not take). */
  private lookup(key: string): Entry | undefined {
    const e = this.entries.get(key) ?? (this.entries.size >= this.limits.maxEntries ? this.entries.get(OVERFLOW) : undefined);
    if (e && this.clock.monotonic() - e.last >= this.limits.forgetMs) {
      this.forgetExpired(this.clock.monotonic());
      return undefined;
    }
    return e;
  }

  private forgetExpired(now: number): void {
    for (const [key, e] of this.entries) if (now - e.last >= this.limits.forgetMs) this.entries.delete(key);
  }
}

function pair(address: string, user: string): string {
  return "p " + address + " " + user;
}
