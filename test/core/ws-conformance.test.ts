/**
 * A server-side conformance suite in the manner of Autobahn|Testsuite, against the full server on
 * the in-memory host (so it runs on XS too). Section numbers follow Autobahn's: 1 framing,
 * 2 pings/pongs, 3 reserved bits, 4 opcodes, 5 fragmentation, 6 UTF-8, 7 close, 9 limits,
 * 10 misc; then the opening handshake, timeouts, back-pressure and shutdown.
 */
import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { concatBytes, decodeUtf8, encodeUtf8, toBase64 } from "../../src/bytes.ts";
import { OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT } from "../../src/ws/frame.ts";
import type { WebSocket } from "../../src/ws/websocket.ts";
import type { SimWebSocketClient } from "../../sim/ws-client.ts";
import { logged, serve, type Fixture } from "./fixtures.ts";

interface Echo extends Fixture {
  sockets: WebSocket[];
  closes: string[];
}

/** An echo server at /echo (and whatever `extra` adds). */
async function echo(options: Parameters<typeof serve>[0] = {}): Promise<Echo> {
  const f = await serve(options);
  const sockets: WebSocket[] = [];
  const closes: string[] = [];
  f.router.websocket("/echo", (ex) => {
    const ws = ex.acceptWebSocket({ protocol: ex.protocols.includes("echo.v1") ? "echo.v1" : undefined });
    ws.handler = {
      onText: (w, t) => w.send(t),
      onBinary: (w, b) => w.sendBinary(b),
      onClose: (_w, code, reason) => closes.push(code + (reason ? " " + reason : "")),
    };
    sockets.push(ws);
  });
  return { ...f, sockets, closes };
}

function open(f: Fixture, options: Parameters<Fixture["ws"]>[0] = {}): SimWebSocketClient {
  const c = f.ws({ path: "/echo", ...options });
  f.run();
  return c;
}

/** The client saw the server's close frame with `code` and then the TCP close. */
function assertFailed(f: Fixture, c: SimWebSocketClient, code: number): void {
  f.run(10);
  assert.equal(c.closeFrame?.code, code, "close code");
  assert.notEqual(c.closed, null, "TCP connection closed");
}

// --- 1. Framing ---------------------------------------------------------------------------------

test("1.1/1.2 text and binary echo at every length boundary, whole and in random segments", async () => {
  // tiny segments for the small frames, TCP-sized ones for the large (every split point of a frame
  // is covered by the framing units; here it is the whole server path)
  const variants: [number | undefined, number[]][] = [
    [undefined, [0, 1, 125, 126, 127, 128, 65535, 65536]],
    [7, [0, 1, 125, 126, 127, 128, 300]],
    [1460, [65535, 65536]],
  ];
  for (const [maxSegment, lengths] of variants) {
    const f = await echo({ net: { maxSegment } });
    const c = open(f);
    assert.equal(c.status, 101);
    for (const n of lengths) c.sendText("*".repeat(n));
    for (const n of lengths) c.send(OP_BINARY, new Uint8Array(n).fill(0xfe));
    f.run(50);
    assert.deepEqual(c.texts.map((t) => t.length), lengths);
    const binaries = c.frames.filter((fr) => fr.opcode === OP_BINARY);
    assert.deepEqual(binaries.map((fr) => fr.payload.length), lengths);
    assert.ok(c.frames.every((fr) => fr.fin && !fr.masked && fr.rsv === 0), "server frames: final, unmasked, no RSV");
  }
});

// --- 2. Pings and pongs ----------------------------------------------------------------------

test("2.x pings get pongs with the same payload; unsolicited pongs are ignored; 126-byte pings fail", async () => {
  const f = await echo();
  const c = open(f);
  c.ping("").ping("hello").ping(new Uint8Array(125).fill(0xab)).send(OP_PONG, "unsolicited").sendText("after");
  f.run();
  const pongs = c.frames.filter((fr) => fr.opcode === OP_PONG);
  assert.deepEqual(pongs.map((p) => p.payload.length), [0, 5, 125]);
  assert.equal(decodeUtf8(pongs[1]!.payload), "hello");
  assert.deepEqual(c.texts, ["after"]);
  c.raw(c.frame(OP_PING, new Uint8Array(126)));
  assertFailed(f, c, 1002);
});

// --- 3. Reserved bits ------------------------------------------------------------------------

test("3.x a frame with RSV1, RSV2 or RSV3 set fails with 1002, after earlier messages are echoed", async () => {
  for (const rsv of [1, 2, 3, 4, 5, 6, 7]) {
    const f = await echo();
    const c = open(f);
    c.sendText("before").send(OP_TEXT, "bad", { rsv }).sendText("after");
    assertFailed(f, c, 1002);
    assert.deepEqual(c.texts, ["before"]);
  }
});

// --- 4. Opcodes ------------------------------------------------------------------------------

test("4.x reserved data (3-7) and control (11-15) opcodes fail with 1002", async () => {
  for (const op of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) {
    const f = await echo();
    const c = open(f);
    c.send(op, "x");
    assertFailed(f, c, 1002);
  }
});

// --- 5. Fragmentation --------------------------------------------------------------------------

test("5.x fragmented messages reassemble, with pings between fragments and empty fragments", async () => {
  const f = await echo();
  const c = open(f);
  c.send(OP_TEXT, "frag", { fin: false }).ping("mid").send(OP_CONTINUATION, "", { fin: false }).send(OP_CONTINUATION, "mented");
  c.send(OP_BINARY, new Uint8Array([1, 2]), { fin: false }).send(OP_CONTINUATION, new Uint8Array([3]));
  f.run();
  assert.deepEqual(c.texts, ["fragmented"]);
  assert.equal(c.frames[0]!.opcode, OP_PONG, "the ping is answered before the message completes");
  const binary = c.frames.find((fr) => fr.opcode === OP_BINARY)!;
  assert.deepEqual(Array.from(binary.payload), [1, 2, 3]);
});

test("5.x protocol errors: continuation first, a new message mid-fragment, fragmented pings", async () => {
  const cases: ((c: SimWebSocketClient) => void)[] = [
    (c) => c.send(OP_CONTINUATION, "x"),
    (c) => c.send(OP_TEXT, "a", { fin: false }).send(OP_TEXT, "b"),
    (c) => c.send(OP_TEXT, "a", { fin: false }).send(OP_BINARY, "b"),
    (c) => c.send(OP_PING, "p", { fin: false }),
    (c) => c.send(OP_PONG, "p", { fin: false }),
  ];
  for (const act of cases) {
    const f = await echo();
    const c = open(f);
    act(c);
    assertFailed(f, c, 1002);
    assert.deepEqual(c.texts, []);
  }
});

// --- 6. UTF-8 --------------------------------------------------------------------------------

test("6.x valid UTF-8 of every length echoes, also split inside a character across fragments", async () => {
  const f = await echo();
  const c = open(f);
  const samples = ["κόσμε", "€", "😀", "\u0080", "\u07ff", "\u0800", "\uffff", "\u{10ffff}", "Hello-µ@ßöäüàá-UTF-8!!"];
  for (const s of samples) c.sendText(s);
  const bytes = encodeUtf8("κόσμε");
  for (let cut = 1; cut < bytes.length; cut++) c.send(OP_TEXT, bytes.slice(0, cut), { fin: false }).send(OP_CONTINUATION, bytes.slice(cut));
  f.run();
  assert.deepEqual(c.texts, [...samples, ...Array(bytes.length - 1).fill("κόσμε")]);
});

test("6.x invalid UTF-8 fails with 1007, fast: at the fragment that breaks it", async () => {
  const invalid = [
    [0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64],
    [0xc0, 0xaf],
    [0xe0, 0x80, 0xaf],
    [0xf8, 0x88, 0x80, 0x80, 0xaf],
    [0xf4, 0x90, 0x80, 0x80],
    [0xed, 0xbf, 0xbf],
    [0x80],
    [0xfe],
    [0xce, 0xba, 0xe1, 0xbd], // ends inside a character
  ];
  for (const bytes of invalid) {
    const f = await echo();
    const c = open(f);
    c.sendText("ok").send(OP_TEXT, new Uint8Array(bytes));
    assertFailed(f, c, 1007);
    assert.deepEqual(c.texts, ["ok"]);
  }
  const f = await echo();
  const c = open(f);
  c.send(OP_TEXT, new Uint8Array([0xce, 0xba, 0xed, 0xa0, 0x80]), { fin: false });
  assertFailed(f, c, 1007); // before any continuation was sent
});

// --- 7. Close --------------------------------------------------------------------------------

test("7.1 a clean close: the code is echoed, the server closes TCP, the app hears it once", async () => {
  const f = await echo();
  const c = open(f);
  c.sendText("last").close(1000, "done").sendText("ignored after close");
  f.run(10);
  assert.deepEqual(c.texts, ["last"]);
  assert.deepEqual(c.closeFrame, { code: 1000, reason: "" });
  assert.equal(c.closed, undefined);
  assert.deepEqual(f.closes, ["1000 done"]);
  assert.equal(f.server.connections, 0);
  assert.equal(f.server.webSockets, 0);
});

test("7.3 an empty close frame is answered with an empty one (1005 is never sent)", async () => {
  const f = await echo();
  const c = open(f);
  c.close();
  f.run(10);
  assert.equal(c.frames.find((fr) => fr.opcode === OP_CLOSE)!.payload.length, 0);
  assert.deepEqual(f.closes, ["1005"]);
});

test("7.3/7.5/7.9 bad close frames: 1-byte payload, invalid codes, invalid UTF-8 reasons", async () => {
  const payloads: [Uint8Array, number][] = [
    [new Uint8Array([0x03]), 1002],
    ...[0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000].map((code): [Uint8Array, number] => [new Uint8Array([code >> 8, code & 0xff]), 1002]),
    [new Uint8Array([0x03, 0xe8, 0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64]), 1007],
  ];
  for (const [payload, code] of payloads) {
    const f = await echo();
    const c = open(f);
    c.send(OP_CLOSE, payload);
    assertFailed(f, c, code);
  }
});

test("7.7 every valid close code is echoed", async () => {
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]) {
    const f = await echo();
    const c = open(f);
    c.close(code, "x");
    f.run(10);
    assert.equal(c.closeFrame?.code, code);
  }
});

test("7.x the server closes: its close frame, then the client's answer, then TCP; a silent client is dropped", async () => {
  const f = await echo({ websocket: { closeTimeoutMs: 2000 } });
  const c = open(f);
  f.sockets[0]!.close(4000, "bye");
  f.run();
  assert.deepEqual(c.closeFrame, { code: 4000, reason: "bye" });
  assert.equal(f.sockets[0]!.send("late"), false, "nothing is sent after our close frame");
  c.close(4000);
  f.run(10);
  assert.equal(c.closed, undefined);
  assert.deepEqual(f.closes, ["4000"]);

  const silent = open(f);
  f.sockets[1]!.close();
  f.run(1999);
  assert.equal(silent.closed, null);
  f.run(1001);
  assert.equal(silent.closed, "ECONNRESET");
  assert.deepEqual(f.closes, ["4000", "1006"]);
});

test("a dropped TCP connection is reported as 1006", async () => {
  const f = await echo();
  const c = open(f);
  c.connection.destroy();
  f.run();
  assert.deepEqual(f.closes, ["1006 ECONNRESET"]);
});

// --- 9. Limits -------------------------------------------------------------------------------

test("9.x a message over maxMessage fails with 1009, whole or fragmented; at the limit it passes", async () => {
  const f = await echo({ websocket: { maxMessage: 1000 } });
  const ok = open(f);
  ok.sendText("x".repeat(1000));
  f.run();
  assert.equal(ok.texts[0]?.length, 1000);
  const whole = open(f);
  whole.sendText("x".repeat(1001));
  assertFailed(f, whole, 1009);
  const parts = open(f);
  parts.send(OP_TEXT, "x".repeat(600), { fin: false }).send(OP_CONTINUATION, "x".repeat(401));
  assertFailed(f, parts, 1009);
});

// --- 10. Misc ---------------------------------------------------------------------------------

test("10.x an unmasked client frame fails with 1002", async () => {
  const f = await echo();
  const c = open(f);
  c.send(OP_TEXT, "plain", { masked: false });
  assertFailed(f, c, 1002);
});

// --- The opening handshake ---------------------------------------------------------------------

test("the handshake answers 101 with the accept key, and the server sends nothing more unasked", async () => {
  const f = await echo();
  const key = "dGhlIHNhbXBsZSBub25jZQ==";
  const c = open(f, { key });
  assert.match(c.responseHead, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(c.responseHead, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=(\r\n|$)/);
  assert.match(c.responseHead, /\r\nUpgrade: websocket\r\nConnection: Upgrade/);
  f.run(1000);
  assert.equal(c.frames.length, 0);
});

test("INTEG's C# handshake is accepted: capitalised Upgrade value, fixed key, Origin, no subprotocol", async () => {
  const f = await echo();
  const c = f.http().send("GET /echo HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ZTUxNjYwYTYtOTk1OS00Mw==\r\nHost: 10.0.0.1\r\nOrigin: ws://10.0.0.1\r\n\r\n");
  f.run();
  assert.match(c.text, /^HTTP\/1\.1 101 /);
  assert.doesNotMatch(c.text, /Sec-WebSocket-Protocol/);
});

test("header names and token lists are case-insensitive; frames sent with the request are not lost", async () => {
  const f = await echo();
  const c = f.ws({ path: "/echo" });
  const frame = c.frame(OP_TEXT, "early");
  c.connection.onConnect = () => {
    const request = "GET /echo HTTP/1.1\r\nhost: d\r\nUPGRADE: WebSocket\r\nconnection: keep-alive, Upgrade\r\nsec-websocket-key: " + toBase64(new Uint8Array(16)) + "\r\nSEC-WEBSOCKET-VERSION: 13\r\n\r\n";
    const bytes = concatBytes(new Uint8Array(Array.from(request, (ch) => ch.charCodeAt(0))), frame);
    c.connection.write(bytes);
  };
  f.run();
  assert.equal(c.status, 101);
  assert.deepEqual(c.texts, ["early"]);
});

test("subprotocols: the route picks one the client offered; the response names it", async () => {
  const f = await echo();
  const c = open(f, { protocols: ["chat", "echo.v1"] });
  assert.match(c.responseHead, /\r\nSec-WebSocket-Protocol: echo\.v1/);
  assert.equal(f.sockets[0]!.protocol, "echo.v1");
  const none = open(f, { protocols: ["chat"] });
  assert.doesNotMatch(none.responseHead, /Sec-WebSocket-Protocol/);
});

test("bad handshakes: wrong version 426 with our version, bad key 400, POST 400, GET without upgrade 426", async () => {
  const f = await echo();
  const v8 = open(f, { version: "8" });
  assert.equal(v8.status, 426);
  assert.match(v8.responseHead, /\r\nSec-WebSocket-Version: 13/);
  const noKey = f.http().send("GET /echo HTTP/1.1\r\nHost: d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n");
  const badKey = open(f, { key: "not-a-key" });
  const post = f.http().send("POST /echo HTTP/1.1\r\nHost: d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  const plain = f.http().send("GET /echo HTTP/1.1\r\nHost: d\r\n\r\n");
  f.run();
  assert.equal(noKey.responses()[0]!.status, 400);
  assert.equal(badKey.status, 400);
  assert.equal(post.responses()[0]!.status, 400);
  const r = plain.responses()[0]!;
  assert.equal(r.status, 426);
  assert.deepEqual(r.headers["upgrade"], ["websocket"]);
});

test("the upgrade hook sees the whole request and can refuse it with 401 and challenges, or 403", async () => {
  const f = await serve();
  let seen = "";
  f.router.websocket("/api/ws", (ex) => {
    seen = [ex.method, ex.path, ex.query, ex.headers.get("authorization") ?? "-", ex.headers.get("cookie") ?? "-", ex.remoteAddress, String(ex.secure)].join(" ");
    const auth = ex.headers.get("authorization");
    if (!auth) return ex.respond(401, "", ["WWW-Authenticate", 'Bearer realm="iobox"', "WWW-Authenticate", 'Basic realm="iobox", charset="UTF-8"']);
    if (auth !== "Bearer good") return ex.respond(403);
    ex.acceptWebSocket();
  });
  const none = f.ws({ path: "/api/ws?x=1", headers: ["Cookie: s=1"] });
  f.run();
  assert.equal(none.status, 401);
  assert.equal(seen, "GET /api/ws x=1 - s=1 10.0.0.2 false");
  const challenges = none.responseHead.split("\r\n").filter((l) => l.startsWith("WWW-Authenticate:"));
  assert.deepEqual(challenges, ['WWW-Authenticate: Bearer realm="iobox"', 'WWW-Authenticate: Basic realm="iobox", charset="UTF-8"']);
  const wrong = f.ws({ path: "/api/ws", headers: ["Authorization: Bearer bad"] });
  const right = f.ws({ path: "/api/ws", headers: ["Authorization: Bearer good"] });
  f.run();
  assert.equal(wrong.status, 403);
  assert.equal(right.status, 101);
});

// --- Timeouts, back-pressure, shutdown ----------------------------------------------------------

test("pings after a quiet interval keep a live client; an unanswering one is dropped after the pong timeout", async () => {
  const f = await echo({ websocket: { pingIntervalMs: 10_000, pongTimeoutMs: 5000 }, limits: { sweepMs: 500 } });
  const live = open(f);
  const dead = open(f);
  dead.connection.pause(); // reads nothing, so never answers
  // the sim client does not answer pings by itself: answer for it when one arrives
  let answered = 0;
  const poll = f.host.timers.every(100, () => {
    const pings = live.frames.filter((fr) => fr.opcode === OP_PING).length;
    while (answered < pings) {
      live.send(OP_PONG, "");
      answered++;
    }
  });
  f.run(10_600);
  assert.equal(live.frames.filter((fr) => fr.opcode === OP_PING).length, 1);
  f.run(5000);
  assert.equal(dead.closed, "ECONNRESET");
  assert.equal(live.closed, null);
  assert.ok(logged(f.host, /no answer to ping in 5000 ms; dropped/));
  poll.cancel();
});

test("an idle timeout closes with 1001", async () => {
  const f = await echo({ websocket: { idleTimeoutMs: 3000, pingIntervalMs: 0 } });
  const c = open(f);
  f.run(2000);
  c.sendText("still here");
  f.run(2999);
  assert.equal(c.closeFrame, undefined);
  f.run(1000);
  assert.equal(c.closeFrame?.code, 1001);
});

test("a client too slow to read is closed with 1008 once maxBuffered bytes wait, and it is logged", async () => {
  const f = await echo({ websocket: { maxBuffered: 10_000 }, net: { highWaterMark: 1000 } });
  const c = open(f);
  c.connection.pause();
  let accepted = 0;
  for (let i = 0; i < 100; i++) if (f.sockets[0]!.send("x".repeat(500)) !== undefined) accepted++;
  assert.equal(f.sockets[0]!.isOpen, false, "closed when the queue passed the limit");
  assert.ok(f.sockets[0]!.bufferedAmount <= 10_000 + 600);
  assert.ok(logged(f.host, /closing a client too slow to read: \d+ bytes unsent \(limit 10000\)/));
  assert.deepEqual(f.closes, ["1008 send queue full"]);
  f.run(6000); // the close frame cannot get through to a client that never reads: dropped
  assert.equal(c.closed, "ECONNRESET");
  assert.equal(accepted, 100);
});

test("server shutdown closes WebSockets with 1001", async () => {
  const f = await echo();
  const c = open(f);
  const closing = f.server.close();
  f.run();
  assert.equal(c.closeFrame?.code, 1001);
  c.close(1001);
  f.run(10);
  await closing;
  assert.equal(c.closed, undefined);
});
