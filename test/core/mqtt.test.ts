import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { MEMORY_HOST_ADDRESS } from "../../sim/memory-net.ts";
import { TestBroker } from "../../sim/mqtt-broker.ts";
import { board, bootDevice, USERS, type DeviceFixture } from "./device-fixture.ts";

const PORT = 1883;
/** The broker's name resolves to the memory network's one host (where the test broker listens). */
const NAMES = { "broker.local": MEMORY_HOST_ADDRESS };
const P = "iobox/11259375"; // the fixture's serial number, 0xabcdef

async function setup(options: { settings?: [string, string][]; credentials?: boolean } = {}): Promise<{ f: DeviceFixture; broker: TestBroker }> {
  const f = await bootDevice({
    net: { names: NAMES },
    settings: [
      ["MQTT/Enabled", "true"],
      ["MQTT/Host", "broker.local"],
      ["MQTT/Username", "iobox"],
      ["MQTT/Password", "mqtt-pw"],
      ["IO/Inputs/din1/Debounce", "0"],
      ...(options.settings ?? []),
    ],
  });
  const broker = new TestBroker(f.host, PORT, options.credentials === false ? undefined : { username: "iobox", password: "mqtt-pw" });
  await broker.start();
  await f.run(5000); // the first attempt found no broker: it retries within 2 s
  return { f, broker };
}

const statusOf = (f: DeviceFixture): string => f.device.registry.get("MQTT/$Status") ?? "";

test("it connects with credentials, and publishes availability, discovery and every state, retained", async () => {
  const { f, broker } = await setup();
  assert.match(statusOf(f), /^connected to broker\.local:1883$/);
  assert.deepEqual(broker.retained.get(`${P}/status`)?.payload, "online");
  assert.equal(broker.retained.get(`${P}/input/1/state`)?.payload, "0");
  assert.equal(broker.retained.get(`${P}/input/8/count`)?.payload, "0");
  assert.equal(broker.retained.get(`${P}/relay/3/state`)?.payload, "0");
  const sw = JSON.parse(broker.retained.get("homeassistant/switch/iobox_11259375/rout1/config")!.payload);
  assert.equal(sw.command_topic, `${P}/relay/1/set`);
  assert.equal(sw.state_topic, `${P}/relay/1/state`);
  assert.equal(sw.availability_topic, `${P}/status`);
  assert.equal(sw.unique_id, "iobox_11259375_rout1");
  assert.ok(broker.retained.has("homeassistant/binary_sensor/iobox_11259375/din8/config"));
  assert.ok(broker.retained.has("homeassistant/sensor/iobox_11259375/din1_count/config"));
  await f.stop();
});

test("an input change is a retained state and count message", async () => {
  const { f, broker } = await setup();
  f.host.board.setInput(board.inputs[0]!.pin, 1);
  await f.run(10);
  assert.deepEqual([broker.retained.get(`${P}/input/1/state`)?.payload, broker.retained.get(`${P}/input/1/count`)?.payload], ["1", "1"]);
  await f.stop();
});

test("relay commands: on, off, toggle and pulse move the relay; its state follows; a bad one is answered on /error", async () => {
  const { f, broker } = await setup();
  const pin = board.outputs[1]!.pin;
  broker.publish(`${P}/relay/2/set`, "ON");
  await f.run(10);
  assert.equal(f.host.board.outputLevel(pin), 1);
  assert.equal(broker.retained.get(`${P}/relay/2/state`)?.payload, "1");
  broker.publish(`${P}/relay/2/set`, "toggle");
  await f.run(10);
  assert.equal(f.host.board.outputLevel(pin), 0);
  broker.publish(`${P}/relay/2/pulse`, "500");
  await f.run(10);
  assert.equal(f.host.board.outputLevel(pin), 1);
  await f.run(500);
  assert.equal(f.host.board.outputLevel(pin), 0, "the pulse ended");
  broker.publish(`${P}/relay/9/set`, "on");
  broker.publish(`${P}/relay/1/set`, "maybe");
  await f.run(10);
  const errors = broker.published.filter((m) => m.topic === `${P}/error`).map((m) => JSON.parse(m.payload).error as string);
  assert.deepEqual(errors, ["no relay 9: this board has 8 (1 to 8)", 'say on, off or toggle (got "maybe")']);
  await f.stop();
});

test("a retained command is ignored: a reconnect never replays an old command", async () => {
  const f = await bootDevice({ net: { names: NAMES }, settings: [["MQTT/Enabled", "true"], ["MQTT/Host", "broker.local"]] });
  const broker = new TestBroker(f.host, PORT);
  broker.publish(`${P}/relay/1/set`, "on", { retain: true }); // stored by the broker before the device connects
  await broker.start();
  await f.run(5000);
  assert.match(statusOf(f), /^connected/);
  assert.equal(f.host.board.outputLevel(board.outputs[0]!.pin), 0);
  assert.ok(f.host.logs.some((l) => /ignored a retained command on iobox\/11259375\/relay\/1\/set/.test(l.message)));
  await f.stop();
});

test("the broker's name cannot be resolved: a clear status and retries, and it connects once the name resolves", async () => {
  const f = await bootDevice({ settings: [["MQTT/Enabled", "true"], ["MQTT/Host", "broker.local"], ["MQTT/Username", "iobox"], ["MQTT/Password", "mqtt-pw"]] });
  const broker = new TestBroker(f.host, PORT, { username: "iobox", password: "mqtt-pw" });
  await broker.start();
  await f.run(5000);
  assert.match(statusOf(f), /^cannot resolve broker\.local: .*; retrying in \d+ s$/);
  assert.equal(broker.connects, 0, "a name that does not resolve reaches no broker");
  f.host.net.names.set("broker.local", MEMORY_HOST_ADDRESS); // the DNS answers from now on
  await f.run(70_000);
  assert.match(statusOf(f), /^connected to broker\.local:1883$/);
  assert.equal(broker.retained.get(`${P}/status`)?.payload, "online");
  await f.stop();
});

test("a wrong password: a clear status and a backoff that doubles, never a hot loop", async () => {
  const { f, broker } = await setup({ settings: [["MQTT/Password", "wrong"]] });
  assert.match(statusOf(f), /^refused: bad user name or password; retrying in \d+ s$/);
  const before = broker.connects;
  await f.run(120_000);
  const attempts = broker.connects - before;
  assert.ok(attempts >= 3 && attempts <= 8, `${attempts} attempts in 2 minutes`);
  await f.stop();
});

test("the device's connection dies: the broker delivers the Last Will (offline); the client reconnects and says online", async () => {
  const { f, broker } = await setup();
  broker.dropClients();
  assert.equal(broker.retained.get(`${P}/status`)?.payload, "offline", "the Last Will");
  await f.run(3000);
  assert.match(statusOf(f), /^connected/);
  assert.equal(broker.retained.get(`${P}/status`)?.payload, "online");
  await f.stop();
});

test("broker killed and restarted: the client reconnects by itself, republishes everything, and the change made meanwhile arrives", async () => {
  const { f, broker } = await setup();
  broker.kill();
  // changes while the broker is down: several, the last leaves the input on
  for (const level of [1, 0, 1] as const) {
    f.host.board.setInput(board.inputs[0]!.pin, level);
    await f.run(10);
  }
  assert.match(statusOf(f), /retrying in/);
  const published = broker.published.length;
  await broker.start();
  await f.run(70_000);
  assert.match(statusOf(f), /^connected/);
  assert.equal(broker.retained.get(`${P}/status`)?.payload, "online");
  assert.equal(broker.retained.get(`${P}/input/1/state`)?.payload, "1");
  assert.equal(broker.retained.get(`${P}/input/1/count`)?.payload, "2");
  const states = broker.published.slice(published).filter((m) => m.topic === `${P}/input/1/state`);
  assert.ok(states.length >= 1 && states.every((m) => m.payload === "1"), "no stale intermediate state is replayed: " + JSON.stringify(states));
  assert.ok(broker.retained.has("homeassistant/switch/iobox_11259375/rout1/config"));
  await f.stop();
});

test("a broker that stops answering pings is left, and the client reconnects", async () => {
  const { f, broker } = await setup({ settings: [["MQTT/KeepAlive", "10"]] });
  broker.answerPings = false;
  const before = broker.connects;
  await f.run(16_000); // a ping after 10 s of silence, no answer within 5 s: left, and a new connection after ~1 s
  assert.ok(f.host.logs.some((l) => /mqtt: no answer to a ping in 5 s; retrying in/.test(l.message)));
  assert.equal(broker.connects, before + 1);
  assert.match(statusOf(f), /^connected/);
  await f.stop();
});

test("settings apply at once: a new prefix reconnects; disabling disconnects cleanly, without the Last Will", async () => {
  const { f, broker } = await setup();
  f.device.registry.write({ "MQTT/Prefix": "plant/7" });
  await f.run(10);
  assert.equal(broker.retained.get("plant/7/status")?.payload, "online");
  f.device.registry.write({ "MQTT/Enabled": "false" });
  await f.run(10);
  assert.equal(statusOf(f), "disabled");
  assert.equal(broker.retained.get("plant/7/status")?.payload, "online", "a clean DISCONNECT: no Last Will");
  assert.equal(broker.sessions.size, 0);
  await f.stop();
});

test("Home Assistant's birth message makes the device send discovery again", async () => {
  const { f, broker } = await setup();
  const count = (): number => broker.published.filter((m) => m.topic.endsWith("/rout1/config")).length;
  const before = count();
  broker.publish("homeassistant/status", "online");
  await f.run(10);
  assert.equal(count(), before + 1);
  await f.stop();
});

test("registry over MQTT is off by default; on, it reads (secrets masked) and writes", async () => {
  const { f, broker } = await setup();
  broker.publish(`${P}/registry/write`, JSON.stringify({ "Device/Desc": "nope" }));
  await f.run(10);
  assert.equal(f.device.registry.get("Device/Desc"), undefined);
  f.device.registry.write({ "MQTT/RegistryAccess": "true" });
  await f.run(10);
  assert.ok(f.host.logs.some((l) => l.level === "warn" && /MQTT\/RegistryAccess is on/.test(l.message)));
  broker.publish(`${P}/registry/write`, JSON.stringify({ "Device/Desc": "Pump house" }));
  broker.publish(`${P}/registry/read`, JSON.stringify(["Device/Desc", "MQTT/Password"]));
  await f.run(10);
  const responses = broker.published.filter((m) => m.topic === `${P}/registry/response`).map((m) => JSON.parse(m.payload));
  assert.deepEqual(responses, [{ Keys: { "Device/Desc": "Pump house" } }, { Keys: { "Device/Desc": "Pump house", "MQTT/Password": "********" } }]);
  await f.stop();
});

test("the MQTT password is a secret: JANOS clients read it masked, and writing the mask back keeps it", async () => {
  const { f } = await setup();
  const c = await f.loggedIn("websocket", USERS.admin);
  c.send({ Message: "Registry Read", Keys: ["MQTT/Password", "MQTT/Username"] });
  await f.run(10);
  assert.deepEqual(c.last()!.Keys, { "MQTT/Password": "********", "MQTT/Username": "iobox" });
  c.send({ Message: "Registry Write", Keys: { "MQTT/Password": "********", "MQTT/Username": "iobox" } });
  await f.run(10);
  assert.equal(f.device.registry.get("MQTT/Password"), "mqtt-pw");
  await f.stop();
});

test("a CA file larger than a certificate may be is refused by name, not read into memory", async () => {
  const f = await bootDevice({ net: { names: NAMES } });
  f.host.files.write("certs/big-ca.pem", new Uint8Array(5000).fill(0x41));
  const admin = await f.loggedIn("jmp");
  admin.send({ Message: "Registry Write", Keys: { "MQTT/Host": "broker.local", "MQTT/TLS": "true", "MQTT/CAFile": "certs/big-ca.pem", "MQTT/Enabled": "true" } });
  await f.run(100);
  assert.equal(statusOf(f), "the CA file certs/big-ca.pem is larger than 4096 bytes");
  admin.send({ Message: "Registry Write", Keys: { "MQTT/CAFile": "certs/none.pem" } });
  await f.run(100);
  assert.equal(statusOf(f), "the CA file certs/none.pem does not exist");
  await f.stop();
});

test("the MQTT client takes the budget's outbound slot, never an inbound one: with every inbound slot logged in, it connects", async () => {
  const f = await bootDevice({ net: { names: NAMES }, config: { budget: { slots: 3, outbound: 1 } } });
  const broker = new TestBroker(f.host, PORT, { username: "iobox", password: "mqtt-pw" });
  await broker.start();
  const a = await f.loggedIn("jmp");
  await f.loggedIn("websocket", USERS.op);
  a.send({ Message: "Registry Write", Keys: { "MQTT/Host": "broker.local", "MQTT/Username": "iobox", "MQTT/Password": "mqtt-pw", "MQTT/Enabled": "true" } });
  await f.run(3000);
  assert.match(statusOf(f), /^connected to broker\.local:1883$/);
  await f.stop();
});
