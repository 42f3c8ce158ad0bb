import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { toBase64, encodeUtf8 } from "../../src/bytes.ts";
import { bootDevice, USERS } from "./device-fixture.ts";
import { challenge, digestHeader, get, sessionCookie } from "./web-fixture.ts";

const TLS = { name: "https", port: 443, tls: { cert: "", key: "" } };

test("pages need a login: 401 with Digest SHA-256 and MD5 challenges; Basic is offered only over TLS", async () => {
  const f = await bootDevice({ config: { listeners: [{ name: "http", port: 80 }, TLS], authentication: { realm: "plant-7", schemes: ["Basic", "Bearer"], scope: [] } } });
  const plain = await get(f, "/status");
  assert.equal(plain.status, 401);
  const offered = plain.headers["www-authenticate"]!;
  assert.equal(offered.length, 2);
  assert.match(offered[0]!, /^Digest realm="plant-7", qop="auth", algorithm=SHA-256, nonce="[^"]+", opaque="[^"]+"$/);
  assert.match(offered[1]!, /^Digest .*algorithm=MD5/);
  assert.deepEqual(plain.headers["cache-control"], ["no-store"]);
  const secure = await get(f, "/status", [], 443);
  assert.equal(secure.headers["www-authenticate"]!.length, 3);
  assert.equal(secure.headers["www-authenticate"]![2], 'Basic realm="plant-7", charset="UTF-8"');
  await f.stop();
});

for (const algorithm of ["SHA-256", "MD5"] as const) {
  test(`a Digest ${algorithm} login opens the page and starts a session; its cookie alone opens the next`, async () => {
    const f = await bootDevice();
    const c = challenge(await get(f, "/status"), algorithm);
    const ok = await get(f, "/status", [digestHeader(f, c, algorithm, USERS.op.name, USERS.op.password, "/status")]);
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.text).model, "410");
    const setCookie = ok.headers["set-cookie"]![0]!;
    assert.match(setCookie, /^iobox_session=[0-9a-f]{32}; Path=\/; HttpOnly; SameSite=Strict$/, "no Secure over plain HTTP");
    const again = await get(f, "/", ["Cookie: other=1; iobox_session=" + sessionCookie(ok)]);
    assert.equal(again.status, 200);
    assert.equal(again.headers["set-cookie"], undefined, "no new session for a request that has one");
    assert.equal((await get(f, "/", ["Cookie: iobox_session=" + "0".repeat(32)])).status, 401, "an unknown session is no login");
    await f.stop();
  });
}

test("wrong passwords: 401 again, logged; after three, the address must wait (429 with Retry-After)", async () => {
  const f = await bootDevice();
  const c = challenge(await get(f, "/status"), "SHA-256");
  for (let i = 1; i <= 4; i++) {
    const r = await get(f, "/status", [digestHeader(f, c, "SHA-256", "jnior", "guess" + i, "/status", "0000000" + i)]);
    assert.equal(r.status, 401, "attempt " + i);
  }
  const blocked = await get(f, "/status", [digestHeader(f, c, "SHA-256", USERS.admin.name, USERS.admin.password, "/status", "00000005")]);
  assert.equal(blocked.status, 429);
  assert.deepEqual(blocked.headers["retry-after"], ["1"]);
  assert.ok(f.host.logs.filter((l) => l.level === "warn" && /^web [0-9.]+: login as "jnior" failed: unknown user or wrong password \(\d from [0-9.]+\)$/.test(l.message)).length === 4);
  await f.run(1000);
  const ok = await get(f, "/status", [digestHeader(f, c, "SHA-256", USERS.admin.name, USERS.admin.password, "/status", "00000006")]);
  assert.equal(ok.status, 200, "after the wait the right password works");
  await f.stop();
});

test("a Digest response for another URI, or replayed, is refused", async () => {
  const f = await bootDevice();
  const c = challenge(await get(f, "/status"), "SHA-256");
  const forRoot = digestHeader(f, c, "SHA-256", USERS.admin.name, USERS.admin.password, "/");
  assert.equal((await get(f, "/status", [forRoot])).status, 401);
  const good = digestHeader(f, c, "SHA-256", USERS.admin.name, USERS.admin.password, "/status", "00000002");
  assert.equal((await get(f, "/status", [good])).status, 200);
  assert.equal((await get(f, "/status", [good])).status, 401, "the same nc again is a replay");
  await f.stop();
});

test("Basic: refused in the clear even with the right password, accepted over TLS with a Secure cookie", async () => {
  const f = await bootDevice({ config: { listeners: [{ name: "http", port: 80 }, TLS] } });
  const basic = "Authorization: Basic " + toBase64(encodeUtf8(`${USERS.viewer.name}:${USERS.viewer.password}`));
  assert.equal((await get(f, "/status", [basic])).status, 401);
  const secure = await get(f, "/status", [basic], 443);
  assert.equal(secure.status, 200);
  assert.match(secure.headers["set-cookie"]![0]!, /; Secure$/);
  const wrong = "Authorization: Basic " + toBase64(encodeUtf8(`${USERS.viewer.name}:nope`));
  assert.equal((await get(f, "/status", [wrong], 443)).status, 401);
  await f.stop();
});

test("a session ends on logout, and after 30 idle minutes", async () => {
  const f = await bootDevice();
  const c = challenge(await get(f, "/status"), "SHA-256");
  const login = async (nc: string): Promise<string> => sessionCookie(await get(f, "/status", [digestHeader(f, c, "SHA-256", USERS.admin.name, USERS.admin.password, "/status", nc)]));
  const first = await login("00000001");
  const out = await get(f, "/logout", ["Cookie: iobox_session=" + first], 80, "POST");
  assert.equal(out.status, 204);
  assert.match(out.headers["set-cookie"]![0]!, /^iobox_session=; Path=\/; Max-Age=0/);
  assert.equal((await get(f, "/status", ["Cookie: iobox_session=" + first])).status, 401);
  const second = await login("00000002");
  await f.run(29 * 60_000);
  assert.equal((await get(f, "/status", ["Cookie: iobox_session=" + second])).status, 200, "use keeps it alive");
  await f.run(30 * 60_000);
  assert.equal((await get(f, "/status", ["Cookie: iobox_session=" + second])).status, 401);
  await f.stop();
});

test("a WebSocket upgrade with the session cookie starts logged in: its first message gets Authenticated and a Monitor", async () => {
  const f = await bootDevice();
  const c = challenge(await get(f, "/status"), "SHA-256");
  const cookie = sessionCookie(await get(f, "/status", [digestHeader(f, c, "SHA-256", USERS.op.name, USERS.op.password, "/status")]));
  const ws = f.client("websocket", { headers: ["Cookie: iobox_session=" + cookie, "Origin: http://device"] });
  await f.run();
  assert.equal(ws.messages.length, 0, "nothing before the client's first message");
  ws.send({ Message: "" });
  await f.run();
  assert.deepEqual(ws.messages.map((m) => m.Message), ["Authenticated", "Monitor"]);
  assert.deepEqual(ws.messages[0], { Message: "Authenticated", Administrator: false, Control: true });
  // from another site's page, the browser's cookie is not a login
  const hijack = f.client("websocket", { headers: ["Cookie: iobox_session=" + cookie, "Origin: http://evil.example"] });
  await f.run();
  hijack.send({ Message: "" });
  await f.run();
  assert.equal(hijack.last()!.Text, "401 Unauthorized");
  assert.ok(f.host.logs.some((l) => /session cookie from origin http:\/\/evil\.example ignored/.test(l.message)));
  await f.stop();
});

test("WebServer/Login false: pages are open and no session is made; WebSockets still log in", async () => {
  const f = await bootDevice({ settings: [["WebServer/Login", "false"]] });
  const r = await get(f, "/status");
  assert.equal(r.status, 200);
  assert.equal(r.headers["set-cookie"], undefined);
  const ws = f.client("websocket");
  await f.run();
  ws.send({ Message: "" });
  await f.run();
  assert.equal(ws.last()!.Text, "401 Unauthorized");
  await f.stop();
});
