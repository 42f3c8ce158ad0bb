import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { decodeUtf8, encodeUtf8, fromBase64Url, toBase64 } from "../../src/bytes.ts";
import { encodeCbor, Tagged, type CborValue } from "../../src/cbor.ts";
import { hmac } from "../../src/digest.ts";
import { parseSecurity } from "../../src/auth/security.ts";
import type { JwtIssuer } from "../../src/auth/jwt.ts";
import { m, XentaraClient, type Packet } from "../../sim/xentara-client.ts";
import { board, bootDevice, USERS, type DeviceFixture } from "./device-fixture.ts";

const SECURITY = parseSecurity(
  JSON.stringify({
    roles: [
      { name: "Administrator", UUID: "8a38fb06-fa47-4f98-9419-a0fb6511e671" },
      { name: "Operator", UUID: "3f0d1c52-6b1e-4c8a-9f3e-2a7d5b9c4e10" },
      { name: "Viewer", UUID: "c7e2a9d4-1b5f-4e6a-8d3c-0f9b2e7a6c51" },
    ],
    ACL: {
      inherit: false,
      entries: [
        { role: "Operator", allow: ["websocket.connect", "read", "write"] },
        { role: "Administrator", allow: ["websocket.connect", "read", "write"] },
        { role: "Viewer", allow: ["websocket.connect", "read"] },
      ],
    },
  }),
);

const SECRET = encodeUtf8("a-shared-secret-of-at-least-32-bytes!");
const ISSUER: JwtIssuer = {
  iss: "https://auth.example.com/",
  aud: "iobox",
  algorithm: "HS256",
  key: { kind: "hmac", secret: SECRET },
  roles: [],
  authorizationClaims: { groups: { "plant-operators": ["Operator"] } },
  nonConformance: {},
};

const TLS = { name: "https", port: 443, tls: { cert: "", key: "" } };

async function boot(options: { scope?: string[] } = {}): Promise<DeviceFixture> {
  return bootDevice({
    config: {
      listeners: [{ name: "http", port: 80 }, TLS],
      security: SECURITY,
      oauth2: { scope: [], issuers: [ISSUER] },
      authentication: { realm: "iobox", schemes: ["Bearer", "Basic"], scope: options.scope ?? [] },
    },
  });
}

const b64url = (text: string): string => toBase64(encodeUtf8(text), true);

function token(f: DeviceFixture, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string {
  const now = Math.floor(f.host.clock.now() / 1000);
  const h = b64url(JSON.stringify({ alg: "HS256", typ: "at+jwt", ...header }));
  const p = b64url(
    JSON.stringify({ iss: ISSUER.iss, aud: "iobox", sub: "svc-1", client_id: "scada", jti: "j-1", iat: now, exp: now + 600, scope: "iobox", groups: ["plant-operators"], ...claims }),
  );
  const signature = toBase64(hmac(f.host.crypto, "sha256", SECRET, encodeUtf8(h + "." + p)), true);
  return `${h}.${p}.${signature}`;
}

const basic = (user: { name: string; password: string }): string => "Basic " + toBase64(encodeUtf8(`${user.name}:${user.password}`));

/** Connects and says hello; the client is ready for requests. */
async function session(f: DeviceFixture, authorization = basic(USERS.op)): Promise<XentaraClient> {
  const c = new XentaraClient(f.host.net, 443, { authorization });
  await f.run();
  assert.equal(c.ws.status, 101, c.ws.responseHead);
  const id = c.request(14, m([0, 1], [1, 1]));
  await f.run();
  assert.deepEqual(c.response(id), [1, id, m([0, 1])]);
  return c;
}

function result(c: XentaraClient, id: number): CborValue {
  const r = c.response(id);
  if (!r) throw new Error("no response to " + id);
  if (r[0] !== 1) throw new Error("error response: " + JSON.stringify([...(r[2] as Map<CborValue, CborValue>)]));
  return r[2];
}

function errorCode(c: XentaraClient, id: number): number | undefined {
  const r = c.response(id);
  return r && r[0] === 2 ? ((r[2] as Map<CborValue, CborValue>).get(0) as number) : undefined;
}

async function uuidOf(f: DeviceFixture, c: XentaraClient, key: string): Promise<Tagged> {
  const id = c.request(3, m([0, key]));
  await f.run();
  return result(c, id) as Tagged;
}

test("the upgrade needs credentials: 401 with one challenge per scheme; /api/ws is TLS only", async () => {
  const f = await boot({ scope: ["iobox"] });
  const none = new XentaraClient(f.host.net, 443);
  await f.run();
  assert.equal(none.ws.status, 401);
  const challenges = none.ws.responseHead.split("\r\n").filter((l) => l.startsWith("WWW-Authenticate: "));
  assert.deepEqual(challenges, ['WWW-Authenticate: Bearer realm="iobox", scope="iobox"', 'WWW-Authenticate: Basic realm="iobox", charset="UTF-8"']);
  const plain = new XentaraClient(f.host.net, 80, { secure: false, authorization: basic(USERS.op) });
  await f.run();
  assert.equal(plain.ws.status, 403);
  const wrong = new XentaraClient(f.host.net, 443, { authorization: basic({ name: "op", password: "nope" }) });
  await f.run();
  assert.equal(wrong.ws.status, 401);
  assert.ok(f.host.logs.some((l) => /^xentara [0-9.]+: login as "op" failed: unknown user or wrong password/.test(l.message)));
  await f.stop();
});

test("Bearer: a valid token connects; bad ones get 401 invalid_token; a missing scope gets 403 insufficient_scope", async () => {
  const f = await boot({ scope: ["iobox"] });
  const now = Math.floor(f.host.clock.now() / 1000);
  const good = await session(f, "Bearer " + token(f));
  const who = good.request(0, m([0, [1]]));
  await f.run();
  assert.equal((result(good, who) as Map<CborValue, CborValue>).get(1), "svc-1");
  const bad: [string, string][] = [
    ["expired", token(f, { exp: now - 120 })],
    ["not yet valid", token(f, { nbf: now + 600 })],
    ["wrong audience", token(f, { aud: "someone-else" })],
    ["wrong issuer", token(f, { iss: "https://evil.example/" })],
    ["tampered", token(f).replace(/\.([^.]+)\./, (_m, p: string) => "." + b64url(JSON.stringify({ ...JSON.parse(decodeUtf8(fromBase64Url(p))), groups: ["plant-admins"] })) + ".")],
    ["alg none", token(f, {}, { alg: "none" }).replace(/\.[^.]*$/, ".")],
  ];
  for (const [what, t] of bad) {
    const c = new XentaraClient(f.host.net, 443, { authorization: "Bearer " + t });
    await f.run();
    assert.equal(c.ws.status, 401, what);
    assert.match(c.ws.responseHead, /WWW-Authenticate: Bearer realm="iobox", scope="iobox", error="invalid_token", error_description="[^"]+"/, what);
  }
  const noScope = new XentaraClient(f.host.net, 443, { authorization: "Bearer " + token(f, { scope: "other" }) });
  await f.run();
  assert.equal(noScope.ws.status, 403);
  assert.match(noScope.ws.responseHead, /error="insufficient_scope"/);
  await f.stop();
});

test("websocket.connect decides: a token whose claims map to no role is refused with 403", async () => {
  const f = await boot();
  const c = new XentaraClient(f.host.net, 443, { authorization: "Bearer " + token(f, { groups: ["visitors"] }) });
  await f.run();
  assert.equal(c.ws.status, 403);
  assert.ok(f.host.logs.some((l) => /"svc-1" is not entitled to websocket.connect/.test(l.message)));
  await f.stop();
});

test("client_hello comes first, once; other commands before it get -32000", async () => {
  const f = await boot();
  const c = new XentaraClient(f.host.net, 443, { authorization: basic(USERS.op) });
  await f.run();
  const early = c.request(8);
  await f.run();
  assert.equal(errorCode(c, early), -32000);
  const hello = c.request(14, m([0, 0], [1, 3]));
  await f.run();
  assert.deepEqual(result(c, hello), m([0, 1]));
  const again = c.request(14, m([0, 1], [1, 1]));
  const stage = c.request(8);
  await f.run();
  assert.equal(errorCode(c, again), -32001);
  assert.equal(result(c, stage), 2);
  await f.stop();
});

test("browse, lookup and meta_data describe the I/O as one device group of Data Points", async () => {
  const f = await boot();
  const c = await session(f);
  const [all, top, points, group] = c.batch([
    [1, m([0, new Tagged(37, new Uint8Array(16))])],
    [1, m([0, new Tagged(37, new Uint8Array(16))], [1, 1])],
    [1, m([0, new Tagged(37, new Uint8Array(16))], [2, [2]])],
    [3, m([0, "IO"])],
  ]);
  await f.run();
  const keys = (r: CborValue): string[] => (r as Map<CborValue, CborValue>[]).map((e) => e.get(0) as string);
  assert.deepEqual(keys(result(c, all!)), ["IO", ...board.inputs.map((_, i) => `IO.din${i + 1}`), ...board.outputs.map((_, i) => `IO.rout${i + 1}`)]);
  assert.deepEqual(keys(result(c, top!)), ["IO"]);
  assert.equal(keys(result(c, points!)).length, 16, "the category filter keeps Data Points");
  const groupUuid = result(c, group!) as Tagged;
  const meta = c.request(2, m([0, await uuidOf(f, c, "IO.rout1")], [1, [0, 1, 2, 3]]));
  const children = c.request(1, m([0, groupUuid], [1, 1]));
  const badMeta = c.request(2, m([0, groupUuid], [1, [9]]));
  const unknown = c.request(3, m([0, "IO.nothing"]));
  await f.run();
  const md = result(c, meta) as Map<CborValue, CborValue>;
  assert.equal(md.get(0), "IO.rout1");
  assert.equal(md.get(1), 2);
  assert.equal(md.get(3), false);
  const value = (md.get(2) as Map<CborValue, CborValue>[]).find((a) => a.get(1) === 11)!;
  assert.deepEqual([value.get(0), value.get(2), value.get(3)], ["value", 3, 0], "read and write, boolean");
  assert.equal((result(c, children) as unknown[]).length, 16);
  assert.equal(errorCode(c, badMeta), -32602);
  assert.equal(errorCode(c, unknown), -32100);
  await f.stop();
});

test("read: values, quality and times per attribute; a missing attribute fails alone", async () => {
  const f = await boot();
  f.host.board.setInput(board.inputs[1]!.pin, 1);
  await f.run(300);
  const c = await session(f);
  const din2 = await uuidOf(f, c, "IO.din2");
  const id = c.request(4, m([0, din2], [1, [11, 9, 0, 7, 8]]));
  await f.run();
  const r = result(c, id) as Map<CborValue, CborValue>;
  assert.deepEqual(r.get(11), new Tagged(121, true));
  assert.deepEqual(r.get(9), new Tagged(121, 0));
  assert.deepEqual(r.get(0), new Tagged(121, "IO.din2"));
  const change = ((r.get(7) as Tagged).value as Tagged).value as Map<CborValue, CborValue>;
  assert.deepEqual(change.get(4), new Tagged(4, [-3, f.host.clock.now() - 100]), "changed when the 200 ms debounce passed");
  assert.deepEqual(r.get(8), new Tagged(122, m([0, -32101], [1, "missing attribute"])), "an input has no write time");
  await f.stop();
});

test("write: a relay follows to its pin; inputs are read-only; the value must be a boolean; view-only users cannot write", async () => {
  const f = await boot();
  const c = await session(f);
  const rout3 = await uuidOf(f, c, "IO.rout3");
  const din1 = await uuidOf(f, c, "IO.din1");
  const [on, input, notBool] = c.batch([
    [5, m([0, rout3], [1, 11], [2, true])],
    [5, m([0, din1], [1, 11], [2, true])],
    [5, m([0, rout3], [1, 11], [2, 1])],
  ]);
  await f.run();
  assert.deepEqual(c.response(on!), [1, on]);
  assert.equal(f.host.board.outputLevel(board.outputs[2]!.pin), 1, "the relay's pin is driven");
  assert.equal(errorCode(c, input!), -32103);
  assert.equal(errorCode(c, notBool!), -32106);
  const viewer = await session(f, basic(USERS.viewer));
  const refused = viewer.request(5, m([0, rout3], [1, 11], [2, false]));
  await f.run();
  assert.equal(errorCode(viewer, refused), -32102);
  assert.equal(f.host.board.outputLevel(board.outputs[2]!.pin), 1);
  await f.stop();
});

test("subscribe: an input change is an event; unsubscribe stops them; unknown ids get -32110", async () => {
  const f = await boot();
  const c = await session(f);
  const din1 = await uuidOf(f, c, "IO.din1");
  const sub = c.request(6, m([0, [m([0, din1], [1, [11, 7]])]]));
  await f.run();
  const subscription = result(c, sub) as Tagged;
  assert.equal(subscription.tag, 37);
  f.host.board.setInput(board.inputs[0]!.pin, 1);
  await f.run(250);
  assert.equal(c.events.length, 1);
  const event = c.events[0]! as [number, number, Map<CborValue, CborValue>];
  assert.deepEqual([event[0], event[1]], [8, 0]);
  assert.deepEqual(event[2].get(1), din1);
  assert.deepEqual((event[2].get(2) as Map<CborValue, CborValue>).get(11), new Tagged(121, true));
  assert.ok(c.messages.every((msg) => msg.every((p) => p[0] === 8) || msg.every((p) => p[0] !== 8)), "events and responses never share a message");
  const un = c.request(7, m([0, subscription]));
  const unknown = c.request(7, m([0, new Tagged(37, new Uint8Array(16).fill(7))]));
  await f.run();
  assert.deepEqual(c.response(un), [1, un]);
  assert.equal(errorCode(c, unknown), -32110);
  f.host.board.setInput(board.inputs[0]!.pin, 0);
  await f.run(250);
  assert.equal(c.events.length, 1, "no events after unsubscribe");
  await f.stop();
});

test("maximum_update_rate: changes within the window come as one event with the latest value", async () => {
  const f = await bootDevice({
    settings: [["IO/Inputs/din1/Debounce", "0"]],
    config: { listeners: [TLS], security: SECURITY, authentication: { realm: "iobox", schemes: ["Basic"], scope: [] } },
  });
  const c = await session(f);
  const din1 = await uuidOf(f, c, "IO.din1");
  c.request(6, m([0, [m([0, din1], [1, [11]])]], [1, 1000]));
  await f.run();
  const pin = board.inputs[0]!.pin;
  f.host.board.setInput(pin, 1); // the first change goes at once: no event was sent in the last window
  await f.run(10);
  for (let i = 0; i < 9; i++) {
    f.host.board.setInput(pin, i % 2 === 0 ? 0 : 1);
    await f.run(10);
  }
  const values = (): boolean[] => c.events.map((e) => ((e[2] as Map<CborValue, CborValue>).get(2) as Map<CborValue, CborValue>).get(11) as Tagged).map((t) => t.value as boolean);
  assert.deepEqual(values(), [true], "one event in the first window");
  await f.run(1000);
  assert.deepEqual(values(), [true, false], "the window's end sends the latest value (off after 9 more changes)");
  await f.stop();
});

test("minimum_update_rate: the values are sent again after that long without changes", async () => {
  const f = await boot();
  const c = await session(f);
  const rout1 = await uuidOf(f, c, "IO.rout1");
  c.request(6, m([0, [m([0, rout1], [1, [11]])]], [2, 500]));
  await f.run(499);
  assert.equal(c.events.length, 0);
  await f.run(1);
  assert.equal(c.events.length, 1, "a heartbeat");
  await f.run(500);
  assert.equal(c.events.length, 2);
  const tooFast = c.request(6, m([0, [m([0, rout1], [1, [11]])]], [2, 10]));
  await f.run();
  assert.equal(errorCode(c, tooFast), -32602);
  await f.stop();
});

test("malformed input: not CBOR -32700, not an array of packets -32600, unknown opcode -32601; the connection goes on", async () => {
  const f = await boot();
  const c = await session(f);
  c.raw(new Uint8Array([0x9f, 0x01])); // an unterminated indefinite array
  await f.run();
  c.raw(encodeCbor(m([0, 1])));
  await f.run();
  const unknown = c.request(99);
  const stage = c.request(8);
  await f.run();
  const all = c.responses;
  assert.equal(((all[1] as Packet)[2] as Map<CborValue, CborValue>).get(0), -32700);
  assert.equal(((all[2] as Packet)[2] as Map<CborValue, CborValue>).get(0), -32600);
  assert.equal(errorCode(c, unknown), -32601);
  assert.equal(result(c, stage), 2);
  await f.stop();
});

test("element UUIDs are kept in the registry: the same after a reboot", async () => {
  const f = await boot();
  const first = f.device.xentara.model.all.map((e) => e.id);
  assert.match(f.device.registry.get("Xentara/UUID/rout1") ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  await f.stop();
  const again = await bootDevice({ config: { listeners: [TLS], security: SECURITY }, flash: f.host.flash });
  assert.deepEqual(again.device.xentara.model.all.map((e) => e.id), first);
  await again.stop();
});

test("a change of count alone is no data change: a forced-on input sends no events when its pin moves", async () => {
  const f = await bootDevice({
    settings: [["IO/Inputs/din1/Debounce", "0"], ["IO/Inputs/din1/Conditioning", "3"]],
    config: { listeners: [TLS], security: SECURITY, authentication: { realm: "iobox", schemes: ["Basic"], scope: [] } },
  });
  const c = await session(f);
  const din1 = await uuidOf(f, c, "IO.din1");
  c.request(6, m([0, [m([0, din1], [1, [11]])]]));
  await f.run();
  for (const level of [1, 0, 1, 0] as const) {
    f.host.board.setInput(board.inputs[0]!.pin, level);
    await f.run(10);
  }
  assert.equal(f.device.io.inputs[0]!.count, 2, "the pin moved and was counted");
  assert.equal(c.events.length, 0, "the reported value stayed on");
  await f.stop();
});

test("an account that changes loses its Basic sessions; Bearer sessions of a token subject with that name stay", async () => {
  const f = await boot();
  const basicSession = await session(f, basic(USERS.op));
  const bearerSession = await session(f, "Bearer " + token(f, { sub: USERS.op.name }));
  const viewerSession = await session(f, basic(USERS.viewer));
  f.device.users.put({ name: USERS.op.name, role: "view", password: USERS.op.password });
  await f.run(10);
  const closeFrame = (c: XentaraClient) => c.ws.frames.find((fr) => fr.opcode === 8);
  assert.equal(closeFrame(basicSession)?.payload[1], 1008 & 0xff, "the demoted account's session is closed with 1008");
  assert.equal(closeFrame(bearerSession), undefined, "a token is not the account");
  assert.equal(closeFrame(viewerSession), undefined, "other accounts go on");
  const id = viewerSession.request(3, m([0, "IO/Inputs/din1"]));
  await f.run();
  assert.ok(viewerSession.response(id), "and still answer");
  await f.stop();
});
