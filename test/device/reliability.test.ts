/**
 * Nothing a client sends stops the device: the reliability suite on the device image in mcsim.
 * Each case starts the image afresh (a first boot), sends what a hostile or broken client sends,
 * and then the image must still serve HTTP and JMP, with no `XS abort`, memory full or crash in its
 * log. On Moddable's engine an exception that escapes a callback ends the VM, built-ins the code
 * never names are stripped, built-in prototypes are frozen in flash and the stack is 1,024 slots:
 * these cases are the ones that reach those facts (issue 19). Then the fuzz corpus of
 * test/core/fuzz/ is replayed on the image, and a short random pass runs on every device target.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fuzz, printable } from "../core/fuzz/engine.ts";
import { freePort, Mosquitto, publish, Subscriber } from "../node/mosquitto.ts";
import { authDigest, JmpClient, WsClient, type E2eClient, type Json } from "../node/janos-clients.ts";
import { digestAuthorization, digestFetch, parseChallenges } from "../node/web-client.ts";
import { addControlUser, deviceTargets, serves, type DeviceUsers } from "./device-fuzz.ts";
import { ADMIN, BASE, built, sleep } from "./fixture.ts";
import { DEVICE_PORTS, DeviceSim, type Heap } from "./mcsim.ts";
import { deepArray, jmpFrame, openMany, rawExchange } from "./raw.ts";

const USERS: DeviceUsers = { admin: ADMIN, control: { name: "op", password: "op-pw-2026" } };

/** Names that are properties of every plain object, or of Object.prototype's accessors. */
const PROTO = ["__proto__", "constructor", "__lookupGetter__", "__defineSetter__", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "prototype", "length"];

/** Runs `body` on a freshly started image; then the image must serve, and must never have stopped. */
function onFreshDevice(name: string, body: (device: DeviceSim) => Promise<void>): void {
  test(name, async () => {
    const { sdk, so } = built();
    const device = await DeviceSim.start(sdk, so);
    try {
      await body(device);
      await serves(device, name);
    } catch (e) {
      // what the device said is most of the story
      throw new Error(`${(e as Error).message}\n--- the device's log, its end:\n${device.log.slice(-3000)}`, { cause: e });
    } finally {
      await device.stop();
    }
    assert.deepEqual(device.problems(), [], "the device's log:\n" + device.log.slice(-3000));
  });
}

async function loggedIn(kind: "ws" | "jmp", user = ADMIN): Promise<E2eClient> {
  const c = kind === "ws" ? new WsClient(`ws://127.0.0.1:${DEVICE_PORTS.http}/`) : new JmpClient(DEVICE_PORTS.jmp);
  await (c instanceof WsClient ? c.opened : (c as JmpClient).connected);
  await c.login(user.name, user.password);
  return c;
}

/** Sends `message` and waits for its answer (not a Monitor or a Registry Update, which come unasked). */
async function ask(c: E2eClient, message: Json | string): Promise<Json> {
  const answer = c.waitFor((m) => m.Message !== "Monitor" && m.Message !== "Registry Update", 5000, c.messages.length);
  c.send(message);
  return answer;
}

/** A GET from a given local address (node:http: fetch cannot choose one). */
function get(path: string, headers: Record<string, string>, localAddress: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const r = http.get({ host: "127.0.0.1", port: DEVICE_PORTS.http, path, headers, localAddress, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    r.on("error", reject);
  });
}

/** Status is answered with a Monitor for this session, carrying the Meta sent. */
async function status(c: E2eClient, message: Json | string): Promise<Json> {
  const monitor = c.waitFor((m) => m.Message === "Monitor" && m.Meta !== undefined, 5000, c.messages.length);
  c.send(message);
  return monitor;
}

const heapLine = (what: string, h: Heap): string => `${what}: ${h.slots} slots, ${h.chunks} B of chunks, ${h.sockets} sockets`;

// ---- deep JSON ---------------------------------------------------------------------------------

onFreshDevice("deep JSON before a login: a Meta 1,000 and 2,000 deep over JMP and over the WebSocket gets 400, and the connection goes on", async (device) => {
  for (const depth of [1000, 2000]) {
    const message = `{"Message":"","Meta":${deepArray(depth)}}`;
    const answer = (await rawExchange(DEVICE_PORTS.jmp, jmpFrame(message))).toString("latin1");
    assert.match(answer, /nested deeper than 32 levels/, `JMP, ${depth} deep: ${answer.slice(0, 200)}`);
    const w = new WsClient(`ws://127.0.0.1:${DEVICE_PORTS.http}/`);
    await w.opened;
    const error = await ask(w, message);
    assert.match(String(error.Detail), /nested deeper than 32 levels/);
    // the same connection still logs in
    await w.login(ADMIN.name, ADMIN.password);
    w.close();
  }
  process.stdout.write(`# deep JSON: XS stack peak ${device.stackPeak} slots (mcsim samples it once a second)\n`);
});

onFreshDevice("deep JSON after a login: Status, Control and Registry Write with nesting 1,500 deep, over both transports; 32 levels are taken, within the device's stack", async (device) => {
  for (const kind of ["ws", "jmp"] as const) {
    const c = await loggedIn(kind);
    for (const message of [
      `{"Message":"Status","Meta":${deepArray(1500)}}`,
      `{"Message":"Control","Command":"Close","Channel":${deepArray(1500)}}`,
      `{"Message":"Registry Write","Keys":{"a":${deepArray(1500)}}}`,
    ]) {
      const error = await ask(c, message);
      assert.match(String(error.Detail), /nested deeper than 32 levels/, `${kind}: ${message.slice(0, 40)}`);
    }
    // the deepest taken: a Meta 31 arrays deep is 32 levels with the message around it
    const ok = await status(c, { Message: "Status", Meta: JSON.parse(deepArray(31)) as unknown });
    assert.deepEqual(ok.Meta, JSON.parse(deepArray(31)));
    const refused = await ask(c, `{"Message":"Status","Meta":${deepArray(32)}}`);
    assert.match(String(refused.Detail), /nested deeper than 32 levels/);
    c.close();
  }
  // the XS stack that the deepest message takes, against a flat one: the deepest the stack has been
  // since mcsim last sampled it (once a second), read right after each message, five times each
  const c = await loggedIn("jmp");
  const peak = async (meta: string): Promise<number> => {
    let most = 0;
    for (let i = 0; i < 5; i++) {
      await status(c, `{"Message":"Status","Meta":${meta}}`);
      most = Math.max(most, (await device.heap()).stackPeak);
      await sleep(250);
    }
    return most;
  };
  const flat = await peak("1");
  const deepest = await peak(deepArray(31));
  c.close();
  process.stdout.write(`# deepest JSON taken, 32 levels: XS stack ${deepest} slots of 1,024 (a flat Status: ${flat})\n`);
  assert.ok(deepest < 768, `${deepest} of the XS stack's 1,024 slots for the deepest JSON taken`);
});

onFreshDevice("JSON of thousands of tokens after a login (4 KB of quotes, of empty strings, of numbers; made-up names among them), over both transports: answered or refused, and the heap comes back", async (device) => {
  const idle = await device.heap();
  for (const kind of ["ws", "jmp"] as const) {
    const c = await loggedIn(kind);
    for (const message of [
      '{"Message":"Status","Mine":1,"Meta":"' + '\\"'.repeat(1900) + '"}', // a string of 1,900 escaped quotes
      '{"Message":"Status","Mine":1,"Meta":[' + Array(1300).fill('""').join(",") + "]}",
      '{"Message":"Status","Mine":1,"Meta":[' + Array(1900).fill("0").join(",") + "]}",
      '{"Message":"Registry Write","Keys":{' + Array.from({ length: 150 }, (_, i) => `"AppData/F${i}":"${i}"`).join(",") + "}}", // refused: 48 at once
      '{"Message":"Registry Write","Keys":{' + Array.from({ length: 48 }, (_, i) => `"AppData/G${i}":"${i}"`).join(",") + "}}",
      '"' + '""'.repeat(1900), // quotes alone: not JSON
    ]) {
      const answered = c.waitFor((m) => (m.Message === "Monitor" && m.Meta !== undefined) || m.Message === "Error" || m.Message === "Registry Response", 5000, c.messages.length);
      c.send(message);
      const answer = await answered;
      assert.ok(answer.Message !== "Error" || answer.Text === "400 Bad Request", `${kind}: ${JSON.stringify(answer).slice(0, 160)}`);
    }
    c.close();
  }
  let h = await device.heap();
  for (let i = 0; i < 20 && h.slots > idle.slots + 64; i++) {
    await sleep(250);
    h = await device.heap();
  }
  assert.ok(h.slots <= idle.slots + 64, `${h.slots} slots after, ${idle.slots} before`);
});

onFreshDevice("deep JSON in the web API: a restore 5,000 deep and a user 400 deep get 400", async () => {
  const restore = await digestFetch(`${BASE}/api/restore?mode=merge`, ADMIN.name, ADMIN.password, { method: "POST", headers: { Origin: BASE }, body: `{"a":${deepArray(5000)}}` });
  assert.equal(restore.status, 400);
  assert.match(await restore.text(), /nested deeper than 32 levels/);
  const user = await digestFetch(`${BASE}/api/users/deep`, ADMIN.name, ADMIN.password, { method: "PUT", headers: { "Content-Type": "application/json" }, body: `{"role":${deepArray(400)}}` });
  assert.equal(user.status, 400);
  assert.match(await user.text(), /nested deeper than 32 levels/);
});

// ---- prototype names ---------------------------------------------------------------------------

onFreshDevice("prototype names in every field of JANOS messages (as the administrator, WebSocket and JMP): commands, message names, registry keys, Meta keys, paths", async () => {
  for (const kind of ["ws", "jmp"] as const) {
    const c = await loggedIn(kind);
    for (const name of PROTO) {
      const control = await ask(c, { Message: "Control", Command: name, Channel: 1 });
      assert.equal(control.Message, "Error", `Control ${name}: ${JSON.stringify(control)}`);
      await ask(c, { Message: "Control", Command: name, Channel: 1, Duration: 100 });
      await ask(c, { Message: name });
      const read = await ask(c, { Message: "Registry Read", Keys: [name, `IO/${name}`, `${name}/${name}`] });
      assert.equal(read.Message, "Registry Response");
      assert.deepEqual(Object.keys(read.Keys as Json).sort(), [name, `IO/${name}`, `${name}/${name}`].sort(), `every key named is answered: ${name}`);
      await ask(c, `{"Message":"Registry Write","Keys":{${JSON.stringify(name)}:"x",${JSON.stringify("Device/" + name)}:"y"}}`);
      const meta = await status(c, `{"Message":"Status","Meta":{${JSON.stringify(name)}:1,"Hash":${JSON.stringify(name)}}}`);
      assert.equal((meta.Meta as Json).Hash, name);
      await ask(c, { Message: "Registry List", Keys: [name] });
      await ask(c, { Message: "File List", Path: "/" + name });
      await ask(c, { Message: "File Read", Path: name });
      await status(c, `{${JSON.stringify(name)}:{"Message":"Status"},"Message":"Status","Meta":1}`);
    }
    // a key written with a prototype's name reads back
    const back = await ask(c, { Message: "Registry Read", Keys: ["__proto__", "constructor"] });
    assert.deepEqual(back.Keys, JSON.parse('{"__proto__":"x","constructor":"x"}'));
    c.close();
  }
});

onFreshDevice("names a logged-in client makes up (registry paths, Meta members, members of its own) leave no property key and no heap behind", async (device) => {
  // XS keeps every property name it meets for good: were these parsed into objects, each would cost a key
  const names = async (c: E2eClient, from: number, to: number): Promise<void> => {
    for (let i = from; i < to; i++) {
      const read = await ask(c, `{"Message":"Registry Read","Keys":["Made/Up/k${i}"],"Meta":{"Hash":"h","m${i}":[1]},"t${i}":0}`);
      assert.deepEqual(read, { Message: "Registry Response", Keys: { [`Made/Up/k${i}`]: "" }, Meta: { Hash: "h", [`m${i}`]: [1] } });
      const refused = await ask(c, `{"Message":"Registry Write","Keys":{"IO/Inputs/din1/Debounce":"fast","AppData/n${i}":"x"},"w${i}":1}`);
      assert.equal(refused.Text, "400 Bad Request", JSON.stringify(refused));
    }
  };
  const clients = [await loggedIn("ws"), await loggedIn("jmp")];
  for (const c of clients) await names(c, 0, 10); // whatever a first use allocates
  const before = await device.heap();
  for (const c of clients) await names(c, 10, 310);
  const after = await device.heap();
  process.stdout.write(`# 2,400 made-up names: keys ${before.keys} -> ${after.keys}, ${before.slots} -> ${after.slots} slots\n`);
  assert.ok(after.keys <= before.keys + 8, `${after.keys - before.keys} property keys made`);
  assert.ok(after.slots <= before.slots + 64, `${after.slots} slots after, ${before.slots} before`);
  for (const c of clients) c.close();
});

onFreshDevice("prototype names as user names: JMP Auth-Digest, HTTP Digest and Basic, and an account named __proto__ made, used and removed", async () => {
  // each attempt from an address of its own: the login throttle would otherwise hold them back
  for (const [i, name] of PROTO.entries()) {
    const j = new JmpClient(DEVICE_PORTS.jmp, "127.0.0.1", `127.0.1.${i + 1}`);
    await j.connected;
    const challenge = await ask(j, { Message: "" });
    const refused = await ask(j, { "Auth-Digest": authDigest(name, "whatever", String(challenge.Nonce)) });
    assert.equal(refused.Message, "Error");
    j.close();
    const from = `127.0.2.${i + 1}`;
    const offered = await get("/api/info", {}, from);
    assert.equal(offered.status, 401);
    const digest = parseChallenges(offered.headers["www-authenticate"] ?? "").find((c) => c.scheme.toLowerCase() === "digest")!;
    const answered = await get("/api/info", { Authorization: digestAuthorization(digest, "GET", "/api/info", name, "whatever") }, from);
    assert.equal(answered.status, 401, `Digest as ${name}`);
    const basic = await get("/api/info", { Authorization: "Basic " + Buffer.from(`${name}:whatever`).toString("base64") }, `127.0.3.${i + 1}`);
    assert.equal(basic.status, 401, `Basic as ${name}`);
  }
  const made = await digestFetch(`${BASE}/api/users/__proto__`, ADMIN.name, ADMIN.password, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ role: "view", password: "proto-pw-1" }) });
  assert.equal(made.status, 201, await made.text());
  const c = await loggedIn("jmp", { name: "__proto__", password: "proto-pw-1" });
  const answered = await status(c, { Message: "Status", Meta: { Hash: "proto" } });
  assert.deepEqual(answered.Meta, { Hash: "proto" });
  c.close();
  const removed = await digestFetch(`${BASE}/api/users/__proto__`, ADMIN.name, ADMIN.password, { method: "DELETE" });
  assert.equal(removed.status, 204, await removed.text());
});

onFreshDevice("prototype names in MQTT topics and payloads (a real mosquitto, RegistryAccess on)", async () => {
  const device = { name: "iobox", password: "Mqtt-pw-1" };
  const watcher = { name: "watcher", password: "Watch-pw-1" };
  const broker = await Mosquitto.start({ dir: fs.mkdtempSync(path.join(os.tmpdir(), "iobox-device-rel-")), users: [device, watcher] });
  try {
    const w = await loggedIn("ws");
    const serial = ((await ask(w, { Message: "Registry Read", Keys: ["$SerialNumber"] })).Keys as Json).$SerialNumber;
    const prefix = `iobox/${serial}`;
    const sub = new Subscriber(broker.port, watcher, `${prefix}/#`);
    try {
      await ask(w, {
        Message: "Registry Write",
        Keys: { "MQTT/Host": "127.0.0.1", "MQTT/Port": String(broker.port), "MQTT/Username": device.name, "MQTT/Password": device.password, "MQTT/RegistryAccess": "true", "MQTT/Enabled": "true" },
      });
      await sub.waitFor((m) => m.topic === `${prefix}/status` && m.payload === "online");
      for (const name of PROTO) {
        publish(broker.port, watcher, `${prefix}/relay/${name}/set`, "on");
        publish(broker.port, watcher, `${prefix}/relay/1/set`, name);
        publish(broker.port, watcher, `${prefix}/${name}/set`, name);
        publish(broker.port, watcher, `${prefix}/registry/read`, JSON.stringify([name, "IO/" + name]));
        publish(broker.port, watcher, `${prefix}/registry/write`, `{${JSON.stringify(name)}:"x"}`);
        publish(broker.port, watcher, `${prefix}/registry/read`, `{"Meta":${deepArray(1000)}}`);
      }
      publish(broker.port, watcher, `${prefix}/registry/read`, JSON.stringify(["__proto__", "toString"]));
      const answer = await sub.waitFor((m) => m.topic.endsWith("/registry/response") && m.payload.includes('"toString"') && m.payload.includes('"__proto__"') && !m.payload.includes("IO/"));
      assert.deepEqual(JSON.parse(answer.payload).Keys, JSON.parse('{"__proto__":"x","toString":"x"}'));
      const state = await ask(w, { Message: "Registry Read", Keys: ["MQTT/$Status"] });
      assert.match(String((state.Keys as Json)["MQTT/$Status"]), /^connected/);
    } finally {
      sub.stop();
      w.close();
    }
  } finally {
    await broker.kill();
  }
});

// ---- floods ------------------------------------------------------------------------------------

onFreshDevice("two rounds of 300 connections at once to the HTTP port and to JMP: the budget's are served, the rest closed, and the heap comes back", async (device) => {
  const idle = await device.heap();
  process.stdout.write(`# ${heapLine("before the floods", idle)}\n`);
  const after: Heap[] = [];
  for (let round = 1; round <= 2; round++) {
    for (const port of [DEVICE_PORTS.http, DEVICE_PORTS.jmp]) {
      const sockets = await openMany(port, 300);
      await sleep(300);
      const during = await device.heap();
      process.stdout.write(`# ${heapLine(`round ${round}, 300 connections to ${port} open`, during)}\n`);
      assert.ok(during.slots < 4928 - 500, `${during.slots} slots in use during the flood`);
      // a client among the flood is still answered once some go away
      for (const s of sockets) s.destroy();
      await sleep(300);
    }
    let h = await device.heap();
    for (let i = 0; i < 40 && h.slots > idle.slots + 64; i++) {
      await sleep(250);
      h = await device.heap();
    }
    process.stdout.write(`# ${heapLine(`after round ${round}`, h)}\n`);
    after.push(h);
  }
  assert.ok(after[1]!.slots <= after[0]!.slots + 16, `the second flood left ${after[1]!.slots} slots, the first ${after[0]!.slots}`);
  assert.ok(after[1]!.slots <= idle.slots + 64, `after the floods ${after[1]!.slots} slots, ${idle.slots} before`);
});

onFreshDevice("slow and half-finished clients: heads a byte at a time, heads cut off by FIN, connections that never speak; others are still served and the device closes them all", async (device) => {
  const idle = await device.heap();
  // 4 slow heads (a byte every 200 ms), 2 that never speak
  const slow = await openMany(DEVICE_PORTS.http, 4);
  const silent = await openMany(DEVICE_PORTS.http, 2);
  const head = "GET / HTTP/1.1\r\nHost: device\r\nX-Slow: " + "a".repeat(200);
  let at = 0;
  const dripping = setInterval(() => {
    for (const s of slow) if (!s.destroyed) s.write(head[at % head.length]!);
    at++;
  }, 200);
  try {
    // cut off: half a head, then FIN; the device answers or closes, and does not wait for more
    for (let i = 0; i < 10; i++) {
      const answer = await rawExchange(DEVICE_PORTS.http, "GET / HTTP/1.1\r\nHost: dev", { end: true, quietMs: 2000, maxMs: 3000 });
      assert.ok(answer.length === 0 || answer.toString("latin1").startsWith("HTTP/1.1 400"), `cut off: ${answer.toString("latin1").slice(0, 40)}`);
    }
    // meanwhile a normal client is served
    const page = await rawExchange(DEVICE_PORTS.http, "GET / HTTP/1.1\r\nHost: device\r\n\r\n");
    assert.match(page.toString("latin1"), /^HTTP\/1\.1 401/);
    // the head timeout (10 s on the device) ends the slow and the silent ones
    const closed = (s: net.Socket): Promise<void> => new Promise((r) => (s.destroyed || s.readyState === "closed" ? r() : s.once("close", () => r())));
    const all = Promise.all([...slow, ...silent].map(closed));
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("the device kept slow or silent connections open for 15 s")), 15_000));
    await Promise.race([all, timeout]);
  } finally {
    clearInterval(dripping);
    for (const s of [...slow, ...silent]) s.destroy();
  }
  let h = await device.heap();
  for (let i = 0; i < 20 && h.slots > idle.slots + 32; i++) {
    await sleep(250);
    h = await device.heap();
  }
  assert.ok(h.slots <= idle.slots + 32, `${h.slots} slots after, ${idle.slots} before`);
});

onFreshDevice("clients that reset the connection before their answer: the device lets every one go at once (lin never reports a failed write's error)", async (device) => {
  const idle = await device.heap();
  for (let round = 0; round < 3; round++) {
    await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<void>((resolve) => {
            const s = net.connect({ port: DEVICE_PORTS.http, host: "127.0.0.1" }, () => {
              s.write("GET / HTTP/1.1\r\nHost: device\r\n\r\nGET /status HTTP/1.1\r\nHost: device\r\n\r\n");
              s.resetAndDestroy(); // RST: the device's answer has nowhere to go
              resolve();
            });
            s.on("error", () => {});
          }),
      ),
    );
    await sleep(500);
  }
  let h = await device.heap();
  for (let i = 0; i < 10 && h.sockets > idle.sockets; i++) {
    await sleep(200);
    h = await device.heap();
  }
  assert.equal(h.sockets, idle.sockets, `${h.sockets} sockets open, ${idle.sockets} before`);
  // and the HTTP server has its connections back: 8 at once are served
  const answers = await Promise.all(Array.from({ length: 8 }, () => rawExchange(DEVICE_PORTS.http, "GET / HTTP/1.1\r\nHost: device\r\n\r\n")));
  assert.deepEqual(answers.map((a) => a.toString("latin1").slice(0, 12)), Array(8).fill("HTTP/1.1 401"));
});

// ---- oversize ----------------------------------------------------------------------------------

onFreshDevice("oversize inputs: a 100 KB head, a 10^12-byte Content-Length, a 1 MB chunked body, a 1 MB JMP frame, a 1 MB WebSocket message", async () => {
  const head = (await rawExchange(DEVICE_PORTS.http, "GET / HTTP/1.1\r\nHost: device\r\nX-Big: " + "a".repeat(100_000) + "\r\n\r\n")).toString("latin1");
  assert.match(head, /^HTTP\/1\.1 431/);
  const length = (await rawExchange(DEVICE_PORTS.http, "POST /api/login HTTP/1.1\r\nHost: device\r\nContent-Length: 1000000000000\r\n\r\n")).toString("latin1");
  assert.match(length, /^HTTP\/1\.1 (413|401)/);
  const chunk = Buffer.from("fffff\r\n" + "a".repeat(0xfffff) + "\r\n0\r\n\r\n");
  const chunked = (await rawExchange(DEVICE_PORTS.http, Buffer.concat([Buffer.from("POST /api/restore HTTP/1.1\r\nHost: device\r\nTransfer-Encoding: chunked\r\n\r\n"), chunk]))).toString("latin1");
  assert.match(chunked, /^HTTP\/1\.1 (413|401)/);
  const frame = (await rawExchange(DEVICE_PORTS.jmp, Buffer.concat([Buffer.from("[1048576,"), Buffer.alloc(1 << 20, 0x20), Buffer.from("]")]))).toString("latin1");
  assert.match(frame, /413|^$/);
  const w = new WsClient(`ws://127.0.0.1:${DEVICE_PORTS.http}/`);
  await w.opened;
  const code = new Promise<number>((resolve) => w.ws.once("close", (c) => resolve(c)));
  w.ws.send("x".repeat(1 << 20));
  assert.equal(await code, 1009);
});

// ---- the fuzz corpus, replayed; a short random pass --------------------------------------------

onFreshDevice("the fuzz corpus replayed on the image, then a short random pass on every device target", async (device) => {
  await addControlUser(USERS);
  const mqttPort = await freePort();
  const w = await loggedIn("ws");
  await ask(w, { Message: "Registry Write", Keys: { "MQTT/Host": "127.0.0.1", "MQTT/Port": String(mqttPort), "MQTT/RegistryAccess": "true", "MQTT/Enabled": "true" } });
  w.close();
  for (const target of deviceTargets(() => device, USERS, mqttPort)) {
    // the seeds first, as they are (the engine's first inputs), then mutated, generated and random
    // ones; fewer for mqtt, where every input that breaks the connection waits out the device's backoff
    const count = target.name === "mqtt" ? 40 : 150;
    const started = performance.now();
    const result = await fuzz(target, { count: target.seeds.length + count, seed: 2026, checkEvery: 100 });
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`# ${target.name}: ${result.inputs} inputs (${target.seeds.length} seeds) in ${seconds.toFixed(1)} s\n`);
    assert.equal(result.failure, undefined, result.failure && `${target.name}, input ${result.failure.index}: ${result.failure.error}\ninput: ${printable(result.failure.input)}`);
  }
});
