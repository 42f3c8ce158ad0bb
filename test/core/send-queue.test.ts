import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { SendQueue } from "../../src/send-queue.ts";

const bytes = (...xs: number[]): Uint8Array => new Uint8Array(xs);

test("take returns bytes in order, splitting chunks at the limit", () => {
  const q = new SendQueue(100);
  q.push(bytes(1, 2, 3));
  q.push(bytes(4, 5));
  assert.equal(q.pending, 5);
  assert.deepEqual(q.take(2), bytes(1, 2));
  assert.deepEqual(q.take(10), bytes(3));
  assert.deepEqual(q.take(10), bytes(4, 5));
  assert.equal(q.take(10), undefined);
  assert.equal(q.pending, 0);
  assert.equal(q.take(0), undefined);
});

test("push reports the high-water mark, and drained() fires once after the queue empties", () => {
  const q = new SendQueue(4);
  assert.equal(q.push(bytes(1, 2)), true);
  assert.equal(q.drained(), false, "never full: nothing to report");
  assert.equal(q.push(bytes(3, 4)), false);
  q.take(3);
  assert.equal(q.push(bytes()), false, "stays full until it empties");
  assert.equal(q.drained(), false, "not empty yet");
  q.take(3);
  assert.equal(q.drained(), true);
  assert.equal(q.drained(), false, "once");
  assert.equal(q.push(bytes(5)), true);
});

test("the head index is reclaimed and clear() forgets everything", () => {
  const q = new SendQueue(1 << 20);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 1000; i++) q.push(bytes(i & 255));
    for (let i = 0; i < 1000; i++) assert.equal(q.take(1)![0], i & 255);
  }
  q.push(bytes(1));
  q.clear();
  assert.equal(q.pending, 0);
  assert.equal(q.take(1), undefined);
});
