/** Driving the simulated board from the control API and from the console of `npm start`. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { buildSim } from "../../hosts/build/build.ts";
import { runToExit, start, tempDir } from "./sim-process.ts";
import { digestFetch } from "./web-client.ts";

before(async () => {
  await buildSim();
});

async function post(port: number, url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`http://127.0.0.1:${port}${url}`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

const PASSWORD = "Control-test-1";

async function status(sim: { ports: Record<string, number> }): Promise<{ inputs: { state: number; count: number }[]; outputs: { state: number }[] }> {
  return (await (await digestFetch(`http://127.0.0.1:${sim.ports.http}/status`, "jnior", PASSWORD)).json()) as never;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test("the control API switches inputs and runs pulse trains; the device sees them through its I/O pipeline", async () => {
  const sim = await start(["--http-port", "0", "--https-port", "0", "--data", tempDir(), "--password", PASSWORD, "--set", "IO/Inputs/din2/Debounce=0"]);
  try {
    assert.ok(sim.ports.control! > 0, "the ready line names the control port");
    const board = await (await fetch(`http://127.0.0.1:${sim.ports.control}/board`)).json();
    assert.deepEqual(board, { inputs: [0, 0, 0, 0, 0, 0, 0, 0], outputs: [0, 0, 0, 0, 0, 0, 0, 0] });
    const on = await post(sim.ports.control!, "/inputs/1", { on: true });
    assert.equal(on.status, 200);
    assert.deepEqual((on.json.inputs as number[])[0], 1);
    await sleep(300); // past the 200 ms debounce
    assert.deepEqual((await status(sim)).inputs[0], { state: 1, count: 1 });
    const train = await post(sim.ports.control!, "/inputs/2/pulses", { count: 5, width: 10, period: 30 });
    assert.deepEqual(train, { status: 202, json: { durationMs: 130 } });
    await sleep(400);
    assert.deepEqual((await status(sim)).inputs[1], { state: 0, count: 5 });
  } finally {
    await sim.stop();
  }
});

test("the control API refuses bad requests with a reason and listens on loopback only", async () => {
  const sim = await start(["--http-port", "0", "--https-port", "0", "--data", tempDir(), "--host", "0.0.0.0"]);
  try {
    const port = sim.ports.control!;
    assert.deepEqual(await post(port, "/inputs/9", { on: true }), { status: 400, json: { error: "no input 9: jnior-410 has inputs 1 to 8" } });
    assert.deepEqual(await post(port, "/inputs/1", { on: "yes" }), { status: 400, json: { error: 'give {"on": true} or {"on": false}' } });
    assert.deepEqual(await post(port, "/inputs/1", "not json"), { status: 400, json: { error: "the body is not JSON" } });
    assert.deepEqual(await post(port, "/inputs/1", [true]), { status: 400, json: { error: "the body must be a JSON object" } });
    assert.equal((await post(port, "/inputs/1/pulses", { count: 0, width: 5, period: 10 })).status, 400);
    assert.equal((await post(port, "/inputs/1/pulses", { count: 3, width: 10, period: 10 })).json.error, "need 0 < width < period");
    assert.equal((await fetch(`http://127.0.0.1:${port}/nothing`)).status, 404);
    // Linux routes all of 127/8 to lo: a socket bound to 127.0.0.1 refuses 127.0.0.2, one bound to 0.0.0.0 takes it
    assert.equal((await fetch(`http://127.0.0.2:${sim.ports.http}/status`)).status, 401, "the device listens everywhere (--host 0.0.0.0), and asks for a login");
    await assert.rejects(fetch(`http://127.0.0.2:${port}/board`), /fetch failed/, "the control API does not");
  } finally {
    await sim.stop();
  }
});

test("console commands on standard input drive the board and report errors clearly", async () => {
  const sim = await start(["--http-port", "0", "--https-port", "0", "--data", tempDir(), "--board", "jnior-412"]);
  try {
    assert.match(sim.stdout(), /board jnior-412: 4 inputs, 12 relays; control API http:\/\/127\.0\.0\.1:\d+\/board; type help/);
    assert.match(await sim.command("help"), /in N on\|off/);
    assert.equal(await sim.command("in 3 on"), "input 3 on\n");
    assert.equal(await sim.command("state"), "inputs 0010  relays 000000000000\n");
    assert.equal(await sim.command("pulse 1 3 10 20"), "input 1: 3 pulses over 50 ms\n");
    assert.equal(await sim.command("in 5 on"), "error: no input 5: jnior-412 has inputs 1 to 4\n");
    assert.equal(await sim.command("in 1 maybe"), 'error: in N on|off (got "maybe")\n');
    assert.equal(await sim.command("pulse 1 x 10 20"), 'error: count must be a whole number (got "x")\n');
    assert.equal(await sim.command("fly"), 'error: unknown command "fly"; try help\n');
  } finally {
    await sim.stop();
  }
});

test("--board takes a JSON profile; a bad one is refused naming the file and field", async () => {
  const dir = tempDir();
  const good = path.join(dir, "mine.json");
  fs.writeFileSync(good, JSON.stringify({ name: "my-board", model: "410", inputs: [{ pin: 34, activeLow: true }], outputs: [16, 17] }));
  const sim = await start(["--http-port", "0", "--https-port", "0", "--data", dir, "--password", PASSWORD, "--board", good, "--set", "IO/Inputs/din1/Debounce=0"]);
  try {
    const s = await status(sim);
    assert.deepEqual([s.inputs.length, s.outputs.length], [1, 2]);
    assert.deepEqual(s.inputs[0], { state: 1, count: 0 }, "active-low: its simulated pin starts low, so the input reads on");
    await post(sim.ports.control!, "/inputs/1", { on: false }); // drives the pin high
    assert.deepEqual((await status(sim)).inputs[0], { state: 0, count: 0 });
    assert.deepEqual(((await (await fetch(`http://127.0.0.1:${sim.ports.control}/board`)).json()) as { inputs: number[] }).inputs, [0]);
  } finally {
    await sim.stop();
  }
  const bad = path.join(dir, "bad.json");
  fs.writeFileSync(bad, JSON.stringify({ name: "b", outputs: [{ pin: "two" }] }));
  const r = await runToExit(["--data", dir, "--board", bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.json: outputs\[0\]\.pin: must be an integer from 0 to 255/);
  const missing = await runToExit(["--data", dir, "--board", path.join(dir, "none.json")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read .*none\.json: ENOENT/);
});
