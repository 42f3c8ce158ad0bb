/**
 * MQTT end to end: the built simulator as a process against a real mosquitto, watched and driven
 * with mosquitto_sub and mosquitto_pub. The simulated board is driven through its control API.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { buildSim } from "../../hosts/build/build.ts";
import { ensureDevCertificate } from "../../hosts/node/dev-cert.ts";
import { Mosquitto, publish, Subscriber } from "./mosquitto.ts";
import { start, tempDir, type Sim } from "./sim-process.ts";

const DEVICE = { name: "iobox", password: "Mqtt-pw-1" };
const WATCHER = { name: "watcher", password: "Watch-pw-1" };

let dir: string;
let broker: Mosquitto;
let certFile: string;
const sims: Sim[] = [];

before(async () => {
  await buildSim();
  dir = tempDir();
  const cert = ensureDevCertificate(path.join(dir, "broker-tls")); // valid for localhost and 127.0.0.1
  certFile = cert.certPath;
  broker = await Mosquitto.start({ dir, users: [DEVICE, WATCHER], tls: { certFile, keyFile: path.join(dir, "broker-tls/dev-key.pem") } });
});

after(async () => {
  for (const s of sims) await s.stop().catch(() => undefined);
});

async function device(settings: string[] = [], options: { tls?: boolean; data?: string } = {}): Promise<{ sim: Sim; prefix: string; data: string }> {
  const data = options.data ?? tempDir();
  const set = [
    "MQTT/Enabled=true",
    "MQTT/Host=127.0.0.1",
    `MQTT/Port=${options.tls ? broker.tlsPort : broker.port}`,
    `MQTT/Username=${DEVICE.name}`,
    `MQTT/Password=${DEVICE.password}`,
    "IO/Inputs/din1/Debounce=0",
    ...settings,
  ];
  if (options.tls) {
    fs.mkdirSync(path.join(data, "certs"), { recursive: true });
    fs.copyFileSync(certFile, path.join(data, "certs/mqtt-ca.pem"));
    set.push("MQTT/TLS=true", "MQTT/CAFile=certs/mqtt-ca.pem");
  }
  const sim = await start(["--http-port", "0", "--https-port", "0", "--data", data, "--password", "Admin-pw-1", ...set.flatMap((s) => ["--set", s])]);
  sims.push(sim);
  return { sim, prefix: `iobox/${serialOf(data)}`, data };
}

/** The serial number iobox derives from the unit id in its data directory (device.ts serialNumberOf). */
function serialOf(data: string): number {
  const id = fs.readFileSync(path.join(data, "unit-id"), "utf8").trim();
  return parseInt(id.slice(-7), 16);
}

async function control(sim: Sim, url: string, body: unknown): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${sim.ports.control}${url}`, { method: "POST", body: JSON.stringify(body) });
  assert.ok(r.ok, url);
}

async function board(sim: Sim): Promise<{ inputs: number[]; outputs: number[] }> {
  return (await (await fetch(`http://127.0.0.1:${sim.ports.control}/board`)).json()) as never;
}

async function until(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("with username and password: availability and states retained, an input change a retained state message, a relay command moves the relay", async () => {
  const { sim, prefix } = await device();
  const sub = new Subscriber(broker.port, WATCHER, `${prefix}/#`);
  await sub.waitFor((m) => m.topic === `${prefix}/status` && m.payload === "online");
  await sub.waitFor((m) => m.topic === `${prefix}/input/1/state` && m.retained && m.payload === "0");
  await control(sim, "/inputs/1", { on: true });
  await sub.waitFor((m) => m.topic === `${prefix}/input/1/state` && m.payload === "1");
  await sub.waitFor((m) => m.topic === `${prefix}/input/1/count` && m.payload === "1");
  const late = new Subscriber(broker.port, WATCHER, `${prefix}/input/1/state`);
  assert.equal((await late.waitFor(() => true)).retained, true, "a new subscriber gets the state retained");
  late.stop();

  publish(broker.port, WATCHER, `${prefix}/relay/3/set`, "on");
  await until(async () => (await board(sim)).outputs[2] === 1);
  await sub.waitFor((m) => m.topic === `${prefix}/relay/3/state` && m.payload === "1");
  publish(broker.port, WATCHER, `${prefix}/relay/3/pulse`, "300");
  await sub.waitFor((m) => m.topic === `${prefix}/relay/3/state` && m.payload === "0");
  sub.stop();
});

test("discovery for Home Assistant is retained, and sent again when Home Assistant announces itself", async () => {
  const { prefix, data } = await device();
  const node = `iobox_${serialOf(data)}`;
  const sub = new Subscriber(broker.port, WATCHER, `homeassistant/+/${node}/#`);
  const first = await sub.waitFor((m) => m.topic === `homeassistant/switch/${node}/rout1/config`);
  const config = JSON.parse(first.payload);
  assert.equal(config.command_topic, `${prefix}/relay/1/set`);
  const count = sub.messages.length;
  publish(broker.port, WATCHER, "homeassistant/status", "online");
  await until(() => sub.messages.slice(count).some((m) => m.topic === `homeassistant/switch/${node}/rout1/config`));
  sub.stop();
});

test("a retained command is ignored: a device that connects later is not switched by it", async () => {
  const data = tempDir();
  fs.writeFileSync(path.join(data, "unit-id"), "02000000c0de\n");
  const prefix = `iobox/${parseInt("00000c0de", 16)}`;
  publish(broker.port, WATCHER, `${prefix}/relay/1/set`, "on", { retain: true });
  const { sim } = await device([], { data });
  const sub = new Subscriber(broker.port, WATCHER, `${prefix}/status`);
  await sub.waitFor((m) => m.payload === "online");
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await board(sim)).outputs[0], 0, "the relay stayed open");
  assert.match(sim.stderr() + sim.stdout(), /ignored a retained command on .*\/relay\/1\/set/);
  publish(broker.port, WATCHER, `${prefix}/relay/1/set`, "", { retain: true }); // clear it
  sub.stop();
});

test("the Last Will: when the device dies, the broker says offline", async () => {
  const { sim, prefix } = await device();
  const sub = new Subscriber(broker.port, WATCHER, `${prefix}/status`);
  await sub.waitFor((m) => m.payload === "online");
  sim.proc.kill("SIGKILL");
  await sub.waitFor((m) => m.payload === "offline", 15_000);
  sub.stop();
});

test("broker killed and restarted: the device reconnects by itself, republishes state and discovery, and no change is lost", async () => {
  const { sim, prefix, data } = await device();
  const watch = new Subscriber(broker.port, WATCHER, `${prefix}/status`);
  await watch.waitFor((m) => m.payload === "online");
  watch.stop();
  await broker.kill();
  await control(sim, "/inputs/1", { on: true }); // changes while the broker is away
  await control(sim, "/inputs/1", { on: false });
  await control(sim, "/inputs/1", { on: true });
  await new Promise((r) => setTimeout(r, 500));
  await broker.restart(); // no persistence: the broker comes back empty
  const sub = new Subscriber(broker.port, WATCHER, "#");
  await sub.waitFor((m) => m.topic === `${prefix}/status` && m.payload === "online", 20_000);
  await sub.waitFor((m) => m.topic === `${prefix}/input/1/state` && m.payload === "1");
  await sub.waitFor((m) => m.topic === `${prefix}/input/1/count` && m.payload === "2");
  await sub.waitFor((m) => m.topic === `homeassistant/switch/iobox_${serialOf(data)}/rout1/config`);
  sub.stop();
});

test("a wrong password: a clear status, and attempts that back off", async () => {
  const mark = broker.log.length;
  const { sim } = await device([`MQTT/Password=wrong`, "MQTT/ClientId=iobox-wrong-password"]);
  await new Promise((r) => setTimeout(r, 6000));
  const output = sim.stderr() + sim.stdout();
  assert.match(output, /mqtt: refused: (bad user name or password|not authorized); retrying in \d+ s/);
  // mosquitto logs a refused client as "<unknown>"; no other client of this file is refused
  const attempts = (broker.log.slice(mark).match(/disconnected, not authorised/g) ?? []).length;
  // the waits are 1 s, 2 s, 4 s ±50%: at most 4 attempts fit in 6 s; a hot loop would make hundreds
  assert.ok(attempts >= 2 && attempts <= 4, `${attempts} attempts in 6 s: ${broker.log.slice(-400)}`);
});

test("over TLS, verifying the broker's certificate against MQTT/CAFile", async () => {
  const { prefix } = await device([], { tls: true });
  const sub = new Subscriber(broker.port, WATCHER, `${prefix}/status`);
  await sub.waitFor((m) => m.payload === "online");
  sub.stop();
});
