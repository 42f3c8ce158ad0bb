/**
 * The device image under load, inside its fixed heap (manifest.json: 4,928 slots): every client it
 * admits at once, a burst of input edges, a registry filled to its key limit, and a flood of failed
 * logins. Nothing may abort; the heap must come back to where it was once the clients are gone.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { authDigest, JmpClient, type E2eClient, type Json } from "../node/janos-clients.ts";
import { admin, ADMIN, bootDevice, sleep } from "./fixture.ts";
import { DEVICE_PORTS, type DeviceSim, type Heap } from "./mcsim.ts";

let device: DeviceSim;
let idle: Heap;

before(async () => {
  device = await bootDevice();
  idle = await device.heap();
  process.stdout.write(`# idle: ${idle.slots} slots, ${idle.chunks} B of chunks\n`);
});

const input = (m: Json, n: number): { State: number; Count: number } => (m.Inputs as { State: number; Count: number }[])[n - 1]!;

/** Waits until the heap is back near `idle`, or fails saying what is left. */
async function settled(what: string): Promise<Heap> {
  let h = await device.heap();
  for (let i = 0; i < 40 && h.slots > idle.slots + 48; i++) {
    await sleep(250);
    h = await device.heap();
  }
  assert.ok(h.slots <= idle.slots + 48, `${what}: ${h.slots} slots live after the clients left, ${idle.slots} before`);
  return h;
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

test("8 WebSocket clients at the connection limit, all live; the 9th connection gets 503; the heap returns to idle", async () => {
  const clients: E2eClient[] = [];
  for (let i = 0; i < 8; i++) clients.push(await admin("ws"));
  const full = await device.heap();
  process.stdout.write(`# 8 WebSocket clients: ${full.slots} slots, ${full.chunks} B of chunks\n`);
  assert.match(await rawRequest(), /^HTTP\/1\.1 503 /);
  const set = clients[0]!.next("Registry Response");
  clients[0]!.send({ Message: "Registry Write", Keys: { "IO/Inputs/din5/Debounce": "0" } });
  await set;
  const monitors = clients.map((c) => c.waitFor((m) => m.Message === "Monitor" && input(m, 5).State === 1, 5000, c.messages.length));
  await device.command("input 5 1");
  await Promise.all(monitors);
  for (const c of clients) c.close();
  await settled("8 WebSocket clients");
});

test("a burst of 1,000 input edges to 4 WebSocket and 4 JMP clients: every count arrives, nothing aborts", async () => {
  const clients: E2eClient[] = [];
  for (let i = 0; i < 8; i++) clients.push(await admin(i % 2 ? "jmp" : "ws"));
  const set = clients[0]!.next("Registry Response");
  clients[0]!.send({ Message: "Registry Write", Keys: { "IO/Inputs/din1/Debounce": "0" } });
  await set;
  const counted = clients.map((c) => c.waitFor((m) => m.Message === "Monitor" && input(m, 1).Count === 1000, 30_000, c.messages.length));
  await device.command("edges 1 2000"); // 1,000 rising edges in one turn
  await Promise.all(counted);
  const busy = await device.heap();
  process.stdout.write(`# after the burst, 8 clients: ${busy.slots} slots, ${busy.chunks} B of chunks\n`);
  for (const c of clients) c.close();
  await settled("the burst");
});

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
});

test("a flood of failed logins from 15 JMP connections: held back by the limiter, and the heap returns; another address logs in meanwhile", async () => {
  const before = await device.heap();
  const flooders: JmpClient[] = [];
  for (let i = 0; i < 15; i++) {
    // from another address to the login limiter; the 16th of JMP's connections is for the administrator
    const c = new JmpClient(DEVICE_PORTS.jmp, "127.0.0.1", "127.0.0.2");
    await c.connected;
    flooders.push(c);
  }
  let failures = 0;
  const flood = flooders.map(async (c) => {
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
  await Promise.all(flood);
  const during = await device.heap();
  process.stdout.write(`# 15 JMP connections failing logins: ${during.slots} slots, ${during.chunks} B of chunks; ${failures} failures answered\n`);
  assert.ok(failures >= 3 && failures < 15 * 4, `the limiter held the flood back: ${failures} of ${15 * 4} failures answered within the wait`);
  assert.match(device.log, /login as "jnior" failed/);
  for (const c of flooders) c.close();
  idle = before;
  await settled("the failed logins");
});
