/**
 * The device's RAM, measured where it is decided: the image built by Moddable's mcconfig for lin
 * (instrumented, with manifest.json's fixed heap) and run in mcsim. Figures come from the image's
 * `instrumentation` module after a forced collection (test/device/mcsim.ts): idle after boot, then
 * with MQTT connected and the page served, then 1, 4 and 8 logged-in clients (JANOS over WebSocket
 * and JMP, alternating). Slot counts are the ESP32's; chunk bytes are lin's (64-bit: its pointers and
 * array items are twice an ESP32's, strings the same), so they overstate the ESP32's.
 *
 *   npm run bench -- device
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../hosts/build/build.ts";
import { JmpClient, WsClient, type E2eClient } from "../test/node/janos-clients.ts";
import { Mosquitto } from "../test/node/mosquitto.ts";
import { digestFetch } from "../test/node/web-client.ts";
import { DEVICE_TOOLS, ensureTools } from "../test/system-tools.ts";
import { DEVICE_PORTS, DeviceSim, type Heap } from "../test/device/mcsim.ts";
import { buildImage, findSdk, imageFigures } from "../test/device/sdk.ts";
import type { Row } from "./table.ts";

/** The goals of the issue that made the image fit (README, "The device's memory"). */
const GOAL = { idleSlots: 3000, idleChunks: 40 * 1024, clientSlots: 100, clientChunks: 1024 };

const kb = (n: number): string => (n / 1024).toFixed(1) + " KB";

async function client(kind: "ws" | "jmp", password: string): Promise<E2eClient> {
  const c = kind === "ws" ? new WsClient(`ws://127.0.0.1:${DEVICE_PORTS.http}/`) : new JmpClient(DEVICE_PORTS.jmp);
  await (c instanceof WsClient ? c.opened : (c as JmpClient).connected);
  await c.login("jnior", password);
  return c;
}

export async function run(): Promise<Row[]> {
  ensureTools(DEVICE_TOOLS);
  const sdk = findSdk();
  const password = crypto.randomBytes(12).toString("base64url");
  const image = await buildImage(sdk, path.join(ROOT, "build/device-lin"), { adminPassword: password });
  const figures = imageFigures(image);
  const broker = await Mosquitto.start({ dir: fs.mkdtempSync(path.join(os.tmpdir(), "iobox-bench-mqtt-")), users: [{ name: "iobox", password: "Bench-pw-1" }] });
  const device = await DeviceSim.start(sdk, image.so);
  const clients: E2eClient[] = [];
  try {
    const idle = await device.heap();

    const admin = await client("ws", password);
    const written = admin.next("Registry Response");
    admin.send({ Message: "Registry Write", Keys: { "MQTT/Host": "127.0.0.1", "MQTT/Port": String(broker.port), "MQTT/Username": "iobox", "MQTT/Password": "Bench-pw-1", "MQTT/Enabled": "true" } });
    await written;
    for (let i = 0; i < 100 && !/connected to/.test(await mqttStatus(admin)); i++) await new Promise((r) => setTimeout(r, 50));
    admin.close();
    const page = await digestFetch(`http://127.0.0.1:${DEVICE_PORTS.http}/`, "jnior", password);
    if (page.status !== 200) throw new Error("the page: " + page.status);
    await page.arrayBuffer();
    await new Promise((r) => setTimeout(r, 300));
    const base = await device.heap();

    const at: Record<number, Heap> = {};
    for (let n = 1; n <= 8; n++) {
      clients.push(await client(n % 2 ? "ws" : "jmp", password));
      if (n === 1 || n === 4 || n === 8) at[n] = await device.heap();
    }
    const rows: Row[] = [
      { bench: "device", measure: "slots idle after boot", value: String(idle.slots), baseline: `${GOAL.idleSlots} goal`, ratio: (idle.slots / GOAL.idleSlots).toFixed(2), note: `of a ${figures.heapSlots}-slot heap (${(idle.slots / figures.heapSlots).toFixed(2)})` },
      { bench: "device", measure: "chunk bytes idle after boot (lin)", value: kb(idle.chunks), baseline: `${kb(GOAL.idleChunks)} goal`, ratio: (idle.chunks / GOAL.idleChunks).toFixed(2), note: `of ${kb(figures.chunkBytes)} on lin (${(idle.chunks / figures.chunkBytes).toFixed(2)})` },
      { bench: "device", measure: "… with MQTT connected, the page served", value: `${base.slots} slots`, note: kb(base.chunks) },
    ];
    for (const n of [1, 4, 8]) {
      const h = at[n]!;
      const slots = (h.slots - base.slots) / n;
      const chunks = (h.chunks - base.chunks) / n;
      rows.push(
        { bench: "device", measure: `${n} logged-in client${n > 1 ? "s" : ""}: slots`, value: String(h.slots), baseline: `${figures.heapSlots} heap`, ratio: (h.slots / figures.heapSlots).toFixed(2), note: `${slots.toFixed(0)} per client (goal ${GOAL.clientSlots}: ${(slots / GOAL.clientSlots).toFixed(2)})` },
        { bench: "device", measure: `${n} logged-in client${n > 1 ? "s" : ""}: chunk bytes (lin)`, value: kb(h.chunks), baseline: `${kb(figures.chunkBytes)} heap`, ratio: (h.chunks / figures.chunkBytes).toFixed(2), note: `${chunks.toFixed(0)} B per client (goal ${GOAL.clientChunks}: ${(chunks / GOAL.clientChunks).toFixed(2)})` },
      );
    }
    await new Promise((r) => setTimeout(r, 1100)); // one more of mcsim's samples of the stack
    const aliasBytes = figures.aliases * 4;
    rows.push(
      { bench: "device", measure: "XS stack peak (slots)", value: String(device.stackPeak), baseline: `${figures.stackSlots} stack`, ratio: (device.stackPeak / figures.stackSlots).toFixed(2), note: "deepest of mcsim's once-a-second samples over this run" },
      { bench: "device", measure: "image: iobox byte code (flash)", value: kb(figures.byteCode.iobox ?? 0), note: `main ${figures.byteCode.main ?? 0} B, iobox-platform ${figures.byteCode["iobox-platform"] ?? 0} B` },
      { bench: "device", measure: "image: preloaded slots (flash)", value: String(figures.preloadedSlots), note: `${figures.keys} property names` },
      { bench: "device", measure: "image: aliasable preloaded objects", value: String(figures.aliases), note: `${aliasBytes} B of RAM on an ESP32, outside the XS heap` },
    );
    if (device.problems().length) throw new Error("the device aborted:\n" + device.problems().join("\n"));
    return rows;
  } finally {
    for (const c of clients) c.close();
    await device.stop();
    await broker.kill();
  }
}

async function mqttStatus(c: E2eClient): Promise<string> {
  const r = c.next("Registry Response");
  c.send({ Message: "Registry Read", Keys: ["MQTT/$Status"] });
  return String(((await r).Keys as Record<string, unknown>)["MQTT/$Status"]);
}
