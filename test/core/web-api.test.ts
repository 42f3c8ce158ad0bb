import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { bootDevice, USERS, type DeviceFixture } from "./device-fixture.ts";
import { challenge, digestHeader, get, logIn, request, sessionCookie } from "./web-fixture.ts";

const json = (r: { text: string }): unknown => JSON.parse(r.text);

async function withLoginOff(): Promise<DeviceFixture> {
  return bootDevice({ settings: [["WebServer/Login", "false"]] });
}

test("GET /api/info: who the device is and who is asking, behind the page login", async () => {
  const f = await bootDevice();
  assert.equal((await get(f, "/api/info")).status, 401);
  const cookie = await logIn(f, USERS.op);
  await f.run(1500);
  const r = await get(f, "/api/info", [cookie]);
  assert.equal(r.status, 200);
  assert.deepEqual(r.headers["cache-control"], ["no-store"]);
  const info = json(r) as Record<string, unknown>;
  assert.deepEqual(
    { ...info, uptimeMs: undefined, bootTime: undefined },
    {
      model: "410",
      serialNumber: f.device.serialNumber,
      version: "0.1.0",
      platform: f.host.platform,
      board: "jnior-410",
      uptimeMs: undefined,
      bootTime: undefined,
      ports: { http: 80, jmp: 9220 },
      tlsFingerprint: null, // no TLS port here
      simulator: false,
      safeMode: false,
      canReboot: true,
      firmwarePiece: 785408,
      loginRequired: true,
      user: { name: "op", role: "control" },
      inputs: 8,
      outputs: 8,
    },
  );
  assert.ok((info.uptimeMs as number) >= 1500);
  assert.equal(info.bootTime, f.device.registry.get("$BootTime"));
  await f.stop();
});

test("with WebServer/Login off the page and /api/info are open, and POST /api/login still asks and starts a session", async () => {
  const f = await withLoginOff();
  const open = await get(f, "/api/info");
  assert.equal(open.status, 200);
  assert.equal((json(open) as { user: unknown }).user, null);
  assert.equal((json(open) as { loginRequired: boolean }).loginRequired, false);
  const asked = await request(f, "POST", "/api/login");
  assert.equal(asked.status, 401, "an explicit login is a login");
  const c = challenge(asked, "SHA-256");
  const ok = await request(f, "POST", "/api/login", { headers: [digestHeader(f, c, "SHA-256", USERS.viewer.name, USERS.viewer.password, "/api/login", "00000001", "POST")] });
  assert.equal(ok.status, 200);
  assert.deepEqual(json(ok), { name: "viewer", role: "view" });
  const cookie = "Cookie: iobox_session=" + sessionCookie(ok);
  assert.deepEqual((json(await get(f, "/api/info", [cookie])) as { user: unknown }).user, { name: "viewer", role: "view" });
  assert.equal((await get(f, "/api/users")).status, 401, "accounts are never open");
  assert.equal((await get(f, "/api/users", [cookie])).status, 403, "and need an administrator");
  await f.stop();
});

test("GET /api/schema: every key's type, range, unit and description; secrets marked, formats described", async () => {
  const f = await bootDevice();
  const cookie = await logIn(f, USERS.viewer);
  const specs = json(await get(f, "/api/schema", [cookie])) as Record<string, unknown>[];
  const by = (pattern: string): Record<string, unknown> | undefined => specs.find((s) => s.pattern === pattern);
  assert.deepEqual(by("IO/Inputs/din{n}/Debounce"), {
    pattern: "IO/Inputs/din{n}/Debounce",
    channels: 8,
    type: "integer",
    min: 0,
    max: 60000,
    default: "200",
    unit: "ms",
    description: "How long a new level must hold before it counts; 0 = off.",
  });
  assert.equal(by("MQTT/Password")!.secret, true);
  assert.equal(by("IpConfig/Hostname")!.format, "a host name (letters, digits, inner hyphens)");
  assert.deepEqual(by("IO/Inputs/din{n}/Conditioning")!.values, ["0", "1", "2", "3"]);
  await f.stop();
});

test("users: administrators list, create, change and remove accounts; the rules are enforced with reasons", async () => {
  const f = await bootDevice();
  const admin = await logIn(f, USERS.admin);
  const viewer = await logIn(f, USERS.viewer);
  assert.equal((await get(f, "/api/users", [viewer])).status, 403);
  assert.match((json(await get(f, "/api/users", [viewer])) as { error: string }).error, /needs an administrator; "viewer" is view/);
  assert.deepEqual(json(await get(f, "/api/users", [admin])), [
    { name: "jnior", role: "administrator" },
    { name: "op", role: "control" },
    { name: "viewer", role: "view" },
  ]);
  const put = (name: string, body: unknown, who = admin) => request(f, "PUT", "/api/users/" + name, { headers: [who, "Content-Type: application/json"], body: body as object });
  const refused = async (r: Promise<{ status: number; text: string }>, status: number, reason: RegExp): Promise<void> => {
    const got = await r;
    assert.equal(got.status, status, got.text);
    assert.match((json(got) as { error: string }).error, reason);
  };
  await refused(put("ann", { role: "control" }), 400, /a new user needs a "password"/);
  await refused(put("ann", { role: "root", password: "x" }), 400, /"role" must be one of view, control, administrator/);
  await refused(put("ann", { role: "view", password: "tab\there" }), 400, /printable ASCII/);
  await refused(put("a%20b", { role: "view", password: "pw" }), 400, /user name/);
  await refused(request(f, "PUT", "/api/users/ann", { headers: [admin], body: "{not json" }), 400, /not JSON/);
  // a member the request does not have: refused before it is parsed (on the device a name is heap for good)
  await refused(put("ann", { role: "view", password: "pw-123", nickname: "x" }), 400, /a member named "nickname" is not taken here/);
  await refused(put("ann", { role: "view", password: "pw" }, viewer), 403, /administrator/);
  const created = await put("ann", { role: "control", password: "ann-pw-123" });
  assert.equal(created.status, 201);
  assert.deepEqual(json(created), { name: "ann", role: "control" });
  const ann = await f.loggedIn("websocket", { name: "ann", password: "ann-pw-123" });
  assert.deepEqual(ann.named("Authenticated")[0], { Message: "Authenticated", Administrator: false, Control: true });
  const annWeb = await logIn(f, { name: "ann", password: "ann-pw-123" });

  // a role change logs ann out everywhere: her WebSocket closes, her cookie is no login
  assert.equal((await put("ann", { role: "view" })).status, 200);
  await f.run();
  assert.deepEqual(ann.webSocket.closeFrame, { code: 1000, reason: "" }, "the WebSocket of a changed account is closed");
  assert.equal((await get(f, "/api/info", [annWeb])).status, 401);
  assert.equal(f.device.users.find("ann")!.password, "ann-pw-123", "a role change keeps the password");

  await refused(request(f, "DELETE", "/api/users/jnior", { headers: [admin] }), 400, /your own account/);
  await refused(request(f, "DELETE", "/api/users/nobody", { headers: [admin] }), 404, /no user "nobody"/);
  assert.equal((await request(f, "DELETE", "/api/users/ann", { headers: [admin] })).status, 204);
  assert.equal(f.device.users.find("ann"), undefined);

  // the last administrator can be neither demoted nor removed
  await refused(put("jnior", { role: "control" }), 400, /"jnior" is the last administrator/);
  assert.equal((await put("boss", { role: "administrator", password: "boss-pw-123" })).status, 201);
  const boss = await logIn(f, { name: "boss", password: "boss-pw-123" });
  assert.equal((await request(f, "DELETE", "/api/users/jnior", { headers: [boss] })).status, 204);
  await refused(put("boss", { role: "view" }, boss), 400, /"boss" is the last administrator/);
  assert.equal((await get(f, "/api/users", [admin])).status, 401, "jnior's session ended with the account");
  assert.ok(f.host.logs.some((l) => l.message === 'web: "jnior" created user "ann" (control, password set)'));
  await f.stop();
});

test("POST /api/password: with the current password only (failures slowed); the change ends the sessions", async () => {
  const f = await bootDevice();
  const op = await logIn(f, USERS.op);
  const change = (body: object, from?: string) => request(f, "POST", "/api/password", { headers: [op], body, from });
  const wrong = await change({ current: "guess", password: "new-pw-123" });
  assert.equal(wrong.status, 403);
  assert.deepEqual(json(wrong), { error: "the current password is wrong" });
  assert.equal((await change({ password: "x" })).status, 400);
  for (let i = 0; i < 3; i++) await change({ current: "guess" + i, password: "new-pw-123" });
  assert.equal((await change({ current: USERS.op.password, password: "new-pw-123" })).status, 429, "after failures the address waits");
  await f.run(60_000);
  assert.equal((await change({ current: USERS.op.password, password: "new-pw-123" })).status, 204);
  assert.equal((await get(f, "/api/info", [op])).status, 401, "the session ended");
  await assert.rejects(logIn(f, USERS.op), /login of op: 401/);
  await f.run(60_000);
  await logIn(f, { name: "op", password: "new-pw-123" });
  await f.stop();
});

test("requests that change the device from another site are refused, whatever login they carry", async () => {
  const f = await bootDevice();
  const admin = await logIn(f, USERS.admin);
  const body = { role: "view", password: "pw-pw-pw-1" };
  for (const header of ["Origin: http://evil.example", "Sec-Fetch-Site: cross-site", "Sec-Fetch-Site: same-site"]) {
    const r = await request(f, "PUT", "/api/users/mallory", { headers: [admin, header], body });
    assert.equal(r.status, 403, header);
    assert.deepEqual(json(r), { error: "requests that change the device must come from its own pages" });
  }
  assert.equal(f.device.users.find("mallory"), undefined);
  const ok = await request(f, "PUT", "/api/users/mallory", { headers: [admin, "Origin: http://device", "Sec-Fetch-Site: same-origin"], body });
  assert.equal(ok.status, 201, "the page's own origin");
  await f.stop();
});

test("backup and restore: INI and JSON downloads; a restore is checked whole and applied at once, or refused with the line", async () => {
  const f = await bootDevice({ settings: [["IO/Inputs/din1/Desc", "Door"], ["AppData/Note", "x = \"y\""]] });
  const admin = await logIn(f, USERS.admin);
  const op = await logIn(f, USERS.op);
  assert.equal((await get(f, "/api/backup", [op])).status, 403);
  const ini = await get(f, "/api/backup?format=ini", [admin]);
  assert.equal(ini.status, 200);
  assert.deepEqual(ini.headers["content-disposition"], [`attachment; filename="iobox-${f.device.serialNumber}.ini"`]);
  assert.match(ini.text, /^; iobox 410 serial \d+, saved /);
  assert.match(ini.text, /\n\[IO\/Inputs\/din1\]\nDesc = Door\n/);
  const asJson = json(await get(f, "/api/backup?format=json", [admin])) as Record<string, string>;
  assert.equal(asJson["AppData/Note"], 'x = "y"');
  assert.equal(asJson["$BootTime"], undefined, "live values are not configuration");
  assert.equal((await get(f, "/api/backup?format=xml", [admin])).status, 400);

  f.device.registry.write([["IO/Inputs/din1/Desc", "Changed"], ["AppData/Extra", "1"]]);
  const restore = (text: string, mode = "merge", who = admin) => request(f, "POST", "/api/restore?mode=" + mode, { headers: [who, "Content-Type: text/plain"], body: text });
  const bad = await restore("[IO/Inputs/din1]\nDesc = Back\nDebounce = fast\n");
  assert.equal(bad.status, 400);
  assert.match((json(bad) as { error: string }).error, /IO\/Inputs\/din1\/Debounce: line 3: must be an integer/);
  assert.equal(f.device.registry.get("IO/Inputs/din1/Desc"), "Changed", "nothing of a refused restore is applied");
  assert.equal((await restore("; nothing\n")).status, 400);
  assert.equal((await restore(ini.text, "merge", op)).status, 403);

  const merged = await restore(ini.text);
  assert.deepEqual(json(merged), { changed: 1 });
  assert.equal(f.device.registry.get("IO/Inputs/din1/Desc"), "Door");
  assert.equal(f.device.registry.get("AppData/Extra"), "1", "a merge keeps keys the file does not name");
  const replaced = await restore(JSON.stringify(asJson), "replace");
  assert.equal(replaced.status, 200);
  assert.equal(f.device.registry.get("AppData/Extra"), undefined, "a replace removes them");
  assert.equal(f.device.registry.get("AppData/Note"), 'x = "y"');
  assert.equal((await restore(ini.text, "append")).status, 400);
  await f.stop();
});

test("the simulator panel's routes: control users drive the inputs; view-only users and devices without a simulator cannot", async () => {
  const device = await bootDevice();
  assert.equal((await request(device, "POST", "/api/sim/inputs/1", { headers: [await logIn(device, USERS.admin)], body: { on: true } })).status, 404, "not on a device");
  await device.stop();

  const sim = await bootDevice({ simulator: true });
  const op = await logIn(sim, USERS.op);
  const viewer = await logIn(sim, USERS.viewer);
  assert.equal((await request(sim, "POST", "/api/sim/inputs/2", { headers: [viewer], body: { on: true } })).status, 403);
  assert.equal((await get(sim, "/api/sim/board", [viewer])).status, 403);
  const on = await request(sim, "POST", "/api/sim/inputs/2", { headers: [op], body: { on: true } });
  assert.equal(on.status, 200);
  assert.deepEqual(json(on), { inputs: [0, 1, 0, 0, 0, 0, 0, 0], outputs: [0, 0, 0, 0, 0, 0, 0, 0] });
  await sim.run(250);
  assert.equal(sim.device.io.inputs[1]!.reported, 1, "the device saw it, after the debounce");
  const train = await request(sim, "POST", "/api/sim/inputs/3/pulses", { headers: [op], body: { count: 4, width: 300, period: 600 } });
  assert.equal(train.status, 202);
  await sim.run(3000);
  assert.equal(sim.device.io.inputs[2]!.count, 4);
  const bad = await request(sim, "POST", "/api/sim/inputs/9", { headers: [op], body: { on: true } });
  assert.deepEqual([bad.status, json(bad)], [400, { error: "no input 9: jnior-410 has inputs 1 to 8" }]);
  assert.equal((await request(sim, "POST", "/api/sim/inputs/1/pulses", { headers: [op], body: { count: 1, width: 0, period: 5 } })).status, 400);
  assert.equal((await request(sim, "POST", "/api/sim/outputs/1", { headers: [op], body: { on: true } })).status, 404);
  await sim.stop();
});

test("the page: served gzip at / behind the login; a build without it says so", async () => {
  const page = { path: "/index.html", type: "text/html; charset=utf-8", body: new Uint8Array([0x1f, 0x8b, 8, 0]), gzip: true };
  const f = await bootDevice({ config: { assets: [page] } });
  assert.equal((await get(f, "/")).status, 401);
  const cookie = await logIn(f, USERS.viewer);
  const r = await get(f, "/", [cookie, "Accept-Encoding: gzip"]);
  assert.equal(r.status, 200);
  assert.deepEqual(r.headers["content-encoding"], ["gzip"]);
  assert.deepEqual([...r.body], [0x1f, 0x8b, 8, 0]);
  await f.stop();
  const bare = await withLoginOff();
  const none = await get(bare, "/");
  assert.equal(none.status, 200);
  assert.match(none.text, /this build has no web UI; the device status is at \/status/);
  await bare.stop();
});
