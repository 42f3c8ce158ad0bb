import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { decodeUtf8, encodeAscii, encodeUtf8 } from "../../src/bytes.ts";
import type { Exchange } from "../../src/http/exchange.ts";
import { logged, serve, type Fixture } from "./fixtures.ts";

function echoRoutes(f: Fixture): void {
  f.router.get("/hello", (ex) => ex.respond(200, "hello world\n"));
  f.router.post("/echo", (ex) => ex.respond(200, ex.body, ["Content-Type", "application/octet-stream", "X-Path", ex.path, "X-Query", ex.query]));
  f.router.post("/small", (ex) => ex.respond(200, String(ex.body.length)), { maxBody: 10 });
}

const GET = (path: string, extra = ""): string => `GET ${path} HTTP/1.1\r\nHost: device\r\n${extra}\r\n`;

test("GET answers with Content-Length, a Date, and keeps the connection open", async () => {
  const f = await serve();
  echoRoutes(f);
  const c = f.http().send(GET("/hello"));
  f.run();
  const [r] = c.responses();
  assert.equal(r!.status, 200);
  assert.equal(r!.text, "hello world\n");
  assert.deepEqual(r!.headers["content-length"], ["12"]);
  assert.deepEqual(r!.headers["content-type"], ["text/plain; charset=utf-8"]);
  assert.match(r!.headers["date"]![0]!, /^\w{3}, \d\d \w{3} 2026 \d\d:\d\d:\d\d GMT$/);
  assert.equal(r!.headers["connection"], undefined);
  assert.equal(c.closed, null);
});

test("keep-alive serves requests one after another on one connection, and pipelined ones in order", async () => {
  const f = await serve();
  echoRoutes(f);
  const c = f.http().send(GET("/hello"));
  f.run();
  c.send(GET("/nope") + GET("/hello") + "POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\n\r\nabc" + GET("/hello", "Connection: close\r\n"));
  f.run();
  const rs = c.responses();
  assert.deepEqual(rs.map((r) => r.status), [200, 404, 200, 200, 200]);
  assert.equal(rs[3]!.text, "abc");
  assert.deepEqual(rs[4]!.headers["connection"], ["close"]);
  assert.equal(c.closed, undefined, "closed after the request that asked for it");
  assert.equal(f.server.connections, 0);
});

test("a request arriving one byte at a time is parsed the same", async () => {
  const f = await serve({ net: { maxSegment: 1 } });
  echoRoutes(f);
  const c = f.http().send("POST /echo?x=1 HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\n" + GET("/hello"));
  f.run();
  const rs = c.responses();
  assert.deepEqual(rs.map((r) => r.status), [200, 200]);
  assert.equal(rs[0]!.text, "abc0123456789abcdef");
  assert.deepEqual(rs[0]!.headers["x-query"], ["x=1"]);
});

test("chunked and sized request bodies up to the route's limit; beyond it 413", async () => {
  const f = await serve();
  echoRoutes(f);
  const body = "x".repeat(5000);
  const c = f.http().send(`POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  f.run();
  assert.equal(c.responses()[0]!.text, body);
  const big = f.http().send("POST /small HTTP/1.1\r\nHost: d\r\nContent-Length: 11\r\n\r\n01234567890");
  const chunkedBig = f.http().send("POST /small HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n6\r\n012345\r\n0\r\n\r\n");
  const ok = f.http().send("POST /small HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n");
  f.run();
  assert.equal(big.responses()[0]!.status, 413);
  assert.equal(big.closed, undefined);
  assert.equal(chunkedBig.responses()[0]!.status, 413);
  assert.equal(ok.responses()[0]!.text, "10");
});

test("Expect: 100-continue gets 100 before the body, or 413 at once", async () => {
  const f = await serve();
  echoRoutes(f);
  const c = f.http().send("POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  f.run();
  assert.match(c.text, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
  c.send("data");
  f.run();
  assert.deepEqual(c.responses().map((r) => r.status), [100, 200]);
  const refused = f.http().send("POST /small HTTP/1.1\r\nHost: d\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n");
  const odd = f.http().send("POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: 1\r\nExpect: telepathy\r\n\r\nx");
  f.run();
  assert.deepEqual(refused.responses().map((r) => r.status), [413]);
  assert.equal(odd.responses()[0]!.status, 417);
});

test("HEAD gets the GET's headers without a body, and the connection stays usable", async () => {
  const f = await serve();
  echoRoutes(f);
  const c = f.http().send("HEAD /hello HTTP/1.1\r\nHost: d\r\n\r\n" + GET("/hello"));
  f.run();
  const rs = c.responses(1);
  assert.equal(rs.length, 2);
  assert.deepEqual(rs[0]!.headers["content-length"], ["12"]);
  assert.equal(rs[0]!.body.length, 0);
  assert.equal(rs[1]!.text, "hello world\n");
});

test("malformed requests get their status code and the connection is closed", async () => {
  const f = await serve({ limits: { maxRequestLine: 100, maxHeadBytes: 400, maxHeaders: 5 } });
  echoRoutes(f);
  const cases: [string, number][] = [
    ["GET /hello HTTP/1.1\r\n\r\n", 400], // no Host
    ["GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400],
    ["GET  /hello HTTP/1.1\r\nHost: d\r\n\r\n", 400],
    ["GET /hello HTTP/1.1 \r\nHost: d\r\n\r\n", 400],
    ["G(T /hello HTTP/1.1\r\nHost: d\r\n\r\n", 400],
    ["GET /hello HTTP/2.0\r\nHost: d\r\n\r\n", 505],
    ["GET /hello HTTX/1.1\r\nHost: d\r\n\r\n", 400],
    [`GET /${"a".repeat(120)} HTTP/1.1\r\nHost: d\r\n\r\n`, 414],
    [`GET /hello HTTP/1.1\r\nHost: d\r\nX: ${"v".repeat(400)}\r\n\r\n`, 431],
    ["GET /hello HTTP/1.1\r\nHost: d\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\nF: 1\r\n\r\n", 431],
    ["GET /hello HTTP/1.1\r\nHost : d\r\n\r\n", 400],
    ["GET /hello HTTP/1.1\r\nHost: d\r\nX: a\r\n  folded\r\n\r\n", 400],
    ["GET /hello HTTP/1.1\r\nHost: d\r\nX: a\x01b\r\n\r\n", 400],
    ["POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400],
    ["POST /echo HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: gzip\r\n\r\n", 501],
    ["POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400],
    ["POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: -1\r\n\r\n", 400],
    ["POST /echo HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400],
    ["GET /%zz HTTP/1.1\r\nHost: d\r\n\r\n", 400],
    ["\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400], // a TLS ClientHello on the plain port
  ];
  for (const [request, status] of cases) {
    const c = f.http().send(request);
    f.run();
    const rs = c.responses();
    assert.equal(rs[0]?.status, status, JSON.stringify(request.slice(0, 60)));
    assert.deepEqual(rs[0]!.headers["connection"], ["close"]);
    assert.equal(c.closed, undefined, "closed after " + status);
  }
  assert.equal(f.server.connections, 0);
});

test("unknown paths get 404, wrong methods 405 with Allow, OPTIONS 204 with Allow", async () => {
  const f = await serve();
  echoRoutes(f);
  const c = f.http().send(GET("/missing") + "DELETE /hello HTTP/1.1\r\nHost: d\r\n\r\n" + "OPTIONS /echo HTTP/1.1\r\nHost: d\r\n\r\n" + "OPTIONS * HTTP/1.1\r\nHost: d\r\n\r\n");
  f.run();
  const rs = c.responses();
  assert.deepEqual(rs.map((r) => r.status), [404, 405, 204, 204]);
  assert.deepEqual(rs[1]!.headers["allow"], ["GET, HEAD, OPTIONS"]);
  assert.deepEqual(rs[2]!.headers["allow"], ["POST, OPTIONS"]);
});

test("prefix routes match the longest prefix; the path is percent-decoded and absolute-form targets work", async () => {
  const f = await serve();
  const seen: string[] = [];
  f.router.get("/files/*", (ex) => (seen.push("files " + ex.path), ex.respond(204)));
  f.router.get("/files/special/*", (ex) => (seen.push("special " + ex.path + " " + ex.param("n")), ex.respond(204)));
  const c = f.http().send(GET("/files/a%20b.txt") + GET("/files/special/x?n=%C3%A9t%C3%A9") + "GET http://device/files/z HTTP/1.1\r\nHost: device\r\n\r\n");
  f.run();
  assert.deepEqual(c.responses().map((r) => r.status), [204, 204, 204]);
  assert.deepEqual(seen, ["files /files/a b.txt", "special /files/special/x été", "files /files/z"]);
});

test("a streamed response is chunked on HTTP/1.1 and ends with the connection on HTTP/1.0", async () => {
  const f = await serve();
  f.router.get("/stream", (ex) => {
    ex.stream(200, ["Content-Type", "text/plain"]);
    ex.write(encodeAscii("one,"));
    f.host.timers.after(10, () => {
      ex.write(encodeAscii("two"));
      ex.end();
    });
  });
  const c = f.http().send(GET("/stream") + GET("/stream"));
  const old = f.http().send("GET /stream HTTP/1.0\r\n\r\n");
  const head = f.http().send("HEAD /stream HTTP/1.1\r\nHost: d\r\n\r\n");
  f.run(100);
  const rs = c.responses();
  assert.deepEqual(rs.map((r) => [r.status, r.text, r.headers["transfer-encoding"]?.[0]]), [
    [200, "one,two", "chunked"],
    [200, "one,two", "chunked"],
  ]);
  assert.match(old.text, /^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n\r\none,two$/);
  assert.equal(old.closed, undefined);
  assert.equal(head.responses(1)[0]!.body.length, 0);
  assert.doesNotMatch(head.text, /one/);
});

test("streaming routes get the body as it arrives", async () => {
  const f = await serve();
  const parts: string[] = [];
  f.router.post(
    "/upload",
    (ex) => {
      ex.onBody = (chunk) => parts.push(decodeUtf8(chunk));
      ex.onEnd = () => ex.respond(201, parts.join("|"));
    },
    { stream: true, maxBody: 100 },
  );
  const c = f.http().send("POST /upload HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n");
  f.run();
  assert.deepEqual(parts, ["ab"]);
  c.send("3\r\ncde\r\n0\r\n\r\n");
  f.run();
  assert.equal(c.responses()[0]!.status, 201);
  assert.equal(c.responses()[0]!.text, "ab|cde");
  assert.equal(c.closed, null, "keep-alive after a streamed body");
});

test("deadlines: slow heads get 408; idle and silent connections are closed quietly; stalled bodies 408", async () => {
  const f = await serve({ limits: { headTimeoutMs: 5000, keepAliveTimeoutMs: 8000, bodyTimeoutMs: 3000 } });
  echoRoutes(f);
  const slow = f.http().send("GET /hello HTTP/1.1\r\nHost:");
  const silent = f.http();
  const idle = f.http().send(GET("/hello"));
  const stalled = f.http().send("POST /echo HTTP/1.1\r\nHost: d\r\nContent-Length: 10\r\n\r\nabc");
  f.run(4000);
  assert.equal(slow.closed, null);
  assert.equal(stalled.responses()[0]?.status, 408);
  f.run(2000);
  assert.equal(slow.responses()[0]?.status, 408);
  assert.equal(silent.text, "");
  assert.equal(silent.closed, undefined);
  assert.equal(idle.closed, null, "keep-alive still within its 8 s");
  f.run(3000);
  assert.equal(idle.responses().length, 1);
  assert.equal(idle.closed, undefined);
  assert.equal(f.server.connections, 0);
  assert.equal(f.host.clock.armed, 0, "the sweep timer stops with the last connection");
});

test("a handler that throws gets 500 (logged); one that never answers gets 500 after its deadline", async () => {
  const f = await serve({ limits: { handlerTimeoutMs: 2000 } });
  f.router.get("/throws", () => {
    throw new Error("boom");
  });
  f.router.get("/silent", () => {});
  f.router.get("/split", (ex) => ex.respond(200, "x", ["X-Evil", "a\r\nSet-Cookie: owned"]));
  const a = f.http().send(GET("/throws"));
  const b = f.http().send(GET("/silent"));
  const c = f.http().send(GET("/split"));
  f.run(0);
  assert.equal(a.responses()[0]!.status, 500);
  assert.ok(logged(f.host, /GET \/throws: handler failed: boom/));
  assert.equal(c.responses()[0]!.status, 500, "a header value with CRLF is refused, not sent");
  assert.doesNotMatch(c.text, /owned/);
  f.run(3000);
  assert.equal(b.responses()[0]!.status, 500);
  assert.ok(logged(f.host, /GET \/silent: no answer in 2000 ms/));
});

test("answers can come later, and pipelined requests wait their turn", async () => {
  const f = await serve();
  let n = 0;
  f.router.get("/later", (ex) => {
    const k = ++n;
    f.host.timers.after(100 - k * 10, () => ex.respond(200, "answer " + k));
  });
  const c = f.http().send(GET("/later") + GET("/later") + GET("/later"));
  f.run(500);
  assert.deepEqual(c.responses().map((r) => r.text), ["answer 1", "answer 2", "answer 3"]);
});

test("an answer that comes after the client has gone goes nowhere, and throws nothing; a second answer is still a bug", async () => {
  const f = await serve();
  const answers: Exchange[] = [];
  f.router.get("/later", (ex) => void answers.push(ex));
  const c = f.http().send(GET("/later"));
  f.run(10);
  c.connection.destroy();
  f.run(10);
  answers[0]!.respond(200, "too late"); // a Wi-Fi scan that finished after the page was closed
  answers[0]!.stream(200);
  assert.ok(logged(f.host, /GET \/later: answered after the exchange was over; dropped/));
  const d = f.http().send(GET("/later"));
  f.run(10);
  answers[1]!.respond(200, "once");
  assert.throws(() => answers[1]!.respond(200, "twice"), /already answered/);
  f.run(10);
  assert.deepEqual(d.responses().map((r) => r.text), ["once"]);
});

test("a client that does not read its answers stops the server reading its requests", async () => {
  const f = await serve({ net: { highWaterMark: 1000 } });
  let served = 0;
  f.router.get("/big", (ex) => (served++, ex.respond(200, new Uint8Array(3000))));
  const c = f.http();
  c.connection.pause();
  f.run();
  c.send(GET("/big").repeat(20));
  f.run(10);
  assert.ok(served < 20, "stopped reading after the queue filled: " + served);
  c.connection.resume();
  f.run(10);
  assert.equal(served, 20);
  assert.equal(c.responses().length, 20);
});

test("beyond maxConnections a new connection gets 503", async () => {
  const f = await serve({ limits: { maxConnections: 2 } });
  echoRoutes(f);
  const a = f.http();
  const b = f.http();
  f.run();
  const c = f.http().send(GET("/hello"));
  f.run();
  assert.equal(c.responses()[0]!.status, 503);
  assert.deepEqual(c.responses()[0]!.headers["retry-after"], ["5"]);
  assert.equal(c.closed, undefined);
  assert.ok(logged(f.host, /refused, 2 connections open \(limit 2\)/));
  assert.equal(a.closed, null);
  assert.equal(b.closed, null);
});

test("graceful shutdown: idle connections close, a request in progress finishes with Connection: close", async () => {
  const f = await serve();
  let pending: Exchange | undefined;
  f.router.get("/slow", (ex) => (pending = ex));
  const idle = f.http();
  const busy = f.http().send(GET("/slow"));
  f.run();
  let done = false;
  const closing = f.server.close().then(() => (done = true));
  f.run();
  assert.equal(idle.closed, undefined);
  assert.equal(busy.closed, null);
  const late = f.http();
  f.run();
  assert.equal(late.responses()[0]?.status, undefined, "the listener is closed: refused");
  assert.match(String(late.closed), /ECONNREFUSED/);
  pending!.respond(200, "finished");
  f.run();
  assert.deepEqual(busy.responses()[0]!.headers["connection"], ["close"]);
  assert.equal(busy.closed, undefined);
  await closing;
  assert.ok(done);
});

test("graceful shutdown drops what is still open after the grace period", async () => {
  const f = await serve();
  f.router.get("/never", () => {});
  const c = f.http().send(GET("/never"));
  f.run();
  const closing = f.server.close(1000);
  f.run(999);
  assert.equal(c.closed, null);
  f.run(1);
  await closing;
  assert.equal(c.closed, "ECONNRESET");
});

test("response bodies: UTF-8 text is sent as bytes with the right length", async () => {
  const f = await serve();
  f.router.get("/text", (ex) => ex.respond(200, "Grüße €"));
  const c = f.http().send(GET("/text"));
  f.run();
  const r = c.responses()[0]!;
  assert.deepEqual(r.headers["content-length"], [String(encodeUtf8("Grüße €").length)]);
  assert.equal(r.text, "Grüße €");
});
