/**
 * The device image in mcsim, as its users meet it: the page with a Digest login, JANOS over
 * WebSocket and JMP (login, Control with Duration, Registry Write/Read/Update, a Monitor on an
 * input edge), the Xentara endpoint's refusal on plain HTTP, and bad input (oversize messages, a
 * wrong password). Real clients over loopback; the device under the heap budget of manifest.json.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import WebSocket from "ws";
import { ROOT } from "../../hosts/build/build.ts";
import { authDigest, type E2eClient, type Json } from "../node/janos-clients.ts";
import { cookieFrom, digestFetch } from "../node/web-client.ts";
import { ADMIN, admin, BASE, bootDevice, jmp, sleep, ws } from "./fixture.ts";
import type { DeviceSim } from "./mcsim.ts";

let device: DeviceSim;

before(async () => {
  device = await bootDevice();
});

const monitorWhere = (c: E2eClient, pred: (m: Json) => boolean, from = c.messages.length): Promise<Json> => c.waitFor((m) => m.Message === "Monitor" && pred(m), 5000, from);
const relay = (m: Json, n: number): number => (m.Outputs as { State: number }[])[n - 1]!.State;
const input = (m: Json, n: number): { State: number; Count: number } => (m.Inputs as { State: number; Count: number }[])[n - 1]!;

test("the page: 401 without a login; with Digest the web UI as built, gzip, and a session cookie", async () => {
  const refused = await fetch(BASE + "/");
  assert.equal(refused.status, 401);
  assert.match(refused.headers.get("www-authenticate") ?? "", /^Digest /);
  const page = await digestFetch(BASE + "/", ADMIN.name, ADMIN.password, { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("content-encoding"), "gzip");
  const built = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, "build/ui/index.html.gz"))).toString("utf8");
  assert.equal(await page.text(), built, "the page the device serves from flash is the one the build made");
  assert.ok(cookieFrom(page, "iobox_session"), "a session cookie");
});

test("JANOS over WebSocket: login, Monitor, and Control Close with Duration: two Monitors that far apart", async () => {
  const w = await admin("ws");
  const closed = monitorWhere(w, (m) => relay(m, 2) === 1);
  w.send({ Message: "Control", Command: "Close", Channel: 2, Duration: 400 });
  const a = await closed;
  const opened = await monitorWhere(w, (m) => relay(m, 2) === 0, w.messages.indexOf(a) + 1);
  const apart = (opened.Timestamp as number) - (a.Timestamp as number);
  assert.ok(apart >= 395 && apart < 2500, `the pulse lasted ${apart} ms`);
});

test("Registry Write, the Update to every logged-in connection, and Read: over WebSocket and JMP", async () => {
  const w = await admin("ws");
  const j = await admin("jmp");
  const response = w.next("Registry Response");
  const updateW = w.next("Registry Update");
  const updateJ = j.next("Registry Update");
  w.send({ Message: "Registry Write", Keys: { "AppData/Device-E2E": "written ✓" }, Meta: { Hash: "w1" } });
  assert.deepEqual(await response, { Message: "Registry Response", Keys: { "AppData/Device-E2E": "written ✓" }, Meta: { Hash: "w1" } });
  for (const u of [await updateW, await updateJ]) assert.deepEqual(u, { Message: "Registry Update", Keys: { "AppData/Device-E2E": "written ✓" } });
  const read = j.next("Registry Response");
  j.send({ Message: "Registry Read", Keys: ["appdata/device-e2e", "$Model", "IO/Inputs/din3/Debounce"] });
  assert.deepEqual((await read).Keys, { "appdata/device-e2e": "written ✓", $Model: "410", "IO/Inputs/din3/Debounce": "200" });
  const refused = w.next("Error");
  w.send({ Message: "Registry Write", Keys: { "IO/Inputs/din3/Debounce": "soon" } });
  assert.match(JSON.stringify(await refused), /must be an integer/);
});

test("JMP: login, then a Monitor for an edge at an input of the board", async () => {
  const j = await admin("jmp");
  const set = j.next("Registry Response");
  j.send({ Message: "Registry Write", Keys: { "IO/Inputs/din4/Debounce": "0" } });
  await set;
  const on = monitorWhere(j, (m) => input(m, 4).State === 1);
  await device.command("input 4 1");
  assert.equal(input(await on, 4).Count, 1);
  const off = monitorWhere(j, (m) => input(m, 4).State === 0);
  await device.command("input 4 0");
  await off;
});

test("/api/ws on plain HTTP: 403 before any WebSocket (Xentara's endpoint is TLS only)", async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const c = new WebSocket(`ws://127.0.0.1:18080/api/ws`, { headers: { Authorization: "Basic " + Buffer.from(`${ADMIN.name}:${ADMIN.password}`).toString("base64") } });
    c.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    c.on("open", () => reject(new Error("the upgrade was accepted")));
    c.on("error", () => {});
  });
  assert.equal(status, 403);
});

test("bad input: an oversize WebSocket message closes with 1009, an oversize JMP frame gets 413; both connections' peers go on", async () => {
  const w = await admin("ws");
  const code = new Promise<number>((resolve) => (w as unknown as { ws: WebSocket }).ws.once("close", (c) => resolve(c)));
  w.send({ Message: "Registry Write", Keys: { "AppData/Big": "x".repeat(8000) } });
  assert.equal(await code, 1009);
  const j = await admin("jmp");
  const tooLarge = j.next("Error");
  j.send({ Message: "Registry Write", Keys: { "AppData/Big": "x".repeat(8000) } });
  assert.match((await tooLarge).Text as string, /^413/);
  const alive = j.next("Monitor");
  j.send({ Message: "Status" });
  await alive;
});

test("a wrong password: 401 again with a fresh nonce; the right one then logs in", async () => {
  const c = ws();
  await c.opened;
  const first = c.next("Error");
  c.send({ Message: "" });
  const nonce = (await first).Nonce as string;
  const again = c.next("Error");
  c.send({ "Auth-Digest": authDigest(ADMIN.name, "not-the-password", nonce) });
  const second = await again;
  assert.equal(second.Text, "401 Unauthorized");
  assert.notEqual(second.Nonce, nonce);
  const ok = c.next("Authenticated");
  c.send({ "Auth-Digest": authDigest(ADMIN.name, ADMIN.password, second.Nonce as string) });
  assert.equal((await ok).Administrator, true);
  await sleep(10);
  assert.match(device.log, /login as "jnior" failed/);
});

test("the JMP port answers only after a login: nothing is sent before the client speaks", async () => {
  const j = jmp();
  await j.connected;
  await sleep(300);
  assert.equal(j.raw.length, 0);
});
