import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { concatBytes, decodeLatin1, encodeAscii } from "../../src/bytes.ts";
import { serveStatus } from "../../src/status-responder.ts";
import { MemoryHost } from "../../sim/memory-host.ts";

async function exchange(request: string | Uint8Array, options: { maxSegment?: number; waitMs?: number } = {}) {
  const host = new MemoryHost({ net: { maxSegment: options.maxSegment } });
  await host.net.listen({ port: 80 }, (c) => serveStatus(host, c, () => ({ model: "410" })));
  const c = host.net.connect({ host: "device", port: 80 });
  let response: Uint8Array = new Uint8Array(0);
  let closed = false;
  c.onData = (d) => (response = concatBytes(response, d));
  c.onClose = () => (closed = true);
  c.onConnect = () => c.write(typeof request === "string" ? encodeAscii(request) : request);
  host.clock.advance(options.waitMs ?? 0);
  return { text: decodeLatin1(response), closed };
}

test("GET / answers 200 with the status as JSON and closes", async () => {
  const r = await exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(r.text, /Content-Type: application\/json\r\n/);
  assert.match(r.text, /Content-Length: 16\r\n/);
  assert.ok(r.text.endsWith('\r\n\r\n{"model":"410"}\n'), r.text);
  assert.ok(r.closed);
});

test("a request split into single bytes is still understood", async () => {
  const r = await exchange("GET /status HTTP/1.1\r\nHost: x\r\n\r\n", { maxSegment: 1 });
  assert.match(r.text, /^HTTP\/1\.1 200 OK/);
});

test("HEAD has headers only; other methods get 405 with Allow", async () => {
  const head = await exchange("HEAD / HTTP/1.1\r\n\r\n");
  assert.match(head.text, /^HTTP\/1\.1 200 OK[^]*\r\n\r\n$/);
  const post = await exchange("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  assert.match(post.text, /^HTTP\/1\.1 405 Method Not Allowed\r\n[^]*Allow: GET, HEAD\r\n/);
});

test("unknown paths get 404 and garbage gets 400", async () => {
  assert.match((await exchange("GET /nope HTTP/1.1\r\n\r\n")).text, /^HTTP\/1\.1 404 Not Found/);
  assert.match((await exchange("hello\r\n\r\n")).text, /^HTTP\/1\.1 400 Bad Request/);
});

test("an oversized head gets 431; a silent client gets 408 after 10 s", async () => {
  const big = await exchange("GET / HTTP/1.1\r\nX: " + "a".repeat(9000) + "\r\n\r\n");
  assert.match(big.text, /^HTTP\/1\.1 431 /);
  const slow = await exchange("GET / HTTP/1.1\r\n", { waitMs: 9_999 });
  assert.equal(slow.text, "");
  assert.ok(!slow.closed);
  const timedOut = await exchange("GET / HTTP/1.1\r\n", { waitMs: 10_000 });
  assert.match(timedOut.text, /^HTTP\/1\.1 408 Request Timeout/);
  assert.ok(timedOut.closed);
});
