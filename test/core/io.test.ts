import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { findBoard, type BoardProfile } from "../../src/boards.ts";
import { Io } from "../../src/io/io.ts";
import { Registry } from "../../src/registry/registry.ts";
import { MemoryFlash } from "../../sim/memory-files.ts";
import { MemoryHost } from "../../sim/memory-host.ts";

const JNIOR = findBoard("jnior-410")!;
const IN = (n: number): number => JNIOR.inputs[n - 1]!.pin;
const OUT = (n: number): number => JNIOR.outputs[n - 1]!.pin;

interface Rig {
  host: MemoryHost;
  registry: Registry;
  io: Io;
  events: string[];
  run(ms: number): void;
  reboot(): Rig;
}

function rig(settings: Record<string, string> = {}, profile: BoardProfile = JNIOR, flash = new MemoryFlash()): Rig {
  const host = new MemoryHost({ layout: profile, flash });
  const registry = new Registry(host);
  const io = new Io(host, registry, profile);
  if (Object.keys(settings).length) registry.write(settings);
  const events: string[] = [];
  io.onChange((kind, i) => {
    const state = kind === "input" ? `${io.inputs[i]!.reported}/${io.inputs[i]!.count}` : String(io.outputs[i]!.level);
    events.push(`${host.clock.monotonic()} ${kind}${i + 1}=${state}`);
  });
  return {
    host,
    registry,
    io,
    events,
    run: (ms) => host.clock.advance(ms),
    reboot() {
      io.close();
      registry.close();
      return rig({}, profile, flash);
    },
  };
}

test("a bounce shorter than the debounce window produces no transition", () => {
  const r = rig(); // Debounce 200 by default
  r.host.board.pulseTrain(r.host.timers, IN(1), 20, 50, 100); // 50 ms high each 100 ms: never 200 ms steady
  r.run(5000);
  assert.deepEqual(r.events, []);
  assert.equal(r.io.inputs[0]!.reported, 0);
  assert.equal(r.io.inputs[0]!.count, 0);
  r.host.board.setInput(IN(1), 1);
  r.run(199);
  assert.equal(r.io.inputs[0]!.reported, 0, "not yet: 199 ms");
  r.run(1);
  assert.deepEqual(r.events, ["5200 input1=1/1"], "held 200 ms: one transition, counted");
});

test("a 1 ms pulse is latched (latching sees the signal before the debounce) until Reset Latch", () => {
  const r = rig({ "IO/Inputs/din2/Latching/Enabled": "true" });
  r.host.board.pulseTrain(r.host.timers, IN(2), 1, 1, 10);
  r.run(1000);
  assert.equal(r.io.inputs[1]!.latched, true);
  assert.equal(r.io.inputs[1]!.reported, 1);
  assert.deepEqual(r.events, ["0 input2=1/1"]);
  assert.equal(r.io.resetLatch(2), true);
  assert.equal(r.io.inputs[1]!.reported, 0);
  assert.equal(r.io.resetLatch(2), false, "nothing to reset");
});

test("$Latched reads and announces the latch: when it latches, when Reset Latch and the reset time release it", () => {
  const r = rig({ "IO/Inputs/din2/Latching/Enabled": "true", "IO/Inputs/din2/Latching/ResetTime": "3000", "IO/Inputs/din2/Debounce": "0" });
  const seen: string[] = [];
  r.registry.watch("IO/Inputs/din2/$Latched", (changes) => {
    for (const c of changes) seen.push(`${r.host.clock.monotonic()} ${c.key}=${c.value}`);
  });
  assert.equal(r.registry.get("IO/Inputs/din2/$Latched"), "0");
  assert.equal(r.registry.get("IO/Inputs/din1/$Latched"), "0", "every input has one, latching or not");
  r.host.board.pulseTrain(r.host.timers, IN(2), 1, 1, 10);
  r.run(10);
  assert.equal(r.registry.get("IO/Inputs/din2/$Latched"), "1");
  r.run(3000);
  assert.equal(r.registry.get("IO/Inputs/din2/$Latched"), "0", "released by the reset time");
  r.host.board.setInput(IN(2), 1);
  r.run(10);
  r.io.resetLatch(2);
  assert.deepEqual(seen, ["0 IO/Inputs/din2/$Latched=1", "3000 IO/Inputs/din2/$Latched=0", "3010 IO/Inputs/din2/$Latched=1", "3020 IO/Inputs/din2/$Latched=0"]);
});

test("a latch with a reset time releases itself; latching on the off state works too", () => {
  const r = rig({ "IO/Inputs/din1/Latching/Enabled": "on", "IO/Inputs/din1/Latching/ResetTime": "5000", "IO/Inputs/din1/Debounce": "0" });
  r.host.board.pulseTrain(r.host.timers, IN(1), 1, 2, 10);
  r.run(4999);
  assert.equal(r.io.inputs[0]!.reported, 1);
  r.run(1);
  assert.equal(r.io.inputs[0]!.reported, 0);
  const off = rig({ "IO/Inputs/din3/Latching/Enabled": "yes", "IO/Inputs/din3/Latching/State": "0" });
  off.host.board.setInput(IN(3), 1);
  off.run(300);
  off.host.board.setInput(IN(3), 0);
  off.host.board.setInput(IN(3), 1); // a glitch low, shorter than the debounce
  off.run(1000);
  assert.equal(off.io.inputs[2]!.latched, true);
  assert.equal(off.io.inputs[2]!.reported, 0, "held in the off state it latched on");
});

test("counts are exact for pulse trains at and above the debounce limit, and none below it", () => {
  for (const [width, expected] of [
    [20, 100],
    [35, 100],
    [19, 0],
  ] as const) {
    const r = rig({ "IO/Inputs/din1/Debounce": "20" });
    r.host.board.pulseTrain(r.host.timers, IN(1), 100, width, 60);
    r.run(10_000);
    assert.equal(r.io.inputs[0]!.count, expected, `width ${width} ms`);
  }
  const fast = rig({ "IO/Inputs/din1/Debounce": "0" });
  fast.host.board.pulseTrain(fast.host.timers, IN(1), 1000, 1, 2); // 500 Hz
  fast.run(3000);
  assert.equal(fast.io.inputs[0]!.count, 1000, "debounce 0: every pulse");
});

test("CountState 0 counts transitions into the off state", () => {
  const r = rig({ "IO/Inputs/din1/Debounce": "0", "IO/Inputs/din1/CountState": "0" });
  r.host.board.pulseTrain(r.host.timers, IN(1), 3, 5, 10);
  r.run(100);
  assert.equal(r.io.inputs[0]!.count, 3);
});

test("a 1-hour virtual run gives $HourMeter 1.00, for an input and for a relay", () => {
  const r = rig({ "IO/Inputs/din4/Debounce": "0" });
  r.host.board.setInput(IN(4), 1);
  r.io.control("close", 2);
  r.run(1_800_000);
  assert.equal(r.registry.get("IO/Inputs/din4/$HourMeter"), "0.50");
  r.run(1_800_000);
  assert.equal(r.registry.get("IO/Inputs/din4/$HourMeter"), "1.00");
  assert.equal(r.registry.get("IO/Outputs/rout2/$HourMeter"), "1.00");
  assert.equal(r.registry.get("IO/Inputs/din1/$HourMeter"), "0.00", "an input that never came on");
  r.host.board.setInput(IN(4), 0);
  r.run(3_600_000);
  assert.equal(r.registry.get("IO/Inputs/din4/$HourMeter"), "1.00", "the meter stops with the state");
});

test("UsageState 0 meters the off state; Reset Usage numbers inputs first, then relays", () => {
  const r = rig({ "IO/Inputs/din1/UsageState": "0", "IO/Outputs/rout1/UsageState": "0" });
  r.run(360_000);
  assert.equal(r.registry.get("IO/Inputs/din1/$HourMeter"), "0.10");
  assert.equal(r.registry.get("IO/Outputs/rout1/$HourMeter"), "0.10");
  r.io.resetUsage(1);
  r.io.resetUsage(9); // relay 1 on an 8-input board
  assert.equal(r.registry.get("IO/Inputs/din1/$HourMeter"), "0.00");
  assert.equal(r.registry.get("IO/Outputs/rout1/$HourMeter"), "0.00");
  assert.throws(() => r.io.resetUsage(17), /no usage meter 17: this board has 16/);
});

test("$HourMeter is announced every hundredth of an hour, not on every edge", () => {
  const r = rig({ "IO/Inputs/din1/Debounce": "0" });
  const announced: string[] = [];
  r.registry.watch("IO/Inputs/din1/$HourMeter", (c) => announced.push(r.host.clock.monotonic() + " " + c[0]!.value));
  r.host.board.pulseTrain(r.host.timers, IN(1), 100_000, 10, 20); // a busy input, on half the time: 9,000 edges
  r.run(180_000);
  // the meters are saved and announced on a 36 s tick; on half the time, the input adds 0.01 h every 72 s
  assert.deepEqual(announced, ["36000 0.00", "72000 0.01", "144000 0.02"]);
});

test("Close with Duration 500 makes exactly two state changes, 500 ms apart", () => {
  const r = rig();
  r.run(1000);
  r.io.control("close", 3, 500);
  r.run(2000);
  assert.deepEqual(r.events, ["1000 output3=1", "1500 output3=0"]);
  assert.equal(r.host.board.outputLevel(OUT(3)), 0);
});

test("pulses: re-triggering extends, a plain command cancels the return, Toggle and Open pulse too", () => {
  const r = rig();
  r.io.control("close", 1, 500);
  r.run(300);
  r.io.control("close", 1, 500); // re-trigger at 300: returns at 800
  r.run(499);
  assert.equal(r.io.outputs[0]!.level, 1);
  r.run(1);
  assert.equal(r.io.outputs[0]!.level, 0);
  r.io.control("close", 2, 500);
  r.io.control("close", 2); // permanent now
  r.run(5000);
  assert.equal(r.io.outputs[1]!.level, 1);
  r.io.control("toggle", 2, 100); // closed -> open for 100 ms
  assert.equal(r.io.outputs[1]!.level, 0);
  r.run(100);
  assert.equal(r.io.outputs[1]!.level, 1);
  r.io.control("open", 2, 50);
  r.run(49);
  assert.equal(r.io.outputs[1]!.level, 0);
  r.run(1);
  assert.equal(r.io.outputs[1]!.level, 1);
  r.io.control("close", 2, 500); // already closed: nothing to pulse
  assert.equal(r.io.outputs[1]!.pulsing, false);
});

test("commands with a bad channel or duration are refused clearly", () => {
  const r = rig();
  assert.throws(() => r.io.control("close", 0), /no relay 0: this board has 8 \(1 to 8\)/);
  assert.throws(() => r.io.control("close", 9), /no relay 9/);
  assert.throws(() => r.io.control("close", 1.5), /no relay 1\.5/);
  assert.throws(() => r.io.control("close", 1, -5), /duration must be 0 to 86400000 ms/);
  assert.throws(() => r.io.control("close", 1, 86_400_001), /duration/);
  assert.throws(() => r.io.resetLatch(9), /no input 9/);
  const relays = rig({}, findBoard("esp32-relay-x8")!);
  assert.throws(() => relays.io.resetCounter(1), /this board has no inputs/);
});

test("InitialState across a reboot: 0 closes, a positive value pulses, unset stays open", () => {
  let r = rig({ "IO/Outputs/rout1/InitialState": "0", "IO/Outputs/rout2/InitialState": "300", "IO/Outputs/rout3/InitialState": "-1" });
  assert.deepEqual(r.io.outputs.map((o) => o.level), [0, 0, 0, 0, 0, 0, 0, 0], "InitialState acts at boot, not when written");
  r = r.reboot();
  assert.deepEqual(r.io.outputs.slice(0, 4).map((o) => o.level), [1, 1, 0, 0]);
  assert.equal(r.host.board.outputLevel(OUT(1)), 1);
  r.run(300);
  assert.deepEqual(r.io.outputs.slice(0, 4).map((o) => o.level), [1, 0, 0, 0]);
  assert.deepEqual(r.events, ["300 output2=0"]);
});

test("counters survive a power cut within the 30 s coalescing window; newer counts may be lost", () => {
  const flash = new MemoryFlash();
  const r = rig({ "IO/Inputs/din1/Debounce": "0" }, JNIOR, flash);
  r.host.board.pulseTrain(r.host.timers, IN(1), 10, 5, 10);
  r.run(30_000); // the counts reach flash
  r.host.board.pulseTrain(r.host.timers, IN(1), 5, 5, 10);
  r.run(100);
  assert.equal(r.io.inputs[0]!.count, 15);
  flash.cut(); // no time to flush the last five
  flash.restore();
  const after = rig({}, JNIOR, flash);
  assert.equal(after.io.inputs[0]!.count, 10);
  after.host.board.pulseTrain(after.host.timers, IN(1), 3, 5, 10);
  after.run(30_000);
  flash.cut();
  flash.restore();
  assert.equal(rig({}, JNIOR, flash).io.inputs[0]!.count, 13, "counting goes on from the restored value");
});

test("a planned shutdown keeps everything: counts and meters are flushed on close", () => {
  const flash = new MemoryFlash();
  let r = rig({ "IO/Inputs/din1/Debounce": "0" }, JNIOR, flash);
  r.host.board.setInput(IN(1), 1);
  r.run(72_000);
  r = r.reboot();
  assert.equal(r.io.inputs[0]!.count, 1);
  assert.equal(r.registry.get("IO/Inputs/din1/$HourMeter"), "0.02");
});

test("Inversion, Conditioning and Debounce apply live, from registry writes", () => {
  const r = rig({ "IO/Inputs/din1/Debounce": "0" });
  assert.equal(r.io.inputs[0]!.reported, 0);
  r.registry.write({ "IO/Inputs/din1/Inversion": "enabled" });
  assert.equal(r.io.inputs[0]!.reported, 1, "an inverted off input reads on");
  assert.equal(r.io.inputs[0]!.count, 1, "and that is a counted transition, as JANOS counts the inverted signal");
  r.registry.write({ "IO/Inputs/din1/Conditioning": "2" });
  assert.equal(r.io.inputs[0]!.reported, 0, "forced off");
  r.host.board.setInput(IN(1), 1);
  r.host.board.setInput(IN(1), 0);
  assert.equal(r.io.inputs[0]!.count, 2, "conditioning does not change counting");
  r.registry.write({ "IO/Inputs/din1/Conditioning": "3", "IO/Inputs/din1/Inversion": "false" });
  assert.equal(r.io.inputs[0]!.reported, 1, "forced on");
  r.registry.write({ "IO/Inputs/din1/Conditioning": "1" });
  assert.equal(r.io.inputs[0]!.reported, 1, "inverted: the off input reports on");
  r.registry.write({ "IO/Inputs/din1/Conditioning": "0", "IO/Inputs/din1/Debounce": "100" });
  r.host.board.setInput(IN(1), 1);
  r.run(99);
  assert.equal(r.io.inputs[0]!.reported, 0);
  r.registry.write({ "IO/Inputs/din1/Debounce": "50" }); // the pending transition is judged by the new window
  assert.equal(r.io.inputs[0]!.reported, 1);
});

test("the I/O keys are validated; the IO node refuses keys it does not define", () => {
  const r = rig();
  assert.throws(() => r.registry.write({ "IO/Inputs/din1/Debounce": "-1" }), /must be an integer from 0 to 60000/);
  assert.throws(() => r.registry.write({ "IO/Inputs/din9/Debounce": "10" }), /not a key the I\/O service defines/);
  assert.throws(() => r.registry.write({ "IO/Outputs/rout1/InitialState": "soon" }), /must be an integer from -1/);
  assert.throws(() => r.registry.write({ "IO/Inputs/din1/$Counter": "5" }), /live value/);
  assert.equal(r.registry.get("IO/Inputs/din3/Desc"), "Digital Input 3");
  assert.equal(r.registry.get("IO/Outputs/rout2/Desc"), "Relay Output 2");
  assert.equal(r.registry.get("IO/Outputs/rout2/OnDesc"), "Closed");
});

test("active-low wiring: an opto input reads on when its pin is low; an active-low relay is driven low to close", () => {
  const profile: BoardProfile = { name: "t", model: "410", description: "", inputs: [{ pin: 5, activeLow: true }], outputs: [{ pin: 6, activeLow: true }] };
  const r = rig({ "IO/Inputs/din1/Debounce": "0" }, profile);
  assert.equal(r.host.board.outputLevel(6), 1, "open at boot: driven high");
  assert.equal(r.io.inputs[0]!.reported, 1, "pin low at boot: on");
  r.host.board.setInput(5, 1);
  assert.equal(r.io.inputs[0]!.reported, 0);
  r.io.control("close", 1);
  assert.equal(r.host.board.outputLevel(6), 0);
});

test("change listeners hear (kind, channel); one that throws is logged and the rest still hear", () => {
  const r = rig({ "IO/Inputs/din2/Debounce": "0" });
  r.io.onChange(() => {
    throw new Error("listener bug");
  });
  r.host.board.setInput(IN(2), 1);
  r.io.control("toggle", 5);
  r.io.resetCounter(2);
  assert.deepEqual(r.events, ["0 input2=1/1", "0 output5=1", "0 input2=1/0"]);
  assert.ok(r.host.logs.some((l) => /a listener failed: listener bug/.test(l.message)));
});
