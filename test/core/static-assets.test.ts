import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { encodeAscii } from "../../src/bytes.ts";
import { acceptsGzip, serveAssets } from "../../src/http/static.ts";
import { serve, type Fixture } from "./fixtures.ts";

// a real gzip member of "hello\n" (what a build step would embed)
const GZIPPED = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xe7, 2, 0, 0x20, 0x30, 0x3a, 0x36, 6, 0, 0, 0]);

async function assets(): Promise<Fixture> {
  const f = await serve();
  serveAssets(f.router, f.host.crypto, [
    { path: "/index.html", type: "text/html; charset=utf-8", body: GZIPPED, gzip: true },
    { path: "/plain.txt", type: "text/plain", body: encodeAscii("plain body") },
  ]);
  return f;
}

const get = (path: string, extra = ""): string => `GET ${path} HTTP/1.1\r\nHost: d\r\n${extra}\r\n`;

test("a gzip asset is sent with Content-Encoding, its type, a strong ETag, and no-cache; / serves index.html", async () => {
  const f = await assets();
  const c = f.http().send(get("/", "Accept-Encoding: gzip, deflate, br\r\n") + get("/index.html"));
  f.run();
  const [root, index] = c.responses();
  for (const r of [root!, index!]) {
    assert.equal(r.status, 200);
    assert.deepEqual(r.headers["content-encoding"], ["gzip"]);
    assert.deepEqual(r.headers["content-type"], ["text/html; charset=utf-8"]);
    assert.deepEqual(r.headers["vary"], ["Accept-Encoding"]);
    assert.deepEqual(r.headers["cache-control"], ["no-cache"]);
    assert.match(r.headers["etag"]![0]!, /^"[0-9a-f]{20}"$/);
    assert.deepEqual(r.body, GZIPPED);
  }
  assert.equal(root!.headers["etag"]![0], index!.headers["etag"]![0]);
});

test("If-None-Match with the ETag (or *, or a weak form) gets 304 without a body", async () => {
  const f = await assets();
  const first = f.http().send(get("/plain.txt"));
  f.run();
  const etag = first.responses()[0]!.headers["etag"]![0]!;
  const c = f.http().send(get("/plain.txt", `If-None-Match: "other", ${etag}\r\n`) + get("/plain.txt", "If-None-Match: *\r\n") + get("/plain.txt", `If-None-Match: W/${etag}\r\n`) + get("/plain.txt", 'If-None-Match: "stale"\r\n'));
  f.run();
  const rs = c.responses();
  assert.deepEqual(rs.map((r) => r.status), [304, 304, 304, 200]);
  assert.equal(rs[0]!.body.length, 0);
  assert.deepEqual(rs[0]!.headers["etag"], [etag]);
  assert.equal(rs[3]!.text, "plain body");
});

test("a client that refuses gzip gets 406 for a gzip-only asset; HEAD has no body", async () => {
  const f = await assets();
  const c = f.http().send(`HEAD /index.html HTTP/1.1\r\nHost: d\r\n\r\n` + get("/index.html", "Accept-Encoding: identity\r\n") + get("/index.html", "Accept-Encoding: gzip;q=0, br\r\n") + get("/plain.txt", "Accept-Encoding: identity\r\n"));
  f.run();
  const rs = c.responses(1);
  assert.equal(rs[0]!.status, 200);
  assert.deepEqual(rs[0]!.headers["content-length"], [String(GZIPPED.length)]);
  assert.equal(rs[0]!.body.length, 0);
  assert.equal(rs[1]!.status, 406);
  assert.equal(rs[2]!.status, 406);
  const rest = rs.slice(3);
  assert.equal(rest[0]!.text, "plain body", "an uncompressed asset does not care");
});

test("Accept-Encoding parsing follows RFC 9110 §12.5.3", () => {
  assert.ok(acceptsGzip(undefined));
  assert.ok(acceptsGzip("gzip"));
  assert.ok(acceptsGzip("br;q=1.0, GZIP;q=0.5"));
  assert.ok(acceptsGzip("*"));
  assert.ok(acceptsGzip("x-gzip"));
  assert.ok(!acceptsGzip("identity"));
  assert.ok(!acceptsGzip("gzip;q=0"));
  assert.ok(!acceptsGzip("*;q=0"));
  assert.ok(!acceptsGzip(""));
});
