/**
 * One regression test per hardening finding (the fuzzing and review of the simulator): each failed
 * before its fix. On Node and on XS.
 */
import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { MAX_JSON_DEPTH } from "../../src/json-input.ts";
import { Registry } from "../../src/registry/registry.ts";
import { MemoryFlash } from "../../sim/memory-files.ts";
import { MemoryHost } from "../../sim/memory-host.ts";
import { MEMORY_HOST_ADDRESS } from "../../sim/memory-net.ts";
import { TestBroker } from "../../sim/mqtt-broker.ts";
import { board, bootDevice, USERS, type DeviceFixture } from "./device-fixture.ts";
import { challenge, digestHeader, get, logIn, request } from "./web-fixture.ts";

const nested = (depth: number): string => "[".repeat(depth) + "]".repeat(depth);
const relayLevels = (f: DeviceFixture): number[] => board.outputs.map((o) => f.host.board.outputLevel(o.pin));

test("1. JSON nested past the limit is refused before it is parsed, before and after login, over JMP and WebSocket; the limit itself passes", async () => {
  const f = await bootDevice();
  for (const transport of ["jmp", "websocket"] as const) {
    const c = f.client(transport);
    await f.run();
    c.send(`{"Message":"","Meta":${nested(5000)}}`);
    await f.run();
    assert.equal(c.last()?.Text, "400 Bad Request", transport);
    assert.equal(c.last()?.Detail, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    assert.equal(c.closed, false, "the connection goes on");
  }
  const admin = await f.loggedIn("jmp");
  admin.send(`{"Message":"Status","Meta":${nested(MAX_JSON_DEPTH - 1)}}`);
  await f.run();
  assert.equal(admin.last()?.Message, "Monitor", "deep enough for anything real");
  admin.send(`{"Message":"Status","Meta":${nested(MAX_JSON_DEPTH + 1)}}`);
  await f.run();
  assert.equal(admin.last()?.Text, "400 Bad Request");
  const cookie = await logIn(f, USERS.admin);
  const body = await request(f, "PUT", "/api/users/deep", { headers: [cookie], body: `{"role":"view","password":${nested(100)}}` });
  assert.equal(body.status, 400);
  assert.match(body.text, /nested deeper than 32 levels/);
  await f.stop();
});

test("2. a Control command is a command, never a property: constructor, __proto__, toString move nothing, over JANOS and MQTT", async () => {
  const f = await bootDevice({ net: { names: { "broker.local": MEMORY_HOST_ADDRESS } }, settings: [["MQTT/Enabled", "true"], ["MQTT/Host", "broker.local"], ["MQTT/Username", "iobox"], ["MQTT/Password", "mqtt-pw"]] });
  const broker = new TestBroker(f.host, 1883, { username: "iobox", password: "mqtt-pw" });
  await broker.start();
  await f.run(5000);
  const before = relayLevels(f);
  const admin = await f.loggedIn("websocket");
  for (const command of ["constructor", "__proto__", "CONSTRUCTOR", "toString", "hasOwnProperty", "valueOf"]) {
    admin.send({ Message: "Control", Command: command, Channel: 1, Duration: 500 });
    await f.run(10);
    assert.equal(admin.last()?.Text, "400 Bad Request", command);
    broker.publish("iobox/11259375/relay/1/set", command);
    await f.run(10);
  }
  await f.run(1000);
  assert.deepEqual(relayLevels(f), before, "no relay moved");
  const errors = broker.published.filter((m) => m.topic.endsWith("/error")).length;
  assert.equal(errors, 6, "each MQTT one answered on /error");
  await f.stop();
});

test("3. registry keys named __proto__ or after other built-ins are keys like any other in every answer", async () => {
  const f = await bootDevice();
  const admin = await f.loggedIn("jmp");
  admin.send({ Message: "Registry Write", Keys: JSON.parse('{"__proto__":"one","AppData/constructor":"two"}') as Record<string, string> });
  await f.run();
  const written = admin.named("Registry Response")[0]!;
  assert.deepEqual(Object.keys(written.Keys as object).sort(), ["AppData/constructor", "__proto__"]);
  admin.send({ Message: "Registry Read", Keys: ["__proto__", "AppData/constructor", "__lookupGetter__", "toString"] });
  await f.run();
  const read = admin.named("Registry Response")[1]!.Keys as Record<string, string>;
  assert.deepEqual(JSON.parse(JSON.stringify(read)), JSON.parse('{"__proto__":"one","AppData/constructor":"two","__lookupGetter__":"","toString":""}'));
  await f.stop();
});

test("4. login throttling: one's own logins do not hide guesses at another account; failing from many addresses does not reset one", async () => {
  const f = await bootDevice();
  const guess = async (user: string, password: string, nc: string): Promise<number> => {
    const c = challenge(await get(f, "/status", [], 80), "SHA-256");
    return (await get(f, "/status", [digestHeader(f, c, "SHA-256", user, password, "/status", nc)])).status;
  };
  // op logs in between every guess at jnior's password: the guesses are held back all the same
  const guesses: number[] = [];
  for (let i = 1; i <= 6; i++) {
    assert.notEqual(await guess(USERS.op.name, USERS.op.password, "00000001"), 401, "op's own login");
    guesses.push(await guess("jnior", "guess-" + i, "00000001"));
  }
  assert.deepEqual(guesses, [401, 401, 401, 401, 429, 429], "three failures cost nothing; from the fourth the next attempt waits");
  await f.run(2000);
  // 200 other addresses failing: the table is bounded, and the count of 192.0.2.10 stays
  for (let i = 0; i < 200; i++) {
    const from = `198.51.100.${i % 250}`;
    const c = challenge(await request(f, "GET", "/status", { from }), "SHA-256");
    await request(f, "GET", "/status", { from, headers: [digestHeader(f, c, "SHA-256", "nobody", "x", "/status")] });
  }
  // its wait has passed: one more attempt, and the count goes on from where it was (not from 0)
  assert.equal(await guess("jnior", "guess-7", "00000001"), 401);
  assert.equal(await guess("jnior", "guess-8", "00000001"), 429, "the fifth failure: held back at once");
  await f.stop();
});

test("5. logging in again and again makes no new sessions: one per account and address, four per account; others stay logged in", async () => {
  const f = await bootDevice();
  const adminCookie = await logIn(f, USERS.admin);
  for (let i = 0; i < 20; i++) {
    const c = challenge(await get(f, "/status"), "SHA-256");
    assert.equal((await get(f, "/status", [digestHeader(f, c, "SHA-256", USERS.op.name, USERS.op.password, "/status")])).status, 200);
  }
  for (let i = 0; i < 20; i++) {
    const from = `203.0.113.${i}`;
    const c = challenge(await request(f, "GET", "/status", { from }), "SHA-256");
    assert.equal((await request(f, "GET", "/status", { from, headers: [digestHeader(f, c, "SHA-256", USERS.op.name, USERS.op.password, "/status")] })).status, 200);
  }
  assert.equal((await get(f, "/api/info", [adminCookie])).status, 200, "the administrator is still logged in");
  await f.stop();
});

test("6. a setting the schema takes is one the service can apply; one it cannot is said in $Status and the unit runs on", async () => {
  const f = await bootDevice();
  const admin = await f.loggedIn("jmp");
  admin.send({ Message: "Registry Write", Keys: { "MQTT/CAFile": "../users.json" } });
  await f.run();
  assert.match(String(admin.last()?.Detail), /MQTT\/CAFile: must be a file path on the device/);
  await f.stop();

  // a value from before the rule, already on flash: the service cannot apply it, and says so
  const flash = new MemoryFlash(5);
  const earlier = new Registry(new MemoryHost({ flash }));
  earlier.write({ "MQTT/Enabled": "true", "MQTT/Host": "broker.local", "MQTT/TLS": "true", "MQTT/CAFile": "../" + "x".repeat(120) });
  earlier.close();
  const g = await bootDevice({ flash });
  assert.match(g.device.registry.get("MQTT/$Status") ?? "", /^cannot apply the settings: bad file path/);
  assert.equal((await g.loggedIn("websocket")).named("Authenticated").length, 1, "the unit runs on");
  await g.stop();
});

test("7. Websocket/Anonymous lets in only WebSockets from the unit's own pages (or from no page at all)", async () => {
  const f = await bootDevice({ settings: [["Websocket/Anonymous", "viewer"]] });
  const page = f.client("websocket", { headers: ["Origin: http://device"] });
  const elsewhere = f.client("websocket", { headers: ["Origin: http://evil.example"] });
  const tool = f.client("websocket");
  await f.run();
  for (const c of [page, elsewhere, tool]) c.send({ Message: "Status" });
  await f.run();
  assert.equal(page.named("Authenticated").length, 1);
  assert.equal(tool.named("Authenticated").length, 1);
  assert.equal(elsewhere.named("Authenticated").length, 0);
  assert.equal(elsewhere.last()?.Text, "401 Unauthorized", "another site's page must log in");
  assert.ok(f.host.logs.some((l) => /Websocket\/Anonymous from origin http:\/\/evil\.example ignored/.test(l.message)));
  await f.stop();
});

test("8. the page forbids framing and foreign content; /api/login only from the unit's pages; passwords of 8 or more; an INI backup keeps every key and says it holds passwords", async () => {
  const f = await bootDevice({ config: { assets: [{ path: "/index.html", type: "text/html; charset=utf-8", body: new Uint8Array([60, 33, 62]) }] } });
  const cookie = await logIn(f, USERS.admin);
  const page = await get(f, "/", [cookie]);
  assert.match(page.headers["content-security-policy"]?.[0] ?? "", /frame-ancestors 'none'/);
  assert.equal(page.headers["x-content-type-options"]?.[0], "nosniff");
  assert.equal(page.headers["x-frame-options"]?.[0], "DENY");
  const c = challenge(await request(f, "POST", "/api/login"), "SHA-256");
  const forged = await request(f, "POST", "/api/login", { headers: ["Origin: http://evil.example", digestHeader(f, c, "SHA-256", USERS.op.name, USERS.op.password, "/api/login", "00000001", "POST")] });
  assert.equal(forged.status, 403, "login CSRF");
  const short = await request(f, "PUT", "/api/users/ann", { headers: [cookie], body: { role: "view", password: "1234567" } });
  assert.match(short.text, /a password is 8 to 64 characters/);

  f.device.registry.write({ "AppData/#hash": "a", "AppData/;semi": "b", "MQTT/Password": "secret-pw" });
  const backup = await get(f, "/api/backup?format=ini", [cookie]);
  assert.match(backup.text, /^; It holds these passwords as they are, so that a restore has them: MQTT\/Password\. Keep it as safe as the unit\.$/m);
  f.device.registry.write({ "AppData/#hash": "", "AppData/;semi": "" });
  const restored = await request(f, "POST", "/api/restore?mode=replace", { headers: [cookie, "Content-Type: text/plain"], body: backup.text });
  assert.equal(restored.status, 200, restored.text);
  assert.deepEqual(
    ["AppData/#hash", "AppData/;semi"].map((k) => f.device.registry.get(k)),
    ["a", "b"],
    "a replace-restore of a backup loses nothing",
  );
  await f.stop();
});

test("before a login a JANOS message uses only JANOS's member names (on the device each new name is heap kept for good); logged in, Meta may name anything", async () => {
  const f = await bootDevice();
  for (const transport of ["jmp", "websocket"] as const) {
    const c = f.client(transport);
    await f.run();
    c.send('{"Message":"","Invented1234":1}');
    await f.run();
    assert.equal(c.last()?.Text, "400 Bad Request", transport);
    assert.equal(c.last()?.Detail, 'a member named "Invented1234" is not taken here');
    c.send('{"Message":"" , "Meta" : {"Hash":"Invented: not a name"}}');
    await f.run();
    assert.equal(c.last()?.Text, "401 Unauthorized", "JANOS's own names get the challenge");
    assert.deepEqual(c.last()?.Meta, { Hash: "Invented: not a name" });
    c.send('{"Message":"","Meta":{"x\\u0041":1}}');
    await f.run();
    assert.match(String(c.last()?.Detail), /is not taken here/, "an escaped name is not read as a known one");
  }
  const admin = await f.loggedIn("jmp");
  admin.send('{"Message":"Status","Meta":{"Invented1234":1}}');
  await f.run();
  assert.equal(admin.last()?.Message, "Monitor");
  assert.deepEqual(admin.last()?.Meta, { Invented1234: 1 });
  await f.stop();
});
