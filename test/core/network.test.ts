/**
 * The unit's network on simulated Wi-Fi (sim/air.ts): joining, losing and rejoining, setup mode and
 * its page's API, the captive DNS, factory reset, and the clock from SNTP. On Node and on XS.
 */
import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { decodeUtf8, encodeAscii } from "../../src/bytes.ts";
import { aAddress, encodeDns, parseDns, TYPE_A, TYPE_AAAA } from "../../src/network/dns.ts";
import { NTP_PORT } from "../../src/network/time.ts";
import { SimulatedAir } from "../../sim/air.ts";
import type { MemoryFlash } from "../../sim/memory-files.ts";
import type { MemoryHost } from "../../sim/memory-host.ts";
import { MEMORY_HOST_ADDRESS } from "../../sim/memory-net.ts";
import { board, bootDevice, USERS, type DeviceFixture } from "./device-fixture.ts";
import { challenge, digestHeader, request } from "./web-fixture.ts";

const HOME = { ssid: "HomeNet", password: "home-pw-123" };
const CREDENTIALS: [string, string][] = [
  ["IpConfig/WiFi/SSID", HOME.ssid],
  ["IpConfig/WiFi/Password", HOME.password],
];

const state = (f: DeviceFixture): string => f.device.registry.get("IpConfig/$State") ?? "";
const json = (r: { body: Uint8Array }): unknown => JSON.parse(decodeUtf8(r.body, 0, r.body.length));

/** The setup page, as the device's build embeds it (here: a stand-in). */
const SETUP_PAGE = { path: "/setup.html", type: "text/html; charset=utf-8", body: encodeAscii("<!doctype html><title>setup</title>") };

/** A board in range of HomeNet (up or not), with the captive DNS on port 53 as on the device. */
async function boot(
  options: { up?: boolean; settings?: [string, string][]; fresh?: boolean; beforeBoot?: (host: MemoryHost) => void; flash?: MemoryFlash; air?: SimulatedAir } = {},
): Promise<{ f: DeviceFixture; air: SimulatedAir }> {
  const air = options.air ?? new SimulatedAir().add(HOME.ssid, HOME.password, { up: options.up ?? true });
  const f = await bootDevice({
    settings: options.settings,
    fresh: options.fresh,
    air,
    beforeBoot: options.beforeBoot,
    flash: options.flash,
    config: { network: { captiveDnsPort: 53, lingerMs: 30_000 }, assets: [SETUP_PAGE] },
  });
  return { f, air };
}

/** A DNS query from a phone on the setup access point, and the answer. */
async function ask(f: DeviceFixture, name: string, type: number): Promise<Uint8Array[]> {
  const answers: Uint8Array[] = [];
  const phone = f.host.net.udpFrom("192.168.4.2", { port: 0 }, (bytes) => answers.push(bytes));
  phone.send(encodeDns({ id: 0x1234, flags: 0x0100, questions: [{ name, type }], answers: [], authorities: [], additionals: [] }), MEMORY_HOST_ADDRESS, 53);
  await f.run(10);
  phone.close();
  return answers;
}

test("no Wi-Fi at boot: the I/O works at once, and the unit joins when the access point comes up", async () => {
  const { f, air } = await boot({ up: false, settings: CREDENTIALS });
  assert.equal(state(f), "joining");
  const c = await f.loggedIn("websocket");
  f.host.board.setInput(board.inputs[0]!.pin, 1);
  await f.run(300);
  assert.equal(f.device.io.inputs[0]!.count, 1, "inputs are counted with no network");
  air.setUp(HOME.ssid, true);
  await f.run(120_000);
  assert.equal(state(f), "online");
  assert.equal(f.device.registry.get("IpConfig/$Address"), "192.168.1.50");
  assert.match(f.device.registry.get("IpConfig/$MAC") ?? "", /^02:00:00:0a:bc:de/);
  c.close();
  await f.stop();
});

test("the access point lost and back: the unit rejoins by itself, trying again with a backoff", async () => {
  const { f, air } = await boot({ settings: CREDENTIALS });
  await f.run(5000);
  assert.equal(state(f), "online");
  air.setUp(HOME.ssid, false);
  assert.equal(state(f), "joining");
  assert.equal(f.device.registry.get("IpConfig/$Address"), "");
  await f.run(100_000);
  const attempts = f.host.logs.filter((l) => /could not join HomeNet/.test(l.message)).length;
  assert.ok(attempts >= 3 && attempts <= 9, `${attempts} attempts in 100 s: a backoff, never a hot loop`);
  assert.ok(f.host.logs.some((l) => l.level === "warn" && /lost HomeNet \(the access point went away\)/.test(l.message)));
  air.setUp(HOME.ssid, true);
  await f.run(65_000);
  assert.equal(state(f), "online", "back without a reboot");
  await f.stop();
});

test("a driver that throws when asked to join: a failed attempt, tried again with a backoff; nothing escapes, and the unit joins once it stops", async () => {
  const air = new SimulatedAir().add(HOME.ssid, HOME.password);
  air.driverFault = "Ethernet.c Ethernet device not found";
  const { f } = await boot({ air, settings: CREDENTIALS });
  await f.run(30_000);
  assert.equal(state(f), "joining");
  const attempts = f.host.logs.filter((l) => /could not join HomeNet \(Ethernet\.c Ethernet device not found\)/.test(l.message)).length;
  assert.ok(attempts >= 2 && attempts <= 6, `${attempts} attempts in 30 s`);
  air.driverFault = undefined;
  await f.run(65_000);
  assert.equal(state(f), "online");
  await f.stop();
});

test("a wrong password: setup mode after IpConfig/SetupAfter, with the captive DNS; the right password on the setup API joins, and the access point closes after", async () => {
  const { f } = await boot({ settings: [...CREDENTIALS.slice(0, 1), ["IpConfig/WiFi/Password", "not-the-password"], ["IpConfig/SetupAfter", "60"]] });
  await f.run(50_000);
  assert.equal(state(f), "joining");
  assert.equal(f.host.link!.accessPointOpen, undefined, "not before the timeout");
  await f.run(15_000);
  assert.equal(state(f), "setup");
  const ap = f.host.link!.accessPointOpen!;
  assert.equal(ap.ssid, "iobox-cdef");
  assert.equal(ap.password, f.device.registry.get("IpConfig/SetupPassword"), "its password is kept in the registry");
  assert.equal(ap.password.length, 12);
  assert.ok(f.host.logs.some((l) => l.message.includes(`with the password "${ap.password}"`)), "and shown on the console");

  const [answer] = await ask(f, "connectivitycheck.gstatic.com", TYPE_A);
  const m = parseDns(answer!);
  assert.equal(m.id, 0x1234);
  assert.equal(aAddress(m.answers[0]!.data), "192.168.4.1", "every name is the unit");
  assert.equal(parseDns((await ask(f, "example.org", TYPE_AAAA))[0]!).answers.length, 0, "no AAAA: clients fall back to A");

  const check = await request(f, "GET", "/generate_204");
  assert.equal(check.status, 302);
  assert.equal(check.headers.location![0], "http://192.168.4.1/setup");
  const status = json(await request(f, "GET", "/api/setup")) as Record<string, unknown>;
  assert.deepEqual(status, { state: "setup", setupSsid: "iobox-cdef", ssid: "HomeNet", address: null, hostname: "iobox-cdef", needsAdministrator: false });

  // with an administrator, choosing the network needs the administrator's login
  const body = { ssid: HOME.ssid, password: HOME.password };
  const refused = await request(f, "POST", "/api/setup", { body });
  assert.equal(refused.status, 401);
  const c = challenge(refused, "SHA-256");
  const accepted = await request(f, "POST", "/api/setup", { body, headers: [digestHeader(f, c, "SHA-256", USERS.admin.name, USERS.admin.password, "/api/setup", "00000001", "POST")] });
  assert.equal(accepted.status, 202);
  await f.run(5000);
  assert.equal(state(f), "online");
  assert.ok(f.host.link!.accessPointOpen, "the access point lingers, so the page can say where the unit went");
  assert.equal((json(await request(f, "GET", "/api/setup")) as Record<string, unknown>).address, "192.168.1.50");
  await f.run(31_000);
  assert.equal(f.host.link!.accessPointOpen, undefined);
  assert.equal((await request(f, "GET", "/api/setup")).status, 404, "the setup API is gone with setup mode");
  assert.equal((await ask(f, "example.org", TYPE_A)).length, 0, "and the captive DNS");
  await f.stop();
});

test("a unit without Wi-Fi settings: setup mode at once, and the setup page chooses the network and the administrator's password", async () => {
  const { f } = await boot({ fresh: true });
  assert.equal(state(f), "setup");
  assert.equal(f.device.users.hasAdministrator(), false, "no administrator, and no password printed");
  assert.equal(f.device.generatedPassword, undefined);
  const ui = await request(f, "GET", "/");
  assert.equal(ui.status, 302);
  assert.equal(ui.headers.location![0], "/setup");
  assert.equal((await request(f, "GET", "/setup")).status, 200);
  assert.equal((json(await request(f, "GET", "/api/setup")) as Record<string, unknown>).needsAdministrator, true);
  const scan = request(f, "GET", "/api/setup/networks");
  await f.run(1000);
  assert.deepEqual(json(await scan), [{ ssid: "HomeNet", rssi: -55, secure: true }]);

  const post = (body: object, headers: string[] = []) => request(f, "POST", "/api/setup", { body, headers });
  assert.match((await post({ ssid: "HomeNet", password: "short" })).text, /8 to 63 characters/);
  assert.match((await post({ ssid: "HomeNet", password: HOME.password })).text, /administratorPassword/);
  assert.match((await post({ ssid: "HomeNet", password: HOME.password, administratorPassword: "1234567" })).text, /needs 8 characters or more/);
  assert.equal((await post({ ssid: "HomeNet", password: HOME.password, administratorPassword: "New-admin-1" }, ["Origin: http://evil.example"])).status, 403, "not from another site");
  assert.equal(f.device.users.hasAdministrator(), false);
  assert.equal((await post({ ssid: "HomeNet", password: HOME.password, administratorPassword: "New-admin-1" })).status, 202);
  await f.run(5000);
  assert.equal(state(f), "online");
  assert.equal(f.device.users.passwordOf("jnior"), "New-admin-1");
  assert.equal(f.device.registry.get("IpConfig/WiFi/SSID"), "HomeNet");
  await f.stop();
});

test("factory reset: the button held 10 s at power-up clears accounts and network settings, not counters; held less, nothing", async () => {
  const first = await boot({ settings: [...CREDENTIALS, ["IO/Inputs/din1/Debounce", "0"]] });
  for (let i = 0; i < 5; i++) {
    first.f.host.board.setInput(board.inputs[0]!.pin, 1);
    first.f.host.board.setInput(board.inputs[0]!.pin, 0);
  }
  await first.f.stop();
  const flash = first.f.host.flash;
  const press = (host: MemoryHost): void => host.board.setInput(board.button!.pin, 1);

  // held 2 s only: a normal boot
  const brief = await bootDevice({ flash, fresh: true, air: first.air, beforeBoot: (host) => {
    press(host);
    host.timers.after(2000, () => host.board.setInput(board.button!.pin, 0));
  } });
  assert.equal(brief.device.users.hasAdministrator(), true);
  assert.equal(brief.device.registry.get("IpConfig/WiFi/SSID"), "HomeNet");
  await brief.stop();

  const reset = await bootDevice({ flash, fresh: true, air: first.air, beforeBoot: press });
  assert.ok(reset.host.clock.monotonic() >= 10_000, "the boot waited for the button");
  assert.equal(reset.device.users.hasAdministrator(), false, "the accounts are gone");
  assert.equal(reset.device.users.find(USERS.op.name), undefined);
  assert.equal(reset.device.registry.get("IpConfig/WiFi/SSID"), undefined, "so are the network settings");
  assert.equal(reset.device.registry.get("IpConfig/$State"), "setup", "and the unit is in setup mode");
  assert.equal(reset.device.registry.get("IO/Inputs/din1/$Counter"), "5", "the counters stay");
  assert.equal(reset.device.registry.get("IO/Inputs/din1/Debounce"), "0", "and the other settings");
  await reset.stop();
});

test("the clock from SNTP: no answer at first, then the server's time; $BootTime follows it", async () => {
  const f = await bootDevice({ net: { names: { "time.test": "10.0.0.123" } }, settings: [["IpConfig/TimeServers", "time.test"]], config: { network: { hostAddress: MEMORY_HOST_ADDRESS } } });
  const before = f.device.registry.get("$BootTime");
  await f.run(12_000);
  assert.ok(f.host.logs.some((l) => /time: no server answered \(time\.test: no answer in 5 s\); trying again in 10 s/.test(l.message)));
  const serverTime = Date.UTC(2030, 5, 1);
  const server = f.host.net.udpFrom("10.0.0.123", { port: NTP_PORT }, (bytes, from, port) => {
    if (bytes.length !== 48 || (bytes[0]! & 7) !== 3) return;
    const answer = new Uint8Array(48);
    answer[0] = (4 << 3) | 4;
    answer[1] = 2;
    const seconds = Math.floor(serverTime / 1000) + 2_208_988_800;
    answer[40] = seconds >>> 24;
    answer[41] = (seconds >>> 16) & 0xff;
    answer[42] = (seconds >>> 8) & 0xff;
    answer[43] = seconds & 0xff;
    server.send(answer, from, port);
  });
  await f.run(20_000);
  assert.ok(Math.abs(f.host.clock.now() - serverTime) < 20_000, "the clock is the server's");
  const boot = Date.parse(f.device.registry.get("$BootTime")!);
  assert.ok(Math.abs(boot - (f.host.clock.now() - f.host.clock.monotonic())) < 1000);
  assert.notEqual(f.device.registry.get("$BootTime"), before);
  assert.ok(boot > Date.UTC(2030, 0, 1), "boot time moved with the clock");
  server.close();
  await f.stop();
});
