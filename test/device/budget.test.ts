/**
 * The device image's connection budget (src/connection-budget.ts, DEVICE_BUDGET: 11 inbound slots
 * and one for MQTT, within the 16 TCP connections the manifest's sdkconfig gives lwIP): sockets that
 * never log in cannot lock out a login; with every slot logged in, the next connection gets 503, and
 * once one leaves a login works again.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { DEVICE_BUDGET } from "../../src/connection-budget.ts";
import { JmpClient } from "../node/janos-clients.ts";
import { admin, bootDevice, sleep } from "./fixture.ts";
import { DEVICE_PORTS, type DeviceSim } from "./mcsim.ts";

const INBOUND = DEVICE_BUDGET.slots - DEVICE_BUDGET.outbound;
let device: DeviceSim;

before(async () => {
  device = await bootDevice();
});

/** A TCP connection that says nothing; resolves once connected, and records when the device closes it. */
function silent(port: number): Promise<{ socket: net.Socket; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let closed = false;
    const socket = net.connect(port, "127.0.0.1", () => resolve({ socket, closed: () => closed }));
    socket.on("close", () => (closed = true));
    socket.on("error", reject);
  });
}

function get(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const s = net.connect(DEVICE_PORTS.http, "127.0.0.1", () => s.write(`GET ${path} HTTP/1.1\r\nHost: device\r\n\r\n`));
    s.on("data", (d) => (text += d));
    s.on("close", () => resolve(text));
    s.on("error", reject);
    s.setTimeout(5000, () => s.destroy(new Error("no answer")));
  });
}

test(`${INBOUND} silent sockets fill the unit: a login still gets in, the oldest of them closed to make room`, async () => {
  const idle = [];
  for (let i = 0; i < INBOUND; i++) idle.push(await silent(i % 2 ? DEVICE_PORTS.jmp : DEVICE_PORTS.http));
  await sleep(200);
  assert.equal(idle.filter((c) => c.closed()).length, 0, "they fit");
  const started = Date.now();
  const c = await admin("ws");
  assert.ok(Date.now() - started < 3000, "at once");
  await sleep(200);
  assert.equal(idle[0]!.closed(), true, "the oldest made room");
  assert.match(device.log, /connections: http 127\.0\.0\.1:\d+ had not logged in; closed to make room for http /);
  c.close();
  for (const s of idle) s.socket.destroy();
  await sleep(500);
});

test(`${INBOUND} logged-in clients: the next connection gets 503, over HTTP and JMP; once one leaves, a login works`, async () => {
  const held = [];
  for (let i = 0; i < INBOUND; i++) held.push(await admin("jmp"));
  const page = await get("/status");
  assert.match(page, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
  assert.match(page, /\r\nRetry-After: 5\r\n/);
  const refused = new JmpClient(DEVICE_PORTS.jmp);
  await refused.connected;
  const error = await refused.waitFor((m) => m.Message === "Error", 5000);
  assert.equal(error.Text, "503 Service Unavailable");
  assert.match(String(error.Detail), /every connection slot of the unit is held by a logged-in client/);
  await refused.whenClosed(5000);
  assert.match(device.log, /all 11 inbound slots are held by logged-in connections/);

  held.pop()!.close();
  await sleep(300);
  const again = await admin("ws");
  assert.equal(again.messages.some((m) => m.Message === "Authenticated"), true);
  const heap = await device.heap();
  process.stdout.write(`# ${INBOUND} logged-in clients (the budget full): ${heap.slots} slots, ${heap.chunks} B of chunks\n`);
  again.close();
  for (const c of held) c.close();
  await sleep(300);
});
