/**
 * Virtual time for the memory host. Nothing happens until a test advances the clock; then timers
 * fire in due order (ties in the order they were armed), each seeing `monotonic()` at its own due
 * time. The same calls therefore give the same event order on every engine.
 */
import type { Clock, Timer, Timers } from "../src/host.ts";

interface Entry {
  due: number;
  seq: number;
  period: number; // 0 = one-shot
  fn: (this: unknown) => void;
  target: unknown;
  live: boolean;
}

export class VirtualClock implements Clock, Timers {
  private t = 0;
  private seq = 0;
  private queue: Entry[] = []; // binary min-heap on (due, seq)
  /** Epoch ms at monotonic 0; tests may move it to simulate an NTP jump. */
  epoch: number;

  constructor(epoch = Date.UTC(2026, 0, 1)) {
    this.epoch = epoch;
  }

  now(): number {
    return this.epoch + this.t;
  }

  monotonic(): number {
    return this.t;
  }

  /** Sets the wall clock, as SNTP does; monotonic time goes on unchanged. */
  set(epochMs: number): void {
    this.epoch = epochMs - this.t;
  }

  after<T>(ms: number, fn: (this: T) => void, target?: T): Timer {
    return this.arm(ms, 0, fn as (this: unknown) => void, target);
  }

  every<T>(ms: number, fn: (this: T) => void, target?: T): Timer {
    return this.arm(ms, Math.max(1, ms), fn as (this: unknown) => void, target);
  }

  /** Number of armed timers. */
  get armed(): number {
    let n = 0;
    for (const e of this.queue) if (e.live) n++;
    return n;
  }

  /** Due time of the next armed timer, or undefined. */
  nextDue(): number | undefined {
    this.dropDead();
    return this.queue.length ? this.queue[0]!.due : undefined;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.t + Math.max(0, ms));
  }

  advanceTo(target: number): void {
    for (;;) {
      this.dropDead();
      const head = this.queue[0];
      if (!head || head.due > target) break;
      this.pop();
      this.t = Math.max(this.t, head.due);
      if (head.period) {
        head.due += head.period;
        head.seq = this.seq++;
        this.push(head);
      } else head.live = false;
      head.fn.call(head.target);
    }
    this.t = Math.max(this.t, target);
  }

  /** Fires timers until none is due within `limitMs`; returns the time advanced. */
  runUntilIdle(limitMs = 3_600_000): number {
    const start = this.t;
    for (;;) {
      const due = this.nextDue();
      if (due === undefined || due - start > limitMs) break;
      this.advanceTo(due);
    }
    return this.t - start;
  }

  private arm(ms: number, period: number, fn: (this: unknown) => void, target: unknown): Timer {
    const entry: Entry = { due: this.t + Math.max(0, ms), seq: this.seq++, period, fn, target, live: true };
    this.push(entry);
    return {
      cancel() {
        entry.live = false;
      },
    };
  }

  private dropDead(): void {
    while (this.queue.length && !this.queue[0]!.live) this.pop();
  }

  private push(e: Entry): void {
    const q = this.queue;
    q.push(e);
    let i = q.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(q[i]!, q[p]!)) break;
      [q[i], q[p]] = [q[p]!, q[i]!];
      i = p;
    }
  }

  private pop(): void {
    const q = this.queue;
    const last = q.pop()!;
    if (!q.length) return;
    q[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < q.length && before(q[l]!, q[m]!)) m = l;
      if (r < q.length && before(q[r]!, q[m]!)) m = r;
      if (m === i) break;
      [q[i], q[m]] = [q[m]!, q[i]!];
      i = m;
    }
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
