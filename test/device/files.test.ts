/**
 * Files and firmware over JANOS against the device image in mcsim: the file messages with a
 * configuration file checked whole, and a signed image through the update path (header, Moddable's
 * ECDSA, hashing, streaming to flash) into lin's file slot, which has no boot loader behind it: it
 * is installed, not booted. The heap is read mid-upload: the RAM the update path needs.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { sign } from "../../hosts/build/firmware.ts";
import type { E2eClient, Json } from "../node/janos-clients.ts";
import { admin, bootDevice } from "./fixture.ts";
import type { DeviceSim } from "./mcsim.ts";

let device: DeviceSim;

before(async () => {
  device = await bootDevice();
});

async function ask(c: E2eClient, m: Json, answer: string): Promise<Json> {
  const next = c.waitFor((x) => x.Message === answer || x.Message === "Error", 10_000, c.messages.length);
  c.send(m);
  return next;
}

async function write(c: E2eClient, file: string, text: string): Promise<Json> {
  const bytes = Buffer.from(text);
  let last: Json = {};
  for (let at = 0; at < bytes.length || at === 0; at += 2048) {
    last = await ask(c, { Message: "File Write", File: file, Size: bytes.length, Encoding: "base64", Data: bytes.subarray(at, at + 2048).toString("base64"), ...(at ? { Append: true } : {}) }, "File Write Response");
    if (last.Status !== "Succeed") break;
  }
  return last;
}

test("the file messages on the device: a config.json checked whole (a bad one refused, the good one kept), read back, keys never read, nothing outside the area", async () => {
  const c = await admin("ws");
  const config = JSON.stringify({ $schema: "x".repeat(3000), board: "jnior-412" }); // more than one 2 KB piece
  const good = await write(c, "/config.json", config);
  assert.deepEqual([good.Status, good.Applies], ["Succeed", "at the next boot"]);
  const bad = await write(c, "/config.json", '{"board":"No Such Board"}');
  assert.equal(bad.Status, "Fail");
  assert.match(String(bad.Detail), /the one before stays: config\.json: board: must be a board name/);
  const read = await ask(c, { Message: "File Read", File: "/config.json", Offset: 0, Limit: 16384 }, "File Read Response");
  assert.deepEqual([read.Status, read.Size, read.NumRead], ["Succeed", config.length, 2048], "2 KB per read on the device");
  const rest = await ask(c, { Message: "File Read", File: "/config.json", Offset: 2048 }, "File Read Response");
  assert.equal(Buffer.concat([Buffer.from(read.Data as string, "base64"), Buffer.from(rest.Data as string, "base64")]).toString(), config);
  const key = "-----BEGIN PRIVATE KEY-----\nMAMCAQE=\n-----END PRIVATE KEY-----\n";
  assert.equal((await write(c, "/certs/server-key.pem", key)).Status, "Succeed");
  assert.equal((await ask(c, { Message: "File Read", File: "/certs/server-key.pem" }, "File Read Response")).Text, "403 Forbidden");
  assert.equal((await ask(c, { Message: "File Read", File: "/users.json" }, "File Read Response")).Text, "403 Forbidden");
  const list = await ask(c, { Message: "File List", Folder: "/" }, "File List Response");
  assert.deepEqual(
    (list.Content as { Name: string }[]).map((e) => e.Name),
    ["config.json", "certs/", "files/"],
  );
  assert.equal(typeof list.BytesFree, "number", "LittleFS says how much is free");
  c.close();
});

test("a signed image through the device's update path: refused with another key, installed with the release key; the heap mid-upload", async () => {
  const key = process.env.IOBOX_DEVICE_RELEASE_KEY;
  assert.ok(key, "test/device/run.ts gives the suites the run's release key");
  const payload = new Uint8Array(crypto.randomBytes(64 * 1024));
  const good = sign({ key, payload, version: "0.2.0", board: "lin" });
  const c = await admin("ws");
  const send = async (image: Uint8Array, measure = false): Promise<Json> => {
    let last: Json = {};
    for (let at = 0; at < image.length; ) {
      last = await ask(c, { Message: "Firmware Write", Offset: at, Size: image.length, Data: Buffer.from(image.subarray(at, at + 2048)).toString("base64") }, "Firmware Write Response");
      if (last.Status !== "Succeed") return last;
      at = Number(last.Offset);
      if (measure && at >= image.length / 2 && at < image.length / 2 + 2048) {
        const heap = await device.heap();
        process.stdout.write(`# firmware upload half-way (2 KB pieces): ${heap.slots} slots, ${heap.chunks} B of chunks\n`);
      }
    }
    return last;
  };
  const idle = await device.heap();
  process.stdout.write(`# before the upload: ${idle.slots} slots, ${idle.chunks} B of chunks\n`);
  const forged = good.slice();
  forged[100]! ^= 1; // a signature that is not the key's
  const other = await send(forged);
  assert.equal(other.Status, "Fail");
  assert.match(String(other.Detail), /the signature is not the release key's/);
  const started = Date.now();
  const last = await send(good, true);
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`# ${good.length} bytes into lin's slot in ${seconds.toFixed(1)} s (${(good.length / 1024 / seconds).toFixed(0)} KB/s)\n`);
  assert.deepEqual([last.Status, last.State], ["Succeed", "installed"]);
  assert.match(device.log, /firmware: 0\.2\.0 installed; it runs after the unit restarts/);
  c.close();
});
