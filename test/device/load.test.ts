/**
 * The device image under load, inside its fixed heap (manifest.json: 4,928 slots): every client it
 * admits at once, a burst of input edges, a registry filled to its key limit, and a flood of failed
 * logins. Nothing may abort, and nothing may leak: each scenario runs twice, and once its clients
 * are gone the second round must leave the heap where the first left it (the first may leave state
 * that is meant to stay: a setting written, a counter waiting for its flush to flash).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { authDigest, JmpClient, type E2eClient, type Json } from "../node/janos-clients.ts";
import { admin, ADMIN, bootDevice, sleep } from "./fixture.ts";
import { DEVICE_PORTS, type DeviceSim, type Heap } from "./mcsim.ts";

let device: DeviceSim;

before(async () => {
  device = await bootDevice();
  const idle = await device.heap();
  process.stdout.write(`# idle: ${idle.slots} slots, ${idle.chunks} B of chunks\n`);
});

const input = (m: Json, n: number): { State: number; Count: number } => (m.Inputs as { State: number; Count: number }[])[n - 1]!;

/** Slots a round may leave beyond the one before: a few, for what the collector has not had a turn to see (a closing socket's last callbacks). */
const LEAK_TOLERANCE = 8;

/**
 * Runs `round` twice; after each, once its clients have gone (give them a moment to close), reads
 * the heap; fails when the second round left more than the first.
 */
async function twice(what: string, round: () => Promise<void>): Promise<void> {
  const after: Heap[] = [];
  for (let r = 0; r < 2; r++) {
    await round();
    let h = await device.heap();
    for (let i = 0; i < 20 && r === 1 && h.slots > after[0]!.slots + LEAK_TOLERANCE; i++) {
      await sleep(250);
      h = await device.heap();
    }
    after.push(h);
  }
  process.stdout.write(`# ${what}, after each of two rounds: ${after[0]!.slots} and ${after[1]!.slots} slots, ${after[0]!.chunks} and ${after[1]!.chunks} B of chunks\n`);
  assert.ok(after[1]!.slots <= after[0]!.slots + LEAK_TOLERANCE, `${what}: the second round left ${after[1]!.slots} slots, the first ${after[0]!.slots}`);
}

function rawRequest(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const s = net.connect(DEVICE_PORTS.http, "127.0.0.1", () => s.write("GET /status HTTP/1.1\r\nHost: device\r\n\r\n"));
    s.on("data", (d) => (text += d));
    s.on("close", () => resolve(text));
    s.on("error", reject);
    s.setTimeout(5000, () => s.destroy(new Error("no answer")));
  });
}

test("8 WebSocket clients at the connection limit, all live; the 9th connection gets 503; nothing leaks", async () => {
  await twice("8 WebSocket clients", eightClients);
});

async function eightClients(): Promise<void> {
  const clients: E2eClient[] = [];
  for (let i = 0; i < 8; i++) clients.push(await admin("ws"));
  const full = await device.heap();
  process.stdout.write(`# 8 WebSocket clients: ${full.slots} slots, ${full.chunks} B of chunks\n`);
  assert.match(await rawRequest(), /^HTTP\/1\.1 503 /);
  const set = clients[0]!.next("Registry Response");
  clients[0]!.send({ Message: "Registry Write", Keys: { "IO/Inputs/din5/Debounce": "0" } });
  await set;
  const next = 1 - input(clients[0]!.messages.findLast((m) => m.Message === "Monitor")!, 5).State;
  const monitors = clients.map((c) => c.waitFor((m) => m.Message === "Monitor" && input(m, 5).State === next, 5000, c.messages.length));
  await device.command(`input 5 ${next}`);
  await Promise.all(monitors);
  for (const c of clients) c.close();
  await sleep(300);
}

test("a burst of 1,000 input edges to 4 WebSocket and 4 JMP clients: every count arrives, nothing aborts, nothing leaks", async () => {
  await twice("a burst of edges to 8 clients", burst);
});

async function burst(): Promise<void> {
  const clients: E2eClient[] = [];
  for (let i = 0; i < 8; i++) clients.push(await admin(i % 2 ? "jmp" : "ws"));
  const set = clients[0]!.next("Registry Response");
  clients[0]!.send({ Message: "Registry Write", Keys: { "IO/Inputs/din1/Debounce": "0" } });
  await set;
  const before = input(clients[0]!.messages.findLast((m) => m.Message === "Monitor")!, 1).Count;
  const counted = clients.map((c) => c.waitFor((m) => m.Message === "Monitor" && input(m, 1).Count === before + 1000, 30_000, c.messages.length));
  await device.command("edges 1 2000"); // 1,000 rising edges in one turn
  await Promise.all(counted);
  const busy = await device.heap();
  process.stdout.write(`# after the burst, 8 clients: ${busy.slots} slots, ${busy.chunks} B of chunks\n`);
  for (const c of clients) c.close();
  await sleep(300);
}

test("the registry filled to its key limit: refused past it with a reason, every key readable, the heap inside the budget", async () => {
  const w = await admin("ws");
  let written = 0;
  let refusal = "";
  for (let batch = 0; !refusal && batch < 100; batch++) {
    const keys: Record<string, string> = {};
    for (let i = 0; i < 40; i++) keys[`AppData/Load/k${String(written + i).padStart(4, "0")}`] = "v" + (written + i);
    const answer = w.waitFor((m) => m.Message === "Registry Response" || m.Message === "Error", 10_000, w.messages.length);
    w.send({ Message: "Registry Write", Keys: keys });
    const a = await answer;
    if (a.Message === "Error") refusal = JSON.stringify(a);
    else written += 40;
  }
  assert.match(refusal, /holds at most \d+ keys/, "the write past the limit is refused with the reason");
  const full = await device.heap();
  process.stdout.write(`# registry with ${written} more keys: ${full.slots} slots, ${full.chunks} B of chunks\n`);
  const read = w.next("Registry Response");
  w.send({ Message: "Registry Read", Keys: ["AppData/Load/k0000", `AppData/Load/k${String(written - 1).padStart(4, "0")}`] });
  assert.deepEqual((await read).Keys, { "AppData/Load/k0000": "v0", [`AppData/Load/k${String(written - 1).padStart(4, "0")}`]: "v" + (written - 1) });
  // a further client still fits beside the full registry
  const j = await admin("jmp");
  j.close();
  w.close();
  await sleep(300); // gone from the device too, before the next test counts connections
});

test("a flood of failed logins from 15 JMP connections: held back by the limiter, nothing leaks; another address logs in meanwhile", async () => {
  let round = 0;
  await twice("15 connections failing logins", () => flood(round++ === 0));
});

/** `first`: the limiter has not heard of the address yet, so the first failures are answered at once. */
async function flood(first: boolean): Promise<void> {
  const flooders: JmpClient[] = [];
  for (let i = 0; i < 15; i++) {
    // from another address to the login limiter; more than the unit's 11 inbound slots, so the
    // newest push out the oldest (none of them has logged in), and so does the administrator's
    const c = new JmpClient(DEVICE_PORTS.jmp, "127.0.0.1", "127.0.0.2");
    await c.connected;
    flooders.push(c);
  }
  let failures = 0;
  const attempts = flooders.map(async (c) => {
    let from = 0;
    c.send({ Message: "" });
    for (let attempt = 0; attempt < 5; attempt++) {
      const e = await c.waitFor((m) => m.Message === "Error", 8000, from).catch(() => undefined);
      if (!e?.Nonce) return; // held back past the wait, or cut off (429)
      from = c.messages.indexOf(e) + 1;
      if (attempt > 0) failures++;
      c.send({ "Auth-Digest": authDigest(ADMIN.name, "guess-" + attempt, e.Nonce as string) });
    }
  });
  // meanwhile, from 127.0.0.1, the right password works at once
  const started = Date.now();
  const ok = await admin("jmp");
  assert.ok(Date.now() - started < 2000, "another address is not held back");
  ok.close();
  await Promise.all(attempts);
  const during = await device.heap();
  process.stdout.write(`# 15 JMP connections failing logins: ${during.slots} slots, ${during.chunks} B of chunks; ${failures} failures answered\n`);
  assert.ok(failures < 15 * 4 && (!first || failures >= 3), `the limiter held the flood back: ${failures} of ${15 * 4} failures answered within the wait`);
  assert.match(device.log, /login as "jnior" failed/);
  for (const c of flooders) c.close();
  await sleep(300);
}
