/**
 * MQTT from the device image in mcsim to a real mosquitto: configured over JANOS as a user would,
 * states published and retained, a relay command followed, and the broker's restart ridden out.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Json } from "../node/janos-clients.ts";
import { Mosquitto, publish, Subscriber } from "../node/mosquitto.ts";
import { admin, bootDevice } from "./fixture.ts";
import type { DeviceSim } from "./mcsim.ts";

const DEVICE = { name: "iobox", password: "Mqtt-pw-1" };
const WATCHER = { name: "watcher", password: "Watch-pw-1" };

let device: DeviceSim;
let broker: Mosquitto;

before(async () => {
  broker = await Mosquitto.start({ dir: fs.mkdtempSync(path.join(os.tmpdir(), "iobox-device-mqtt-")), users: [DEVICE, WATCHER] });
  device = await bootDevice();
});

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("configured over JANOS: the device connects, publishes retained states, and follows a relay command", async () => {
  const w = await admin("ws");
  const serial = w.next("Registry Response");
  w.send({ Message: "Registry Read", Keys: ["$SerialNumber"] });
  const prefix = `iobox/${((await serial).Keys as Json).$SerialNumber}`;
  const sub = new Subscriber(broker.port, WATCHER, `${prefix}/#`);
  try {
    const written = w.next("Registry Response");
    w.send({
      Message: "Registry Write",
      Keys: { "MQTT/Host": "127.0.0.1", "MQTT/Port": String(broker.port), "MQTT/Username": DEVICE.name, "MQTT/Password": DEVICE.password, "IO/Inputs/din2/Debounce": "0", "MQTT/Enabled": "true" },
    });
    await written;
    await sub.waitFor((m) => m.topic === `${prefix}/status` && m.payload === "online");
    await sub.waitFor((m) => m.topic === `${prefix}/relay/8/state` && m.payload === "0");

    await device.command("input 2 1");
    await sub.waitFor((m) => m.topic === `${prefix}/input/2/state` && m.payload === "1");
    await sub.waitFor((m) => m.topic === `${prefix}/input/2/count` && m.payload === "1");

    const closed = w.waitFor((m) => m.Message === "Monitor" && (m.Outputs as { State: number }[])[2]!.State === 1, 5000, w.messages.length);
    publish(broker.port, WATCHER, `${prefix}/relay/3/set`, "on");
    await closed;
    await sub.waitFor((m) => m.topic === `${prefix}/relay/3/state` && m.payload === "1");

    const status = async (): Promise<string> => {
      const r = w.next("Registry Response");
      w.send({ Message: "Registry Read", Keys: ["MQTT/$Status"] });
      return ((await r).Keys as Json)["MQTT/$Status"] as string;
    };
    assert.match(await status(), /^connected to 127\.0\.0\.1/);

    // the broker dies and comes back empty: the device reconnects by itself and says so again
    await broker.kill();
    await until(async () => !(await status()).startsWith("connected"), "the device to notice the broker is gone");
    const before = sub.messages.length;
    await broker.restart();
    sub.stop();
    const again = new Subscriber(broker.port, WATCHER, `${prefix}/#`);
    try {
      await again.waitFor((m) => m.topic === `${prefix}/status` && m.payload === "online", 30_000);
      await again.waitFor((m) => m.topic === `${prefix}/relay/3/state` && m.payload === "1");
      assert.ok(before > 0);
      assert.match(await status(), /^connected to 127\.0\.0\.1/);
    } finally {
      again.stop();
    }
  } finally {
    sub.stop();
  }
});
