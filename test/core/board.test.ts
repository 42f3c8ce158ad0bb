import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import type { Level } from "../../src/host.ts";
import { SimBoard } from "../../sim/board.ts";
import { VirtualClock } from "../../sim/clock.ts";

const layout = { inputs: [1, 2], outputs: [11, 12] };

test("input levels reach the core as edges; unchanged levels do not", () => {
  const board = new SimBoard(layout);
  const seen: Level[] = [];
  const pin = board.input(1, {}, { edge: (l) => seen.push(l) });
  board.setInput(1, 1);
  board.setInput(1, 1);
  board.setInput(1, 0);
  assert.deepEqual(seen, [1, 0]);
  assert.equal(pin.read(), 0);
});

test("outputs show what the core drives, and listeners see each change", () => {
  const board = new SimBoard(layout);
  const changes: string[] = [];
  board.watchOutputs((pin, level) => changes.push(pin + "=" + level));
  const relay = board.output(12, 0);
  relay.write(1);
  relay.write(1);
  relay.write(0);
  assert.equal(board.outputLevel(12), 0);
  assert.deepEqual(changes, ["12=1", "12=0"]);
  relay.close();
  assert.throws(() => relay.write(1), /closed/);
});

test("bad pins and levels get clear errors; a pin cannot be opened twice", () => {
  const board = new SimBoard(layout);
  assert.throws(() => board.setInput(9, 1), /no input pin 9/);
  assert.throws(() => board.setInput(1, 2 as Level), /level must be 0 or 1/);
  assert.throws(() => board.outputLevel(1), /no output pin 1/);
  assert.throws(() => board.output(1, 0), /no output pin 1/);
  board.input(2, {}, { edge: () => {} });
  assert.throws(() => board.input(2, {}, { edge: () => {} }), /already in use/);
});

test("a pulse train makes exactly n rising edges of the given width", () => {
  const clock = new VirtualClock();
  const board = new SimBoard(layout);
  const edges: string[] = [];
  board.input(1, {}, { edge: (l) => edges.push(l + "@" + clock.monotonic()) });
  const lasts = board.pulseTrain(clock, 1, 3, 10, 50);
  assert.equal(lasts, 110);
  clock.advance(1000);
  assert.deepEqual(edges, ["1@0", "0@10", "1@50", "0@60", "1@100", "0@110"]);
  assert.equal(clock.armed, 0, "no timer left behind");
});

test("a pulse train whose timers run late (the next rise before a fall) still makes every rising edge", () => {
  const board = new SimBoard(layout);
  let rises = 0;
  board.input(1, {}, { edge: (l) => (rises += l) });
  // timers that run only when told: the repeat fires twice before any fall is let run
  let tick: (() => void) | undefined;
  const falls: (() => void)[] = [];
  const late = {
    after: (_ms: number, fn: () => void) => {
      let live = true;
      falls.push(() => live && fn());
      return { cancel: () => void (live = false) };
    },
    every: (_ms: number, fn: () => void) => {
      tick = fn;
      return { cancel: () => void (tick = undefined) };
    },
  };
  board.pulseTrain(late, 1, 3, 10, 20);
  tick!();
  tick!();
  for (const f of falls) f();
  assert.equal(rises, 3, "three pulses, three rising edges");
  assert.equal(board.inputLevel(1), 0, "and the train ends low");
});

test("pulse trains refuse nonsense and can be stopped", () => {
  const clock = new VirtualClock();
  const board = new SimBoard(layout);
  assert.throws(() => board.pulseTrain(clock, 1, 0, 10, 50), /count/);
  assert.throws(() => board.pulseTrain(clock, 1, 2, 50, 50), /width/);
  assert.throws(() => board.pulseTrain(clock, 7, 2, 10, 50), /no input pin/);
  let rises = 0;
  board.input(1, {}, { edge: (l) => (rises += l) });
  board.pulseTrain(clock, 1, 100, 10, 50);
  clock.advance(120);
  board.stopTrains();
  clock.advance(10_000);
  assert.equal(rises, 3);
  assert.equal(clock.armed, 0);
});
