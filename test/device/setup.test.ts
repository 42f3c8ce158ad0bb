/**
 * Setup mode on the device image in mcsim, whose Wi-Fi the SDK simulates on lin: with no Wi-Fi
 * settings the unit opens its setup access point, serves the setup page from flash and answers the
 * captive DNS; the setup API scans, and the network chosen there is joined.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { ROOT } from "../../hosts/build/build.ts";
import { aAddress, encodeDns, parseDns, TYPE_A } from "../../src/network/dns.ts";
import { digestFetch } from "../node/web-client.ts";
import { ADMIN, BASE, bootDevice } from "./fixture.ts";
import type { DeviceSim } from "./mcsim.ts";

let device: DeviceSim;

before(async () => {
  device = await bootDevice();
});

async function json(path: string): Promise<Record<string, unknown>> {
  const r = await fetch(BASE + path);
  assert.equal(r.status, 200, path);
  return (await r.json()) as Record<string, unknown>;
}

test("without Wi-Fi settings: the setup access point opens, the setup page is served from flash, the captive DNS answers", async () => {
  assert.match(device.log, /network: setup mode: join the Wi-Fi network "iobox-[0-9a-f]{4}" with the password "[A-Za-z0-9]{12}"/);
  assert.match(device.log, /Sim AP started ssid: iobox-[0-9a-f]{4}/, "the SDK's Wi-Fi was asked for the access point");
  const page = await fetch(BASE + "/setup", { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(page.status, 200);
  const built = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, "build/ui/setup.html.gz"))).toString("utf8");
  assert.equal(await page.text(), built);
  const status = await json("/api/setup");
  assert.equal(status.state, "setup");
  assert.equal(status.needsAdministrator, false, "the build gave the administrator's password");

  const answer = await new Promise<Uint8Array>((resolve, reject) => {
    const s = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      s.close();
      reject(new Error("no answer from the captive DNS on port 53"));
    }, 3000);
    s.on("message", (m) => {
      clearTimeout(timer);
      s.close();
      resolve(new Uint8Array(m));
    });
    s.send(encodeDns({ id: 9, flags: 0x0100, questions: [{ name: "connectivitycheck.gstatic.com", type: TYPE_A }], answers: [], authorities: [], additionals: [] }), 53, "127.0.0.1");
  });
  const m = parseDns(answer);
  assert.equal(m.id, 9);
  assert.match(aAddress(m.answers[0]!.data), /^\d+\.\d+\.\d+\.\d+$/, "every name is the unit");
});

test("the setup API scans with the SDK's Wi-Fi, and the network chosen (with the administrator's login) is joined", async () => {
  const networks = (await (await fetch(BASE + "/api/setup/networks")).json()) as { ssid: string }[];
  assert.ok(networks.length >= 3, JSON.stringify(networks));
  assert.ok(networks.some((n) => n.ssid === "JAMS2"), "the SDK's simulated networks");
  const refused = await fetch(BASE + "/api/setup", { method: "POST", body: JSON.stringify({ ssid: "JAMS2", password: "jams-pw-1" }) });
  assert.equal(refused.status, 401, "an administrator exists: choosing needs the login");
  const chosen = await digestFetch(BASE + "/api/setup", ADMIN.name, ADMIN.password, { method: "POST", body: JSON.stringify({ ssid: "JAMS2", password: "jams-pw-1" }) });
  assert.equal(chosen.status, 202);
  let status: Record<string, unknown> = {};
  for (let i = 0; i < 40 && status.state !== "online"; i++) {
    await new Promise((r) => setTimeout(r, 250));
    status = await json("/api/setup");
  }
  assert.equal(status.state, "online", JSON.stringify(status));
  assert.equal(status.ssid, "JAMS2");
  assert.match(String(status.address), /^\d+\.\d+\.\d+\.\d+$/);
  assert.match(device.log, /network: joined JAMS2 as /);
  assert.match(device.log, /mdns: off: Moddable's lin socket module refuses every multicast group/, "lin cannot join a multicast group: said, not an error");
  assert.doesNotMatch(device.log, /error mdns/);
  const heap = await device.heap();
  process.stdout.write(`# joined, setup access point still open: ${heap.slots} slots, ${heap.chunks} B of chunks\n`);
});
