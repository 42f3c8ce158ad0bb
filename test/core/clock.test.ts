import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { VirtualClock } from "../../sim/clock.ts";

test("timers fire in due order, ties in arming order, each at its own time", () => {
  const clock = new VirtualClock();
  const seen: string[] = [];
  clock.after(30, () => seen.push("c@" + clock.monotonic()));
  clock.after(10, () => seen.push("a@" + clock.monotonic()));
  clock.after(10, () => seen.push("b@" + clock.monotonic()));
  clock.advance(5);
  assert.deepEqual(seen, []);
  clock.advance(100);
  assert.deepEqual(seen, ["a@10", "b@10", "c@30"]);
  assert.equal(clock.monotonic(), 105);
});

test("periodic timers repeat until cancelled, even from their own callback", () => {
  const clock = new VirtualClock();
  const at: number[] = [];
  const t = clock.every(100, () => {
    at.push(clock.monotonic());
    if (at.length === 3) t.cancel();
  });
  clock.advance(1000);
  assert.deepEqual(at, [100, 200, 300]);
  assert.equal(clock.armed, 0);
});

test("a timer armed by a callback fires in the same advance when due", () => {
  const clock = new VirtualClock();
  const seen: number[] = [];
  clock.after(10, () => clock.after(5, () => seen.push(clock.monotonic())));
  clock.advance(20);
  assert.deepEqual(seen, [15]);
});

test("cancel is idempotent and harmless after firing", () => {
  const clock = new VirtualClock();
  let n = 0;
  const t = clock.after(1, () => n++);
  clock.advance(2);
  t.cancel();
  t.cancel();
  const u = clock.after(1, () => n++);
  u.cancel();
  clock.advance(5);
  assert.equal(n, 1);
});

test("now() is epoch plus monotonic; runUntilIdle stops at the limit", () => {
  const clock = new VirtualClock(1_000_000);
  clock.after(50, () => {});
  assert.equal(clock.runUntilIdle(), 50);
  assert.equal(clock.now(), 1_000_050);
  clock.every(10, () => {});
  assert.equal(clock.runUntilIdle(95), 90);
  assert.equal(clock.nextDue(), 150);
});
