/**
 * Firmware over the air, end to end on the simulator, which updates itself for real: its launcher
 * (hosts/node/launcher.ts) is the boot loader, slots live in the data directory, and an update
 * restarts the process into the new bundle on probation. Images are the simulator's own bundles,
 * built here at versions 0.1.0 and 0.2.0 with a release key made for this run, and signed with
 * `npm run firmware`'s code. Clients are real: the JANOS WebSocket, curl, and Chromium.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { buildSim } from "../../hosts/build/build.ts";
import { keygen, sign } from "../../hosts/build/firmware.ts";
import { HEADER_LENGTH } from "../../src/firmware/image.ts";
import { CHROMIUM, CURL, requireTool } from "../system-tools.ts";
import { WsClient, type Json } from "./janos-clients.ts";
import { start, tempDir, type Sim } from "./sim-process.ts";

const PASSWORD = "Admin-pw-1";
let dir: string;
let v1: string; // the installed simulator, 0.1.0
const image: Record<string, Uint8Array> = {};
let browser: Browser | undefined;

before(async () => {
  dir = tempDir();
  const release = keygen(path.join(dir, "release.pem"));
  const other = keygen(path.join(dir, "other.pem"));
  await buildSim({ outdir: path.join(dir, "v1"), version: "0.1.0", firmwareKey: release.publicKey });
  await buildSim({ outdir: path.join(dir, "v2"), version: "0.2.0", firmwareKey: release.publicKey });
  v1 = path.join(dir, "v1/iobox.mjs");
  const bundle2 = new Uint8Array(fs.readFileSync(path.join(dir, "v2/iobox.mjs")));
  image.good = sign({ key: release.privateKey, payload: bundle2, version: "0.2.0", minVersion: "0.1.0" });
  image.otherKey = sign({ key: other.privateKey, payload: bundle2, version: "0.2.0" });
  image.esp32 = sign({ key: release.privateKey, payload: bundle2, version: "0.2.0", board: "esp32" });
  image.older = sign({ key: release.privateKey, payload: bundle2, version: "0.0.9" });
  image.truncated = image.good.slice(0, image.good.length - 1000);
  // an image that is signed and valid, and crashes as soon as it runs
  image.crashing = sign({ key: release.privateKey, payload: new TextEncoder().encode('throw new Error("this image is broken");\n'), version: "0.3.0" });
});

after(async () => {
  await browser?.close();
});

async function unit(data = tempDir()): Promise<{ sim: Sim; data: string }> {
  const sim = await start(["--http-port", "0", "--https-port", "0", "--data", data, "--password", PASSWORD, "--set", "Firmware/ConfirmAfter=5"], [], 10_000, v1);
  return { sim, data };
}

async function admin(sim: Sim): Promise<WsClient> {
  const c = new WsClient(`ws://127.0.0.1:${sim.ports.http}/`);
  await c.opened;
  await c.login("jnior", PASSWORD);
  return c;
}

async function ask(c: WsClient, m: Json, answer: string): Promise<Json> {
  const next = c.next(answer, 20_000);
  c.send(m);
  return next;
}

/** Sends `bytes[from, to)` in pieces; resolves with the last answer. */
async function upload(c: WsClient, bytes: Uint8Array, piece = 64 * 1024, from = 0, to = bytes.length): Promise<Json> {
  let last: Json = {};
  for (let at = from; at < to; ) {
    last = await ask(c, { Message: "Firmware Write", Offset: at, Size: bytes.length, Data: Buffer.from(bytes.subarray(at, Math.min(to, at + piece))).toString("base64") }, "Firmware Write Response");
    if (last.Status !== "Succeed") return last;
    at = Number(last.Offset);
  }
  return last;
}

const readyLines = (sim: Sim): number => (sim.stdout().match(/^iobox ready /gm) ?? []).length;

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function version(sim: Sim): Promise<string> {
  const c = await admin(sim);
  const keys = (await ask(c, { Message: "Registry Read", Keys: ["$Version", "Firmware/$State", "Firmware/$Detail"] }, "Registry Response")).Keys as Record<string, string>;
  c.close();
  return `${keys.$Version} ${keys["Firmware/$State"]}: ${keys["Firmware/$Detail"]}`;
}

test("a signed image over the JANOS WebSocket: installed, the simulator restarts into it, and it confirms itself", async () => {
  const { sim, data } = await unit();
  try {
    const c = await admin(sim);
    const started = performance.now();
    const last = await upload(c, image.good!);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`# ${image.good!.length} bytes over the JANOS WebSocket in 64 KB pieces: ${(image.good!.length / 1024 / seconds).toFixed(0)} KB/s\n`);
    assert.deepEqual([last.Status, last.State, last.Offset], ["Succeed", "installed", image.good!.length]);
    await until("the simulator restarted into the new image", () => readyLines(sim) === 2);
    assert.match(await version(sim), /^v0\.2\.0 probation: 0\.2\.0 on probation$/);
    await until("confirmed", async () => /confirmed/.test(await version(sim)), 15_000);
    const slots = JSON.parse(fs.readFileSync(path.join(data, "firmware/slots.json"), "utf8"));
    assert.deepEqual([slots.running, slots.pending, slots.previous], ["a", false, null]);
  } finally {
    await sim.stop();
  }
});

test("refused with a reason and the old image running: another key, another board, an older version, a truncated image", async () => {
  const { sim } = await unit();
  try {
    const c = await admin(sim);
    for (const [name, reason] of [
      ["otherKey", /the signature is not the release key's/],
      ["esp32", /the image is for esp32, this unit is node/],
      ["older", /0\.0\.9 for node is older than the running 0\.1\.0: no downgrades/],
    ] as const) {
      const last = await upload(c, image[name]!);
      assert.equal(last.Status, "Fail", name);
      assert.match(String(last.Detail), reason);
    }
    // curl, streaming a truncated file to PUT /api/firmware
    const file = path.join(tempDir(), "truncated.iobox");
    fs.writeFileSync(file, image.truncated!);
    const out = execFileSync(requireTool(CURL), ["-s", "--digest", "-u", `jnior:${PASSWORD}`, "-T", file, "-w", "\n%{http_code}", `http://127.0.0.1:${sim.ports.http}/api/firmware`], { encoding: "utf8" });
    assert.match(out, /the image's header says \d+ bytes, the upload \d+/);
    assert.match(out, /\n400$/);
    assert.equal(readyLines(sim), 1, "it never restarted");
    assert.match(await version(sim), /^v0\.1\.0 failed: /);
  } finally {
    await sim.stop();
  }
});

test("PUT /api/firmware with curl -T: installed, and the simulator comes back as 0.2.0", async () => {
  const { sim } = await unit();
  try {
    const file = path.join(tempDir(), "good.iobox");
    fs.writeFileSync(file, image.good!);
    const out = execFileSync(requireTool(CURL), ["-s", "--digest", "-u", `jnior:${PASSWORD}`, "-T", file, "-w", "\n%{http_code}", `http://127.0.0.1:${sim.ports.http}/api/firmware`], { encoding: "utf8" });
    assert.match(out, /"state":"installed"/);
    assert.match(out, /\n200$/);
    await until("restarted", () => readyLines(sim) === 2);
    assert.match(await version(sim), /^v0\.2\.0 /);
  } finally {
    await sim.stop();
  }
});

test("cut off: a dropped connection resumes where it stopped; a simulator killed mid-upload comes back on its old image and the upload starts over", async () => {
  const { sim, data } = await unit();
  const half = 100 * 1024;
  const first = await admin(sim);
  await upload(first, image.good!, 32 * 1024, 0, half);
  first.close(); // the connection drops
  const second = await admin(sim);
  const status = await ask(second, { Message: "Firmware Status" }, "Firmware Status Response");
  assert.deepEqual([status.State, status.Offset], ["receiving", half]);
  await upload(second, image.good!, 32 * 1024, half, half + 64 * 1024);
  second.close();

  sim.proc.kill("SIGKILL"); // the launcher; its child goes with it
  await new Promise((r) => sim.proc.once("exit", r));
  const again = await start(["--http-port", "0", "--https-port", "0", "--data", data, "--password", PASSWORD], [], 10_000, v1);
  try {
    const c = await admin(again);
    const st = await ask(c, { Message: "Firmware Status" }, "Firmware Status Response");
    assert.deepEqual([st.State, st.Offset, st.Version], ["idle", 0, "v0.1.0"]);
    const late = await ask(c, { Message: "Firmware Write", Offset: half, Data: "AAAA" }, "Firmware Write Response");
    assert.deepEqual([late.Status, late.Detail], ["Fail", "no upload is under way: start at offset 0"]);
    assert.equal(fs.existsSync(path.join(data, "firmware/slot-a.mjs")), false, "no half image became a slot");
    const last = await upload(c, image.good!);
    assert.equal(last.State, "installed");
  } finally {
    await again.stop();
  }
});

test("an image that crashes at boot is rolled back by the launcher, by itself", async () => {
  const { sim, data } = await unit();
  try {
    const c = await admin(sim);
    const last = await upload(c, image.crashing!);
    assert.equal(last.State, "installed");
    await until("back on the old image", () => readyLines(sim) === 2, 30_000);
    assert.match(sim.stderr(), /this image is broken/);
    assert.match(await version(sim), /^v0\.1\.0 rolled back: the new image restarted before it confirmed itself; running 0\.1\.0 again$/);
    const slots = JSON.parse(fs.readFileSync(path.join(data, "firmware/slots.json"), "utf8"));
    assert.deepEqual([slots.running, slots.pending], [null, false]);
  } finally {
    await sim.stop();
  }
});

test("the web UI's Update tab: the progress bar moves in Chromium, the image installs, the page comes back to 0.2.0", async () => {
  const { sim } = await unit();
  try {
    browser = await chromium.launch({ executablePath: requireTool(CHROMIUM), args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
    const context = await browser.newContext({ httpCredentials: { username: "jnior", password: PASSWORD }, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${sim.ports.http}/#update`);
    await page.locator("#connection", { hasText: /^connected$/ }).waitFor({ timeout: 10_000 });
    await page.getByRole("tab", { name: "Update", exact: true }).click();
    const file = path.join(tempDir(), "good.iobox");
    fs.writeFileSync(file, image.good!);
    await page.setInputFiles("#firmware-file", file);
    // every value the page gives the bar, recorded in the page: sampling from here misses a fast upload
    await page.locator("#firmware-progress").evaluate((bar) => {
      const value = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(bar) as object, "value")!;
      const seen: number[] = [];
      (globalThis as unknown as { barValues: number[] }).barValues = seen;
      Object.defineProperty(bar, "value", { get: () => value.get!.call(bar), set: (v: number) => (seen.push(v), value.set!.call(bar, v)) });
    });
    await page.locator("#firmware-install").click();
    await page.getByRole("status").filter({ hasText: "Installed: the unit restarts into it" }).waitFor({ timeout: 10_000 });
    const seen = await page.evaluate(() => (globalThis as unknown as { barValues: number[] }).barValues);
    assert.ok(seen.filter((v) => v > 0 && v < 100).length >= 2, `the bar moved: ${JSON.stringify([...new Set(seen)])}`);
    await until("restarted", () => readyLines(sim) === 2);
    await page.locator("#connection", { hasText: /^connected$/ }).waitFor({ timeout: 20_000 });
    await page.locator("#firmware-state", { hasText: /^(probation|confirmed)$/ }).waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await sim.stop();
  }
});

test("the image format: header length and board as documented", () => {
  assert.equal(HEADER_LENGTH, 160);
  assert.equal(Buffer.from(image.good!.subarray(0, 8)).toString("ascii"), "IOBXFW01");
  assert.equal(Buffer.from(image.good!.subarray(32, 36)).toString("ascii"), "node");
});
