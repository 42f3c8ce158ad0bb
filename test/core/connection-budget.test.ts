/**
 * One connection budget for the unit (src/connection-budget.ts): idle sockets that never log in
 * cannot lock out a login, logged-in clients keep their slots, a full unit says 503, and the MQTT
 * client's slot is its own. On Node and on XS.
 */
import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { ConnectionBudget, MAX_REFUSING, type Budgeted } from "../../src/connection-budget.ts";
import { RawHttpClient } from "../../sim/http-client.ts";
import { MemoryHost } from "../../sim/memory-host.ts";
import type { JanosClient } from "../../sim/janos-client.ts";
import { board, bootDevice, USERS } from "./device-fixture.ts";
import { request } from "./web-fixture.ts";

/** Five inbound slots and one for MQTT. */
const SMALL = { budget: { slots: 6, outbound: 1 }, janos: { loginTimeoutMs: 20_000 } };
const INTRUDER = "203.0.113.66";

async function idleJmp(f: Awaited<ReturnType<typeof bootDevice>>, n: number, from = INTRUDER): Promise<JanosClient[]> {
  const clients: JanosClient[] = [];
  for (let i = 0; i < n; i++) {
    clients.push(f.client("jmp", { from }));
    await f.run(10);
  }
  return clients;
}

/** Every inbound slot of SMALL held by a logged-in client, WebSocket and JMP alternating. */
async function fillWithLogins(f: Awaited<ReturnType<typeof bootDevice>>): Promise<JanosClient[]> {
  const held: JanosClient[] = [];
  for (let i = 0; i < 5; i++) held.push(await f.loggedIn(i % 2 ? "jmp" : "websocket"));
  return held;
}

/** The logged-in clients all kept their slots; once one leaves, a login works again. Stops the unit. */
async function nobodyPushedOutAndOneLeaves(f: Awaited<ReturnType<typeof bootDevice>>, held: JanosClient[]): Promise<void> {
  assert.equal(held.filter((c) => c.closed).length, 0, "nobody logged in was pushed out");
  held[0]!.close();
  await f.run();
  const again = await f.loggedIn("jmp", USERS.viewer);
  assert.equal(again.named("Authenticated").length, 1);
  await f.stop();
}

test("idle sockets that never log in cannot lock out a login: the oldest of them is closed to make room", async () => {
  const f = await bootDevice({ config: SMALL });
  const idle = await idleJmp(f, 5);
  assert.equal(idle.filter((c) => c.closed).length, 0, "five fit");
  const admin = await f.loggedIn("websocket");
  assert.equal(idle[0]!.closed, true, "the oldest idle connection made room");
  assert.equal(idle.filter((c) => c.closed).length, 1);
  assert.ok(f.host.logs.some((l) => /connections: jmp 203\.0\.113\.66:\d+ had not logged in; closed to make room for http /.test(l.message)));

  // more of them only push each other out: the logged-in client stays
  const more = await idleJmp(f, 6);
  await f.run(100);
  assert.equal(admin.closed, false);
  assert.equal([...idle, ...more].filter((c) => !c.closed).length, 4, "four slots left for them, the oldest closed first");
  assert.equal(more.slice(-4).filter((c) => c.closed).length, 0);
  admin.send({ Message: "Status" });
  await f.run();
  assert.equal(admin.named("Monitor").length, 2, "the logged-in client is served throughout");
  await f.stop();
});

test("a flood from one address pushes out its own connections, not another client's that has yet to log in", async () => {
  const f = await bootDevice({ config: SMALL });
  await idleJmp(f, 3);
  const newcomer = f.client("jmp", { from: "192.0.2.20" }); // just connected, about to log in
  await f.run(10);
  await idleJmp(f, 4);
  assert.equal(newcomer.closed, false, "the address with the most idle connections gives way");
  newcomer.send({ Message: "" });
  await f.run();
  newcomer.send({ "Auth-Digest": newcomer.authDigest(USERS.op.name, USERS.op.password) });
  await f.run();
  assert.equal(newcomer.named("Authenticated").length, 1);
  await f.stop();
});

test("every slot held by a logged-in client: HTTP gets 503 and JMP a 503 error; once one leaves, a login works again", async () => {
  const f = await bootDevice({ config: SMALL });
  const held = await fillWithLogins(f);
  const page = await request(f, "GET", "/status");
  assert.equal(page.status, 503);
  assert.equal(page.headers["retry-after"]?.[0], "5");
  const refused = f.client("jmp");
  await f.run();
  assert.equal(refused.named("Error")[0]?.Text, "503 Service Unavailable");
  assert.match(String(refused.named("Error")[0]?.Detail), /every connection slot of the unit is held by a logged-in client/);
  assert.equal(refused.closed, true);
  assert.ok(f.host.logs.some((l) => l.level === "warn" && /all 5 inbound slots are held by logged-in connections/.test(l.message)));
  await nobodyPushedOutAndOneLeaves(f, held);
});

test("a flood at a full unit: a few get their 503, the rest are closed as they arrive and cost the server nothing; logins work after", async () => {
  const f = await bootDevice({ config: SMALL });
  const held = await fillWithLogins(f);
  const opened = f.host.net.acceptedOpen;
  // 100 connections in one moment, half JMP, half HTTP
  const jmp = Array.from({ length: 50 }, (_, i) => f.client("jmp", { from: `198.51.100.${i + 1}` }));
  const http = Array.from({ length: 50 }, (_, i) => new RawHttpClient(f.host.net, 80, { from: `198.51.101.${i + 1}` }));
  for (const c of http) c.send("GET /status HTTP/1.1\r\nHost: device\r\n\r\n");
  await f.run(0);
  assert.ok(f.host.net.acceptedOpen - opened <= 2 * MAX_REFUSING, `${f.host.net.acceptedOpen - opened} connections set up for refusals at once`);
  await f.run(100);
  const told = jmp.filter((c) => c.named("Error")[0]?.Text === "503 Service Unavailable").length;
  assert.ok(told >= 1 && told <= MAX_REFUSING, `${told} JMP clients told 503`);
  const answered = http.filter((c) => c.responses().length).length;
  assert.ok(answered >= 1 && answered <= MAX_REFUSING, `${answered} HTTP clients told 503`);
  assert.equal(jmp.filter((c) => !c.closed).length, 0, "every one of them closed");
  assert.equal(http.filter((c) => c.closed === null).length, 0);
  assert.equal(f.host.net.acceptedOpen, opened, "nothing left open for them");
  await nobodyPushedOutAndOneLeaves(f, held);
});

test("an HTTP connection in the middle of a request keeps its slot; an idle keep-alive one makes room", async () => {
  const f = await bootDevice({ config: SMALL });
  const uploading = new RawHttpClient(f.host.net, 80, { from: "192.0.2.40" });
  uploading.send("POST /api/login HTTP/1.1\r\nHost: device\r\nContent-Length: 100\r\n\r\n0123456789");
  const idle = new RawHttpClient(f.host.net, 80, { from: "192.0.2.41" });
  idle.send("GET /api/setup HTTP/1.1\r\nHost: device\r\n\r\n");
  await f.run();
  assert.equal(idle.responses().length, 1, "answered, and kept alive");
  for (let i = 0; i < 3; i++) await idleJmp(f, 1, `192.0.2.${50 + i}`); // full
  assert.equal(idle.closed, null);
  await idleJmp(f, 1, "192.0.2.60");
  assert.ok(idle.closed !== null, "the oldest connection that was not serving a request made room");
  assert.equal(uploading.closed, null, "the upload goes on");
  uploading.send("x".repeat(90));
  await f.run();
  assert.equal(uploading.responses()[0]?.status, 401, "and is answered");
  await f.stop();
});

test("a connection that has not logged in is closed at the device's login deadline", async () => {
  const f = await bootDevice({ config: SMALL });
  const [c] = await idleJmp(f, 1, "192.0.2.30");
  await f.run(19_000);
  assert.equal(c!.closed, false);
  await f.run(1_500);
  assert.equal(c!.closed, true);
  await f.stop();
});

class Fake implements Budgeted {
  readonly kind = "test";
  shedCount = 0;
  constructor(
    readonly remoteAddress: string,
    readonly remotePort: number,
    public sheddable = true,
  ) {}
  shed(): void {
    this.shedCount++;
  }
}

test("the budget itself: outbound slots are kept apart, a connection mid-request is never shed, a shed one frees its slot once", () => {
  const host = new MemoryHost({ layout: board, unitId: "0200000abcdef" });
  const budget = new ConnectionBudget(host, { slots: 4, outbound: 1 });
  const busy = [new Fake("192.0.2.1", 1, false), new Fake("192.0.2.2", 2, false), new Fake("192.0.2.3", 3)];
  for (const c of busy) assert.equal(budget.admit(c), true);
  assert.equal(budget.openOutbound(), true, "MQTT's slot is there with the inbound ones full");
  assert.equal(budget.openOutbound(), false, "but only the one kept for it");
  assert.equal(budget.used, 4);
  const next = new Fake("192.0.2.4", 4);
  assert.equal(budget.admit(next), true);
  assert.equal(busy[2]!.shedCount, 1, "the one not logged in made room");
  assert.equal(busy[0]!.shedCount + busy[1]!.shedCount, 0);
  budget.release(busy[2]!); // its close arrives later: harmless
  assert.equal(budget.used, 4);
  next.sheddable = false; // it logged in
  assert.equal(budget.admit(new Fake("192.0.2.5", 5)), false, "all logged in: refused");
  budget.closeOutbound();
  assert.equal(budget.admit(new Fake("192.0.2.6", 6)), false, "an idle outbound slot is not lent to inbound connections");
  budget.release(busy[0]!);
  assert.equal(budget.admit(new Fake("192.0.2.7", 7)), true);
});
