import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { board, bootDevice, USERS } from "./device-fixture.ts";

const TRANSPORTS = ["websocket", "jmp"] as const;

for (const transport of TRANSPORTS) {
  test(`${transport}: login as INTEG's clients do it: 401 with a nonce, Auth-Digest, Authenticated, then Monitor`, async () => {
    const f = await bootDevice();
    const c = f.client(transport);
    await f.run();
    assert.equal(c.messages.length, 0, "nothing is sent before the client's first message");
    c.send({ Message: "" });
    await f.run();
    assert.equal(c.messages.length, 1);
    const challenge = c.messages[0]!;
    assert.equal(challenge.Message, "Error");
    assert.equal(challenge.Text, "401 Unauthorized");
    assert.match(challenge.Nonce as string, /^[0-9a-f]{28}$/);
    c.send({ "Auth-Digest": c.authDigest(USERS.admin.name, USERS.admin.password) });
    await f.run();
    assert.deepEqual(c.messages[1], { Message: "Authenticated", Administrator: true, Control: true });
    const monitor = c.messages[2]!;
    assert.equal(monitor.Message, "Monitor");
    assert.equal(monitor.Model, "410");
    assert.equal(monitor.Version, "v0.1.0");
    assert.equal(monitor["Serial Number"], 0xabcdef);
    assert.deepEqual(monitor.Inputs, Array(8).fill({ State: 0, Count: 0 }));
    assert.deepEqual(monitor.Outputs, Array(8).fill({ State: 0 }));
    assert.equal(monitor.Timestamp, f.host.clock.now());
    assert.equal("Meta" in monitor, false, "an unsolicited Monitor carries no Meta");
    await f.stop();
  });
}

test("a wrong password gets a new 401 with a new nonce; a nonce answers one attempt only", async () => {
  const f = await bootDevice();
  const c = f.client("websocket");
  await f.run(); // the handshake
  c.send({ Message: "" });
  await f.run();
  const first = c.nonce;
  c.send({ "Auth-Digest": c.authDigest("jnior", "wrong") });
  await f.run();
  assert.equal(c.last()!.Text, "401 Unauthorized");
  assert.notEqual(c.nonce, first, "every challenge has a fresh nonce");
  // the right password against the spent nonce is refused too
  c.send({ "Auth-Digest": c.authDigest(USERS.admin.name, USERS.admin.password, first) });
  await f.run();
  assert.equal(c.last()!.Text, "401 Unauthorized");
  assert.equal(c.named("Authenticated").length, 0);
  c.send({ "Auth-Digest": c.authDigest("nobody", "x") });
  await f.run();
  assert.equal(c.last()!.Text, "401 Unauthorized");
  assert.ok(f.host.logs.some((l) => l.level === "warn" && /login as "jnior" failed/.test(l.message)), "failures are logged");
  await f.stop();
});

test("C#'s upper-case hex and C++'s {\"ACK\":\"\"} opener are accepted; pyJmp's Auth-Digest with Message and Meta gets its Meta back", async () => {
  const f = await bootDevice();
  const cpp = f.client("jmp");
  cpp.send('{"ACK":""}');
  await f.run();
  assert.equal(cpp.last()!.Text, "401 Unauthorized");
  const digest = cpp.authDigest(USERS.admin.name, USERS.admin.password);
  const colon = digest.lastIndexOf(":");
  cpp.send({ "Auth-Digest": digest.slice(0, colon + 1) + digest.slice(colon + 1).toUpperCase() });
  await f.run();
  assert.equal(cpp.named("Authenticated").length, 1);
  cpp.send('{"ACK":""}'); // the C++ keep-alive after login: ignored, no answer
  await f.run();
  assert.equal(cpp.last()!.Message, "Monitor");

  const py = f.client("jmp");
  py.send({ Message: "", Meta: { Hash: "1a2b3c4d" } });
  await f.run();
  assert.deepEqual(py.last()!.Meta, { Hash: "1a2b3c4d" }, "the 401 answers a request: Meta echoed");
  py.send({ Message: "", Meta: { Hash: "5e6f7a8b" }, "Auth-Digest": py.authDigest(USERS.op.name, USERS.op.password) });
  await f.run();
  assert.deepEqual(py.named("Authenticated")[0], { Message: "Authenticated", Administrator: false, Control: true, Meta: { Hash: "5e6f7a8b" } });
  await f.stop();
});

test("an Auth-Digest that also asks for something gets it after the login", async () => {
  const f = await bootDevice();
  const c = f.client("websocket");
  await f.run();
  c.send({ Message: "" });
  await f.run();
  c.send({ Message: "Registry Read", Keys: ["$Model"], "Auth-Digest": c.authDigest(USERS.viewer.name, USERS.viewer.password) });
  await f.run();
  assert.deepEqual(
    c.messages.slice(1).map((m) => m.Message),
    ["Authenticated", "Monitor", "Registry Response"],
  );
  assert.deepEqual(c.named("Authenticated")[0], { Message: "Authenticated", Administrator: false, Control: false });
  await f.stop();
});

test("a Monitor goes to every logged-in client on an input change, none to one that has not logged in", async () => {
  const f = await bootDevice();
  const a = await f.loggedIn("websocket");
  const b = await f.loggedIn("jmp", USERS.viewer);
  const stranger = f.client("websocket");
  stranger.send({ Message: "" });
  await f.run();
  f.host.board.setInput(board.inputs[2]!.pin, 1);
  await f.run(250); // past the 200 ms debounce
  for (const c of [a, b]) {
    const monitors = c.named("Monitor");
    assert.equal(monitors.length, 2, "the login Monitor and the change");
    const inputs = monitors[1]!.Inputs as { State: number; Count: number }[];
    assert.deepEqual(inputs[2], { State: 1, Count: 1 });
  }
  assert.equal(stranger.named("Monitor").length, 0);
  await f.stop();
});

test("Control Close with Duration 500: one Monitor with the relay closed, one 500 ms later with it open, no other answer", async () => {
  const f = await bootDevice();
  const c = await f.loggedIn("websocket", USERS.op);
  const before = c.messages.length;
  c.send({ Message: "Control", Command: "Close", Channel: 3, Duration: 500 });
  await f.run();
  const closedAt = f.host.clock.now();
  let monitors = c.messages.slice(before);
  assert.equal(monitors.length, 1);
  assert.equal(monitors[0]!.Message, "Monitor");
  assert.equal((monitors[0]!.Outputs as { State: number }[])[2]!.State, 1);
  await f.run(499);
  assert.equal(c.messages.length, before + 1);
  await f.run(1);
  monitors = c.messages.slice(before);
  assert.equal(monitors.length, 2);
  assert.equal((monitors[1]!.Outputs as { State: number }[])[2]!.State, 0);
  assert.equal((monitors[1]!.Timestamp as number) - (monitors[0]!.Timestamp as number), 500);
  assert.equal(monitors[0]!.Timestamp, closedAt);
  // Toggle with the JS library's lower-case "duration" works too
  c.send({ Message: "Control", Command: "Toggle", Channel: 1, duration: 100 });
  await f.run(150);
  assert.deepEqual(
    c.named("Monitor").slice(-2).map((m) => (m.Outputs as { State: number }[])[0]!.State),
    [1, 0],
  );
  await f.stop();
});

test("Registry Write by one client: its Registry Response echoes Meta, then every connection gets the Registry Update", async () => {
  const f = await bootDevice();
  const a = await f.loggedIn("websocket");
  const b = await f.loggedIn("jmp", USERS.viewer);
  a.send({ Message: "Registry Write", Keys: { "Device/Desc": "Pump house", "AppData/Count": 7 }, Meta: { Hash: "reg.write-77c1", Key: "Device/Desc" } });
  await f.run();
  const tail = a.messages.slice(-2);
  assert.deepEqual(tail[0], { Message: "Registry Response", Keys: { "Device/Desc": "Pump house", "AppData/Count": "7" }, Meta: { Hash: "reg.write-77c1", Key: "Device/Desc" } });
  assert.deepEqual(tail[1], { Message: "Registry Update", Keys: { "Device/Desc": "Pump house", "AppData/Count": "7" } });
  assert.deepEqual(b.last(), { Message: "Registry Update", Keys: { "Device/Desc": "Pump house", "AppData/Count": "7" } });
  b.send({ Message: "Registry Read", Keys: ["device/desc", "AppData/Count", "No/Such/Key"], Meta: "a-string-meta" });
  await f.run();
  assert.deepEqual(b.last(), { Message: "Registry Response", Keys: { "device/desc": "Pump house", "AppData/Count": "7", "No/Such/Key": "" }, Meta: "a-string-meta" });
  // removal: an empty value, announced as ""
  a.send({ Message: "Registry Write", Keys: { "AppData/Count": null } });
  await f.run();
  assert.deepEqual(b.last(), { Message: "Registry Update", Keys: { "AppData/Count": "" } });
  await f.stop();
});

test("after a login, names a client chooses are taken: command members in any case, its Meta echoed unchanged, other members ignored", async () => {
  const f = await bootDevice();
  for (const transport of TRANSPORTS) {
    const c = await f.loggedIn(transport);
    const meta = '{"Hash":"h-1","Mine":{"d\\u00e9j\\u00e0":[1, 2.50],"__proto__":null}}';
    c.send(`{"message":"Registry Write","KEYS":{"AppData/${transport}":"on","__proto__":"p"},"Meta":${meta},"Invented":{"x":1}}`);
    await f.run();
    assert.deepEqual(c.named("Registry Response").at(-1), { Message: "Registry Response", Keys: { [`AppData/${transport}`]: "on", ["__proto__"]: "p" }, Meta: JSON.parse(meta) });
    assert.equal(f.device.registry.get(`AppData/${transport}`), "on");
    assert.equal(f.device.registry.get("__proto__"), "p", "__proto__ is a registry key like any other");
  }
  await f.stop();
});

test("a refused Registry Write changes nothing and says why, with Meta", async () => {
  const f = await bootDevice();
  const a = await f.loggedIn("websocket");
  a.send({ Message: "Registry Write", Keys: { "Device/Desc": "ok", "IO/Inputs/din1/Debounce": "fast" }, Meta: { Hash: "w1" } });
  await f.run();
  const answer = a.last()!;
  assert.equal(answer.Message, "Error");
  assert.equal(answer.Text, "400 Bad Request");
  assert.match(answer.Detail as string, /IO\/Inputs\/din1\/Debounce: must be an integer/);
  assert.deepEqual(answer.Meta, { Hash: "w1" });
  assert.equal(f.device.registry.get("Device/Desc"), undefined);
  assert.equal(a.named("Registry Update").length, 0);
  await f.stop();
});

test("Status answers with a Monitor carrying the request's Meta; Meta of any JSON type comes back unchanged", async () => {
  const f = await bootDevice();
  const c = await f.loggedIn("jmp");
  for (const meta of [{ Hash: "s-1", Nested: { a: [1, 2, { b: null }] } }, "https://example.org/x?y=1", 42, [1, "two"], true]) {
    c.send({ Message: "Status", Meta: meta });
    await f.run();
    const m = c.last()!;
    assert.equal(m.Message, "Monitor");
    assert.deepEqual(m.Meta, meta);
  }
  c.send({ Message: "Enumerate Devices", Meta: { Hash: "0a1b2c3d" } });
  await f.run();
  assert.deepEqual(c.last(), { Message: "Enumerate Devices Response", Devices: [], Meta: { Hash: "0a1b2c3d" } });
  await f.stop();
});

test("permissions: view-only reads, control operates I/O, only administrators write configuration or reset meters", async () => {
  const f = await bootDevice();
  const viewer = await f.loggedIn("websocket", USERS.viewer);
  const op = await f.loggedIn("websocket", USERS.op);
  viewer.send({ Message: "Control", Command: "Close", Channel: 1, Meta: { Hash: "c1" } });
  await f.run();
  assert.deepEqual(viewer.last(), { Message: "Error", Text: "403 Forbidden", Detail: '"Control" needs a control user; "viewer" is view-only', Meta: { Hash: "c1" } });
  assert.equal(f.device.io.outputs[0]!.level, 0);
  op.send({ Message: "Registry Write", Keys: { "Device/Desc": "x" } });
  op.send({ Message: "Control", Command: "Reset Usage", Channel: 9 });
  await f.run();
  assert.deepEqual(
    op.messages.slice(-2).map((m) => [m.Text, m.Detail]),
    [
      ["403 Forbidden", '"Registry Write" needs an administrator user; "op" is control'],
      ["403 Forbidden", '"Reset Usage" needs an administrator user; "op" is control'],
    ],
  );
  op.send({ Message: "Control", Command: "Close", Channel: 1 });
  viewer.send({ Message: "Registry Read", Keys: ["$Model"] });
  viewer.send({ Message: "Registry List", Node: "IO/Outputs/rout1" });
  await f.run();
  assert.equal(f.device.io.outputs[0]!.level, 1);
  assert.deepEqual(viewer.named("Registry Response").pop(), { Message: "Registry Response", Keys: { $Model: "410" } });
  const list = viewer.named("Registry List Response").pop()!;
  assert.equal(list.Node, "IO/Outputs/rout1");
  assert.ok((list.Keys as string[]).includes("UsageState") && (list.Keys as string[]).includes("$HourMeter"), JSON.stringify(list.Keys));
  await f.stop();
});

test("bad requests get an Error saying what was wrong; unknown and unsupported messages get 501", async () => {
  const f = await bootDevice();
  const c = await f.loggedIn("websocket");
  const cases: [unknown, string, RegExp][] = [
    ["{not json", "400 Bad Request", /not JSON/],
    ["[1,2]", "400 Bad Request", /a JSON object/],
    [{ Message: "Control", Command: "Close", Channel: 9 }, "400 Bad Request", /no relay 9: this board has 8/],
    [{ Message: "Control", Command: "Close" }, "400 Bad Request", /Channel/],
    [{ Message: "Control", Command: "Explode", Channel: 1 }, "400 Bad Request", /unknown Control command "Explode"/],
    [{ Message: "Control", Command: "Close", Channel: 1, Duration: "soon" }, "400 Bad Request", /Duration/],
    [{ Message: "Registry Read", Keys: "$Model" }, "400 Bad Request", /array of key names/],
    [{ Message: "Console Open" }, "501 Not Implemented", /does not implement "Console Open"/],
    [{ Message: "Post Message", Number: 2010, Content: "x" }, "501 Not Implemented", /does not implement "Post Message"/],
    [{ Message: "Make Coffee" }, "501 Not Implemented", /unknown message "Make Coffee"/],
  ];
  for (const [request, text, detail] of cases) {
    c.send(typeof request === "string" ? request : (request as Record<string, unknown>));
    await f.run();
    const m = c.last()!;
    assert.equal(m.Message, "Error", JSON.stringify(request));
    assert.equal(m.Text, text, JSON.stringify(request));
    assert.match(m.Detail as string, detail);
  }
  const count = c.messages.length;
  c.send({});
  c.send({ Message: "" });
  await f.run();
  assert.equal(c.messages.length, count, "objects without a Message, and the empty probe, are ignored after login");
  await f.stop();
});

test("JMP framing: white-space, several frames per read, frames split at every byte, garbage skipped, bad frames ignored", async () => {
  const f = await bootDevice();
  const c = await f.loggedIn("jmp");
  const ascii = (s: string): Uint8Array => f.host.text.encode(s);
  const status = (hash: string): string => JSON.stringify({ Message: "Status", Meta: { Hash: hash } });
  const s1 = status("one");
  const s2 = status("two");
  c.raw(ascii(`[ ${s1.length} , ${s1} ]\r\n[${s2.length} ,${s2}]`)); // the C++ client's "[N ,{...}]" too
  await f.run();
  assert.deepEqual(c.named("Monitor").slice(-2).map((m) => (m.Meta as { Hash: string }).Hash), ["one", "two"]);
  // byte by byte
  const s3 = status("three");
  for (const byte of ascii(`[${s3.length},${s3}]`)) {
    c.raw(new Uint8Array([byte]));
    await f.run();
  }
  assert.equal((c.last()!.Meta as { Hash: string }).Hash, "three");
  // a bad count, a missing comma and a missing "]" are each ignored whole; the next good frame works
  const s4 = status("four");
  c.raw(ascii(`noise[x,{}][${s4.length + 3},${s4}][${s4.length}${s4}][${s4.length},${s4}}[${s4.length},${s4}]`));
  await f.run();
  assert.deepEqual(
    c.named("Monitor").slice(-1).map((m) => (m.Meta as { Hash: string }).Hash),
    ["four"],
  );
  assert.equal(c.named("Monitor").filter((m) => (m.Meta as { Hash?: string } | undefined)?.Hash === "four").length, 1);
  await f.stop();
});

test("JMP frames from the server are compact ASCII: non-ASCII is escaped, so N counts bytes and characters alike", async () => {
  const f = await bootDevice();
  const c = await f.loggedIn("jmp");
  c.rawJmp = new Uint8Array(0);
  c.send({ Message: "Registry Write", Keys: { "Device/Desc": "Pumpe Süd ✓" } });
  await f.run();
  const text = f.host.text.decode(c.rawJmp, 0, c.rawJmp.length);
  assert.ok(/^[\x20-\x7e]*$/.test(text), "only printable ASCII on the wire");
  const frames = text.match(/\[(\d+),/g)!;
  assert.equal(frames.length, 2);
  for (const m of text.matchAll(/\[(\d+),(\{.*?\})\](?=\[|$)/g)) assert.equal(Number(m[1]), m[2]!.length);
  assert.ok(text.includes("Pumpe S\\u00fcd \\u2713"), text);
  assert.equal(f.device.registry.get("Device/Desc"), "Pumpe Süd ✓");
  await f.stop();
});

test("JMP: a frame over the size limit is skipped with 413; the connection goes on", async () => {
  const f = await bootDevice({ config: { jmp: { port: 9220, maxMessage: 256 } } });
  const c = await f.loggedIn("jmp");
  const big = JSON.stringify({ Message: "Status", Pad: "x".repeat(300) });
  const ok = JSON.stringify({ Message: "Status", Meta: "after" });
  c.raw(f.host.text.encode(`[${big.length},${big}][${ok.length},${ok}]`));
  await f.run();
  const tail = c.messages.slice(-2);
  assert.equal(tail[0]!.Text, "413 Payload Too Large");
  assert.equal(tail[1]!.Meta, "after");
  await f.stop();
});

test("JMP: up to MaxConnections; one more is told why and closed", async () => {
  const f = await bootDevice({ settings: [["JMP/MaxConnections", "3"]] });
  const clients = [f.client("jmp"), f.client("jmp"), f.client("jmp")];
  await f.run();
  const extra = f.client("jmp");
  await f.run();
  assert.equal(extra.messages[0]!.Text, "503 Service Unavailable");
  assert.ok(extra.closed);
  assert.ok(clients.every((c) => !c.closed));
  clients[0]!.close();
  await f.run();
  const again = f.client("jmp");
  again.send({ Message: "" });
  await f.run();
  assert.equal(again.last()!.Text, "401 Unauthorized", "a freed slot can be used");
  await f.stop();
});

test("failed logins: free at first, then each challenge waits longer; five on one connection close it; the address stays slowed", async () => {
  const f = await bootDevice();
  const c = f.client("jmp", { from: "192.0.2.7" });
  c.send({ Message: "" });
  await f.run();
  for (let i = 1; i <= 3; i++) {
    c.send({ "Auth-Digest": c.authDigest("jnior", "guess" + i) });
    await f.run();
    assert.equal(c.messages.length, i + 1, `failure ${i} is answered at once`);
  }
  c.send({ "Auth-Digest": c.authDigest("jnior", "guess4") });
  await f.run(999);
  assert.equal(c.messages.length, 4, "the 4th failure's challenge is held back for 1 s");
  c.send({ Message: "" }); // ignored while held
  await f.run(1);
  assert.equal(c.messages.length, 5);
  c.send({ "Auth-Digest": c.authDigest("jnior", "guess5") });
  await f.run();
  assert.deepEqual([c.last()!.Text, c.closed], ["429 Too Many Requests", true]);

  // five failures: the next attempt from the address waits 2 s after the last one
  const again = f.client("jmp", { from: "192.0.2.7" });
  again.send({ Message: "" });
  await f.run(1900);
  assert.equal(again.messages.length, 0, "a new connection from that address waits for its challenge");
  await f.run(100);
  assert.equal(again.last()!.Text, "401 Unauthorized");
  const other = f.client("jmp", { from: "192.0.2.8" });
  other.send({ Message: "" });
  await f.run();
  assert.equal(other.last()!.Text, "401 Unauthorized", "other addresses are not slowed");
  again.send({ "Auth-Digest": again.authDigest(USERS.admin.name, USERS.admin.password) });
  await f.run();
  assert.equal(again.named("Authenticated").length, 1, "the right password still works");
  await f.stop();
});

test("a connection that does not log in within two minutes is closed", async () => {
  const f = await bootDevice();
  const c = f.client("websocket");
  await f.run();
  c.send({ Message: "" });
  await f.run(119_000);
  assert.equal(c.closed, false);
  await f.run(2000);
  assert.equal(c.webSocket.closeFrame?.code, 1000);
  const ok = await f.loggedIn("websocket");
  await f.run(300_000);
  assert.equal(ok.closed, false, "a logged-in connection stays");
  await f.stop();
});

test("Websocket/Anonymous lets WebSockets in as that user without a login (and warns); JMP still logs in", async () => {
  const f = await bootDevice({ settings: [["Websocket/Anonymous", USERS.viewer.name]] });
  assert.ok(f.host.logs.some((l) => l.level === "warn" && /Websocket\/Anonymous is set/.test(l.message)));
  const ws = f.client("websocket");
  await f.run();
  assert.equal(ws.messages.length, 0, "still nothing before the first message");
  ws.send({ Message: "" });
  await f.run();
  assert.deepEqual(ws.messages.map((m) => m.Message), ["Authenticated", "Monitor"]);
  assert.deepEqual(ws.messages[0], { Message: "Authenticated", Administrator: false, Control: false });
  ws.send({ Message: "Control", Command: "Close", Channel: 1 });
  await f.run();
  assert.equal(ws.last()!.Text, "403 Forbidden", "as the view-only user it is");
  const jmp = f.client("jmp");
  jmp.send({ Message: "" });
  await f.run();
  assert.equal(jmp.last()!.Text, "401 Unauthorized");
  // a name that is no user is ignored
  f.device.registry.write({ "Websocket/Anonymous": "ghost" });
  const after = f.client("websocket");
  await f.run();
  after.send({ Message: "" });
  await f.run();
  assert.equal(after.last()!.Text, "401 Unauthorized");
  assert.ok(f.host.logs.some((l) => /"ghost", who is not a user/.test(l.message)));
  await f.stop();
});

test("a client that reads slowly is spared intermediate Monitors but always gets the final state", async () => {
  const f = await bootDevice({ settings: [["IO/Inputs/din1/Debounce", "0"]], net: { highWaterMark: 1 << 30 } });
  const slow = await f.loggedIn("websocket");
  const fast = await f.loggedIn("websocket");
  slow.webSocket.connection.pause();
  const pin = board.inputs[0]!.pin;
  for (let i = 0; i < 200; i++) {
    f.host.board.setInput(pin, (i & 1) === 0 ? 1 : 0);
    await f.run(5);
  }
  f.host.board.setInput(pin, 1); // 201 changes; the last leaves the input on with count 101
  await f.run(5);
  const fastMonitors = fast.named("Monitor").length;
  assert.equal(fastMonitors, 1 + 201, "a client keeping up gets every change");
  slow.webSocket.connection.resume();
  await f.run(100);
  const got = slow.named("Monitor");
  assert.ok(got.length < 20, `a slow client got ${got.length} Monitors, not one per change`);
  assert.deepEqual((got[got.length - 1]!.Inputs as { State: number; Count: number }[])[0], { State: 1, Count: 101 }, "and the final state");
  await f.stop();
});
