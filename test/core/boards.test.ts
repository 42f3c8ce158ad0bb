import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { BOARDS, findBoard, parseBoardProfile } from "../../src/boards.ts";
import { ConfigError } from "../../src/validate.ts";

test("the JNIOR virtual boards have JANOS's channel counts and models", () => {
  const counts = ["jnior-410", "jnior-412", "jnior-414"].map((n) => {
    const b = findBoard(n)!;
    return [b.model, b.inputs.length, b.outputs.length];
  });
  assert.deepEqual(counts, [
    ["410", 8, 8],
    ["412", 4, 12],
    ["414", 12, 4],
  ]);
  assert.equal(findBoard("JNIOR-410")?.name, "jnior-410");
  assert.equal(findBoard("nope"), undefined);
});

test("the ESP32 boards use pins an ESP32 can drive and read, each once, and say where their map comes from", () => {
  for (const b of BOARDS.filter((x) => !x.name.startsWith("jnior"))) {
    const pins = [...b.inputs, ...b.outputs].map((p) => p.pin);
    assert.equal(new Set(pins).size, pins.length, b.name + ": a pin used twice");
    for (const o of b.outputs) assert.ok(o.pin <= 33 && !(o.pin >= 6 && o.pin <= 11), `${b.name}: GPIO${o.pin} cannot drive a relay (flash pins 6-11, input-only 34-39)`);
    for (const i of b.inputs) assert.ok(i.pin <= 39 && !(i.pin >= 6 && i.pin <= 11), `${b.name}: GPIO${i.pin} is not an input`);
    assert.ok(b.source && b.source.length > 10, b.name + ": a source for the pin map");
    assert.ok(b.notes && b.notes.length > 0, b.name + ": strapping-pin caveats");
  }
  assert.deepEqual(findBoard("kincony-kc868-a4")!.outputs.map((p) => p.pin), [2, 15, 5, 4]);
  assert.deepEqual(findBoard("kincony-kc868-a4")!.inputs.map((p) => [p.pin, p.activeLow]), [
    [36, true],
    [39, true],
    [27, true],
    [14, true],
  ]);
  assert.deepEqual(findBoard("esp32-relay-x8")!.outputs.map((p) => p.pin), [32, 33, 25, 26, 27, 14, 12, 13]);
});

test("a board profile from JSON: plain pin numbers or pin specs, checked whole", () => {
  const b = parseBoardProfile(JSON.stringify({ name: "my-board", inputs: [34, { pin: 35, activeLow: true, pull: "up" }], outputs: [{ pin: 16 }, 17], notes: ["wired by hand"] }), "board.json");
  assert.deepEqual(b, {
    name: "my-board",
    model: "410",
    description: "",
    inputs: [{ pin: 34 }, { pin: 35, activeLow: true, pull: "up" }],
    outputs: [{ pin: 16 }, { pin: 17 }],
    notes: ["wired by hand"],
  });
});

test("bad board profiles are refused naming the file and the field", () => {
  const problem = (json: unknown): string => {
    try {
      parseBoardProfile(typeof json === "string" ? json : JSON.stringify(json), "board.json");
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.message;
    }
    return assert.fail("expected a ConfigError");
  };
  assert.match(problem("{"), /^board\.json: not valid JSON/);
  assert.match(problem({ inputs: [] }), /^board\.json: name: is required/);
  assert.match(problem({ name: "My Board" }), /name: must be a lower-case name/);
  assert.match(problem({ name: "b", model: "JNIOR" }), /model: must be a numeric model string/);
  assert.match(problem({ name: "b", inputs: [300] }), /inputs\[0\]: must be an integer from 0 to 255/);
  assert.match(problem({ name: "b", outputs: [{ gpio: 4 }] }), /outputs\[0\]\.gpio: unknown member/);
  assert.match(problem({ name: "b", outputs: [{ pin: 4, activeLow: "yes" }] }), /outputs\[0\]\.activeLow: must be true or false/);
  assert.match(problem({ name: "b", inputs: [{ pin: 4, pull: "strong" }] }), /inputs\[0\]\.pull: must be "up", "down" or "none"/);
  assert.match(problem({ name: "b", inputs: [4], outputs: [4] }), /outputs\[0\]\.pin: GPIO4 is already inputs\[0\]/);
  assert.match(problem({ name: "b", outputs: Array.from({ length: 33 }, (_, i) => i) }), /outputs: at most 32 channels/);
  assert.match(problem({ name: "b", colour: "red" }), /colour: unknown member/);
});
