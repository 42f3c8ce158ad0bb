/**
 * The web UI in a real browser (Debian's chromium, driven by playwright-core) against the built
 * simulator: the page a user opens, logged in by the browser's own HTTP Digest, live over the
 * JANOS WebSocket. Screenshots of a phone and a desktop layout go to build/screenshots.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { buildSim, ROOT } from "../../hosts/build/build.ts";
import { CHROMIUM, requireTool } from "../system-tools.ts";
import { start, tempDir, type Sim } from "./sim-process.ts";

const ADMIN = { username: "jnior", password: "Admin-pw-1" };
const OP = { username: "op", password: "Op-pw-123" };
const VIEWER = { username: "viewer", password: "View-pw-1" };
const SHOTS = path.join(ROOT, "build/screenshots");

let sim: Sim;
let data: string;
let browser: Browser;
let httpPort = 0;
const contexts: BrowserContext[] = [];
/** Uncaught errors of every page opened: the last test wants none. */
const pageErrors: string[] = [];
/** What the browser refused under the page's Content-Security-Policy (it says so on the console). */
const cspViolations: string[] = [];
const watchPage = (page: Page): void => {
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    if (/Content.Security.Policy/i.test(m.text())) cspViolations.push(m.text());
  });
};

function simArgs(port: number): string[] {
  return [
    ...["--http-port", String(port), "--https-port", "0", "--data", data, "--password", ADMIN.password],
    ...["--user", `${OP.username}:control:${OP.password}`, "--user", `${VIEWER.username}:view:${VIEWER.password}`, "--set", "IO/Inputs/din1/Debounce=0"],
  ];
}

before(async () => {
  await buildSim();
  data = tempDir();
  sim = await start(simArgs(0));
  httpPort = sim.ports.http!;
  // root in a container has no user namespaces for chromium's sandbox
  browser = await chromium.launch({ executablePath: requireTool(CHROMIUM), args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await sim?.stop();
});

async function open(user: { username: string; password: string } | undefined, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ httpCredentials: user, viewport });
  contexts.push(context);
  const page = await context.newPage();
  watchPage(page);
  await page.goto(`http://127.0.0.1:${httpPort}/`);
  return page;
}

async function connected(page: Page, timeout = 5000): Promise<void> {
  await page.locator("#connection", { hasText: /^connected$/ }).waitFor({ timeout });
}

async function board(): Promise<{ inputs: number[]; outputs: number[] }> {
  return (await (await fetch(`http://127.0.0.1:${sim.ports.control}/board`)).json()) as { inputs: number[]; outputs: number[] };
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeout = 5000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) assert.fail(`${what}: still ${JSON.stringify(v)} after ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const state = (page: Page, kind: "input" | "relay", n: number) => page.locator(`[data-${kind}="${n}"] [data-field=state]`);

test("without credentials the page is refused; with them it logs in and goes live", async () => {
  const refused = await fetch(`http://127.0.0.1:${httpPort}/`);
  assert.equal(refused.status, 401);
  assert.match(refused.headers.get("www-authenticate") ?? "", /^Digest /);

  const page = await open(ADMIN);
  await connected(page);
  assert.equal(await page.locator(".who").textContent(), "jnior (administrator)");
  for (const tab of ["I/O", "Device", "Registry", "Network", "Users", "Backup", "Simulator"]) assert.ok(await page.getByRole("tab", { name: tab, exact: true }).isVisible(), tab);
  const served = await fetch(`http://127.0.0.1:${httpPort}/`, { headers: { cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ") } });
  assert.match(served.headers.get("content-security-policy") ?? "", /default-src 'none'.*frame-ancestors 'none'/, "the page the browser runs is under a policy");
  await page.getByRole("tab", { name: "Backup" }).click();
  assert.match((await page.getByRole("note").textContent())!, /passwords .* in clear text/, "a backup says it holds secrets");
  await page.getByRole("tab", { name: "I/O" }).click();
  assert.equal(await page.locator("[data-input]").count(), 8);
  assert.equal(await page.locator("[data-relay]").count(), 8);
  const info = (await page.evaluate(async () => (await fetch("/api/info")).json())) as { serialNumber: number; simulator: boolean };
  assert.equal(info.simulator, true);
  assert.equal(await page.locator("h1").textContent(), `iobox ${info.serialNumber}`);
  assert.equal(await page.title(), `iobox ${info.serialNumber}`);
});

test("an input switched on the board shows on the page within a second, with its count", async () => {
  const page = await open(OP);
  await connected(page);
  const input = state(page, "input", 1);
  assert.equal(await input.getAttribute("data-value"), "0");
  const r = await fetch(`http://127.0.0.1:${sim.ports.control}/inputs/1`, { method: "POST", body: '{"on":true}' });
  assert.ok(r.ok);
  await page.locator('[data-input="1"] [data-field=state][data-value="1"]').waitFor({ timeout: 1000 });
  assert.equal(await input.textContent(), "On");
  assert.equal(await page.locator('[data-input="1"] [data-field=count]').textContent(), "1");
  await fetch(`http://127.0.0.1:${sim.ports.control}/inputs/1`, { method: "POST", body: '{"on":false}' });
  await page.locator('[data-input="1"] [data-field=state][data-value="0"]').waitFor({ timeout: 1000 });
});

test("Toggle closes a relay of the simulated board; Pulse closes another for its duration", async () => {
  const page = await open(OP);
  await connected(page);
  await page.getByRole("button", { name: "Toggle Relay Output 2", exact: true }).click();
  await until("relay 2 on the board", board, (b) => b.outputs[1] === 1);
  await page.locator('[data-relay="2"] [data-field=state][data-value="1"]').waitFor({ timeout: 1000 });
  assert.equal(await state(page, "relay", 2).textContent(), "Closed");
  // the keyboard works as well as the mouse: focus and Enter
  await page.getByRole("button", { name: "Toggle Relay Output 2", exact: true }).focus();
  await page.keyboard.press("Enter");
  await until("relay 2 open again", board, (b) => b.outputs[1] === 0);

  await page.getByRole("spinbutton", { name: "Pulse duration for Relay Output 3" }).fill("400");
  const clicked = Date.now();
  await page.getByRole("button", { name: "Pulse Relay Output 3", exact: true }).click();
  await until("relay 3 closed by the pulse", board, (b) => b.outputs[2] === 1);
  await until("relay 3 open after the pulse", board, (b) => b.outputs[2] === 0, 3000);
  assert.ok(Date.now() - clicked >= 400, "the pulse lasted its duration");
  await page.locator('[data-relay="3"] [data-field=state][data-value="0"]').waitFor({ timeout: 1000 });
});

test("the simulator tab drives an input of the virtual board", async () => {
  const page = await open(OP);
  await connected(page);
  await page.getByRole("tab", { name: "Simulator" }).click();
  await page.getByRole("checkbox", { name: "Input 4" }).check();
  await until("input 4 on the board", board, (b) => b.inputs[3] === 1);
  await page.getByRole("tab", { name: "I/O" }).click();
  await page.locator('[data-input="4"] [data-field=state][data-value="1"]').waitFor({ timeout: 2000 });
  await page.getByRole("tab", { name: "Simulator" }).click();
  await page.getByRole("checkbox", { name: "Input 4" }).uncheck();
  await until("input 4 off on the board", board, (b) => b.inputs[3] === 0);
});

test("a view-only user sees the I/O live but every control is disabled and admin tabs are absent", async () => {
  const page = await open(VIEWER);
  await connected(page);
  assert.equal(await page.locator(".who").textContent(), "viewer (view)");
  assert.equal(await page.getByRole("button", { name: "Toggle Relay Output 1", exact: true }).isDisabled(), true);
  assert.equal(await page.getByRole("button", { name: "Pulse Relay Output 1", exact: true }).isDisabled(), true);
  assert.equal(await page.getByRole("button", { name: "Reset counter Digital Input 1", exact: true }).isDisabled(), true);
  for (const tab of ["Users", "Backup"]) assert.equal(await page.getByRole("tab", { name: tab }).isVisible(), false, tab);
  // the device is the judge, not the page: the users list is refused to this session
  assert.equal(await page.evaluate(async () => (await fetch("/api/users")).status), 403);
  const before = await board();
  await fetch(`http://127.0.0.1:${sim.ports.control}/inputs/2`, { method: "POST", body: '{"on":true}' });
  await page.locator('[data-input="2"] [data-field=state][data-value="1"]').waitFor({ timeout: 1000 });
  assert.deepEqual((await board()).outputs, before.outputs);
  await fetch(`http://127.0.0.1:${sim.ports.control}/inputs/2`, { method: "POST", body: '{"on":false}' });
});

test("a registry edit is saved by the device, relabels the I/O, and survives a restart the page rides out", async () => {
  const page = await open(ADMIN);
  await connected(page);
  await page.getByRole("tab", { name: "Registry" }).click();
  for (const node of ["IO/", "Inputs/", "din2/"]) await page.getByRole("button", { name: node, exact: true }).click();
  const desc = page.locator('[data-key="IO/Inputs/din2/Desc"]');
  await desc.fill("Door contact");
  await page.getByRole("button", { name: "Save IO/Inputs/din2/Desc", exact: true }).click();
  await page.getByRole("tab", { name: "I/O" }).click();
  await page.getByRole("button", { name: "Reset counter Door contact", exact: true }).waitFor({ timeout: 2000 });

  // a bad value is refused with the device's reason, shown as an alert
  await page.getByRole("tab", { name: "Registry" }).click();
  const debounce = page.locator('[data-key="IO/Inputs/din2/Debounce"]');
  await debounce.fill("not a number");
  await page.getByRole("button", { name: "Save IO/Inputs/din2/Debounce", exact: true }).click();
  const alert = page.locator('[data-key="IO/Inputs/din2/Debounce"]').locator("xpath=ancestor::li[1]").getByRole("alert");
  await alert.waitFor({ timeout: 2000 });
  assert.match((await alert.textContent())!, /Debounce/i);

  await sim.stop();
  await until("the page sees the device gone", async () => page.locator("#connection").textContent(), (t) => t !== "connected");
  sim = await start(simArgs(httpPort));
  await connected(page, 20_000);
  await page.getByRole("tab", { name: "I/O" }).click();
  assert.equal(await page.getByRole("button", { name: "Reset counter Door contact", exact: true }).count(), 1);
  // and a fresh page reads the same from the restarted device
  const fresh = await open(ADMIN);
  await connected(fresh);
  await fresh.getByRole("button", { name: "Reset counter Door contact", exact: true }).waitFor({ timeout: 2000 });
});

test("Reboot from the Device tab, for administrators only: the unit restarts and the page rides it out", async () => {
  const op = await open(OP);
  await connected(op);
  await op.getByRole("tab", { name: "Device" }).click();
  assert.equal(await op.locator("#reboot").isVisible(), false, "not for a control user");

  const page = await open(ADMIN);
  await connected(page);
  await page.getByRole("tab", { name: "Device" }).click();
  page.once("dialog", (d) => void d.accept());
  const readyLines = (): number => (sim.stdout().match(/^iobox ready /gm) ?? []).length;
  const before = readyLines();
  await page.locator("#reboot").click();
  await page.getByRole("status").filter({ hasText: "Rebooting…" }).waitFor({ timeout: 5000 });
  await until("the simulator restarted its device", async () => readyLines(), (n) => n > before, 15_000);
  await connected(page, 20_000);
  assert.match(sim.stdout(), /iobox: restarting\n/);
});

test("safe mode after three failed boots: a banner says so, and the relays cannot be operated", async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "boots"), "3\n"); // as three boots that died in their first minute leave it
  const safe = await start(["--http-port", "0", "--https-port", "0", "--data", dir, "--password", ADMIN.password]);
  try {
    assert.equal(safe.ports.jmp, undefined, "no JMP server");
    const context = await browser.newContext({ httpCredentials: ADMIN, viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    watchPage(page);
    await page.goto(`http://127.0.0.1:${safe.ports.http}/`);
    await page.locator("#safe-mode", { hasText: /^Safe mode: the unit's last boots failed/ }).waitFor({ timeout: 5000 });
    await connected(page);
    await page.getByRole("button", { name: "Toggle Relay Output 1", exact: true }).click();
    await page.locator('[data-relay="1"]').getByRole("alert").filter({ hasText: /safe mode/ }).waitFor({ timeout: 5000 });
    assert.equal(((await (await fetch(`http://127.0.0.1:${safe.ports.control}/board`)).json()) as { outputs: number[] }).outputs[0], 0, "relay 1 stays open");
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, "desktop-safe-mode.png") });
  } finally {
    await safe.stop();
  }
});

test("with WebServer/Login off the page is open; its WebSocket logs in through /api/login, or waits for Log in", async () => {
  const open = await start(["--http-port", "0", "--https-port", "0", "--data", tempDir(), "--password", ADMIN.password, "--set", "WebServer/Login=false"]);
  try {
    const url = `http://127.0.0.1:${open.ports.http}/`;
    assert.equal((await fetch(url)).status, 200);
    for (const [user, expect] of [
      [ADMIN, "connected"],
      [undefined, "login needed"],
    ] as const) {
      const context = await browser.newContext({ httpCredentials: user });
      contexts.push(context);
      const page = await context.newPage();
      watchPage(page);
      await page.goto(url);
      await page.locator("#connection", { hasText: new RegExp(`^${expect}$`) }).waitFor({ timeout: 5000 });
      assert.equal(await page.getByRole("button", { name: "Log in", exact: true }).isVisible(), expect === "login needed");
    }
  } finally {
    await open.stop();
  }
});

test("phone and desktop layouts: nothing wider than the screen; screenshots in build/screenshots", async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const [name, viewport] of [
    ["phone", { width: 360, height: 740 }],
    ["desktop", { width: 1280, height: 800 }],
  ] as const) {
    const page = await open(ADMIN, viewport);
    await connected(page);
    for (const tab of ["I/O", "Device", "Registry", "Network", "Users", "Backup", "Simulator"]) {
      await page.getByRole("tab", { name: tab, exact: true }).click();
      const wide = (await page.evaluate("document.documentElement.scrollWidth")) as number;
      assert.ok(wide <= viewport.width, `${name} ${tab}: the page is ${wide} px wide`);
      await page.screenshot({ path: path.join(SHOTS, `${name}-${tab.replace("/", "")}.png`), fullPage: true });
    }
  }
});

test("no page threw an uncaught error, and none did anything its Content-Security-Policy refuses", () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(cspViolations, []);
});
