/**
 * Setup mode in a real browser (Debian's chromium, driven by playwright-core) against the built
 * simulator as a new board: simulated Wi-Fi networks in range, no Wi-Fi settings and no accounts.
 * The owner opens the unit, lands on the setup page, chooses a network and the administrator's
 * password, and the unit joins.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { buildSim, ROOT } from "../../hosts/build/build.ts";
import { CHROMIUM, requireTool } from "../system-tools.ts";
import { start, tempDir, type Sim } from "./sim-process.ts";
import { digestFetch } from "./web-client.ts";

const SHOTS = path.join(ROOT, "build/screenshots");
let sim: Sim;
let browser: Browser;

before(async () => {
  await buildSim();
  sim = await start(["--http-port", "0", "--https-port", "0", "--data", tempDir(), "--wifi", "HomeNet:home-pw-123", "--wifi", "Cafe:"]);
  browser = await chromium.launch({ executablePath: requireTool(CHROMIUM), args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
});

after(async () => {
  await browser?.close();
  await sim?.stop();
});

test("a new board: its page is the setup page, which chooses the network and the administrator's password, and the unit joins", async () => {
  const base = `http://127.0.0.1:${sim.ports.http}`;
  assert.match(sim.stdout(), /setup mode: the board's setup network is iobox-[0-9a-f]{4}; its setup page is http:\/\/127\.0\.0\.1:\d+\/setup/);
  assert.doesNotMatch(sim.stdout(), /administrator "jnior" created/, "no random password: the owner chooses one");
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(base + "/");
  assert.equal(new URL(page.url()).pathname, "/setup", "the unit's page sends a new owner to setup");
  await page.locator("#status", { hasText: /setup network is iobox-/ }).waitFor();
  await page.locator("#ssid option", { hasText: "HomeNet" }).waitFor({ state: "attached" });
  const options = await page.locator("#ssid option").allTextContents();
  assert.ok(options.some((o) => /^Cafe \(.*open\)$/.test(o)), JSON.stringify(options));
  assert.equal(await page.locator("#admin").isVisible(), true, "the administrator's password is asked for");
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, "setup-phone.png"), fullPage: true });

  await page.selectOption("#ssid", "HomeNet");
  await page.fill("#password", "home-pw-123");
  await page.fill("#admin1", "New-admin-1");
  await page.fill("#admin2", "not the same");
  await page.click("#join");
  await page.locator("#result [role=alert]", { hasText: "the two administrator passwords differ" }).waitFor();
  await page.fill("#admin2", "New-admin-1");
  await page.click("#join");
  await page.locator("#result [role=status]", { hasText: /Joined HomeNet: the unit is at http:\/\/192\.168\.1\.\d+\/ \(or http:\/\/iobox-[0-9a-f]{4}\.local\/\)/ }).waitFor({ timeout: 15_000 });
  await page.screenshot({ path: path.join(SHOTS, "setup-joined-phone.png"), fullPage: true });

  const status = await digestFetch(base + "/status", "jnior", "New-admin-1");
  assert.equal(status.status, 200, "the password chosen on the setup page logs in");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a unit that has an administrator: choosing the network on the setup page takes that login (the browser's own dialog, answered here as a user would)", async () => {
  const owned = await start(["--http-port", "0", "--https-port", "0", "--data", tempDir(), "--wifi", "HomeNet:home-pw-123", "--password", "Admin-pw-1"]);
  try {
    const base = `http://127.0.0.1:${owned.ports.http}`;
    const refused = await fetch(base + "/api/setup", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ssid: "HomeNet", password: "home-pw-123" }) });
    assert.equal(refused.status, 401, "no login, no change");
    assert.match(refused.headers.get("www-authenticate") ?? "", /^Digest /, "a challenge the browser answers with its login dialog");
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, httpCredentials: { username: "jnior", password: "Admin-pw-1" } });
    const page = await context.newPage();
    await page.goto(base + "/setup");
    await page.locator("#ssid option", { hasText: "HomeNet" }).waitFor({ state: "attached" });
    assert.equal(await page.locator("#admin").isVisible(), false, "no new administrator password asked for");
    await page.selectOption("#ssid", "HomeNet");
    await page.fill("#password", "home-pw-123");
    await page.click("#join");
    await page.locator("#result [role=status]", { hasText: /Joined HomeNet: the unit is at http:\/\/192\.168\.1\.\d+\// }).waitFor({ timeout: 15_000 });
    await context.close();
  } finally {
    await owned.stop();
  }
});
