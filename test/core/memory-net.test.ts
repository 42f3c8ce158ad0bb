import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { concatBytes, decodeLatin1, encodeAscii } from "../../src/bytes.ts";
import type { Connection } from "../../src/host.ts";
import { VirtualClock } from "../../sim/clock.ts";
import { MEMORY_HOST_ADDRESS, MemoryNet, type MemoryNetOptions } from "../../sim/memory-net.ts";

async function pair(options: MemoryNetOptions = {}) {
  const clock = new VirtualClock();
  const net = new MemoryNet(clock, options);
  let server: Connection | undefined;
  const listener = await net.listen({ port: 80 }, (c) => {
    server = c;
  });
  const client = net.connect({ host: MEMORY_HOST_ADDRESS, port: 80 });
  let connected = false;
  client.onConnect = () => (connected = true);
  clock.advance(0);
  assert.ok(connected && server, "connected");
  return { clock, net, listener, client, server: server! };
}

function collect(c: Connection): { bytes: () => Uint8Array; closed: () => string | undefined | null } {
  let all: Uint8Array = new Uint8Array(0);
  let closed: string | undefined | null = null;
  c.onData = (d) => (all = concatBytes(all, d));
  c.onClose = (e) => (closed = e);
  return { bytes: () => all, closed: () => closed };
}

test("bytes flow both ways only when the clock runs", async () => {
  const { clock, client, server } = await pair();
  const atServer = collect(server);
  const atClient = collect(client);
  client.write(encodeAscii("ping"));
  assert.equal(atServer.bytes().length, 0);
  clock.advance(0);
  assert.equal(decodeLatin1(atServer.bytes()), "ping");
  server.write(encodeAscii("pong"));
  clock.advance(0);
  assert.equal(decodeLatin1(atClient.bytes()), "pong");
  assert.equal(server.remoteAddress, "10.0.0.2");
});

test("segmented delivery splits writes but keeps every byte in order", async () => {
  const { clock, client, server } = await pair({ maxSegment: 3, seed: 9 });
  const chunks: number[] = [];
  let all: Uint8Array = new Uint8Array(0);
  server.onData = (d) => {
    chunks.push(d.length);
    all = concatBytes(all, d);
  };
  const text = "The quick brown fox jumps over the lazy dog";
  client.write(encodeAscii(text.slice(0, 20)));
  client.write(encodeAscii(text.slice(20)));
  clock.advance(0);
  assert.equal(decodeLatin1(all), text);
  assert.ok(chunks.length >= text.length / 3 && chunks.every((n) => n >= 1 && n <= 3), "segments of 1..3 bytes");
});

test("a paused reader builds back-pressure; drain fires once the queue empties", async () => {
  const { clock, client, server } = await pair({ highWaterMark: 100 });
  const got = collect(server);
  server.pause();
  let drained = 0;
  client.onDrain = () => drained++;
  assert.equal(client.write(new Uint8Array(60)), true);
  assert.equal(client.write(new Uint8Array(60)), false, "over the high-water mark");
  clock.advance(10);
  assert.equal(client.pending, 120);
  assert.equal(got.bytes().length, 0);
  server.resume();
  clock.advance(0);
  assert.equal(got.bytes().length, 120);
  assert.equal(client.pending, 0);
  assert.equal(drained, 1);
});

test("a slow link delivers bytesPerMs per millisecond", async () => {
  const { clock, client, server } = await pair({ bytesPerMs: 10 });
  const got = collect(server);
  client.write(new Uint8Array(35));
  clock.advance(0);
  assert.equal(got.bytes().length, 10);
  clock.advance(2);
  assert.equal(got.bytes().length, 30);
  clock.advance(1);
  assert.equal(got.bytes().length, 35);
});

test("close flushes queued bytes, then both sides see a clean close", async () => {
  const { clock, client, server } = await pair();
  const atServer = collect(server);
  const atClient = collect(client);
  client.write(encodeAscii("last words"));
  client.close();
  assert.equal(client.write(encodeAscii("more")), false, "writes after close are refused");
  clock.advance(0);
  assert.equal(decodeLatin1(atServer.bytes()), "last words");
  assert.equal(atServer.closed(), undefined);
  assert.equal(atClient.closed(), undefined);
});

test("destroy drops queued bytes and resets the peer", async () => {
  const { clock, client, server } = await pair();
  const atServer = collect(server);
  collect(client);
  client.write(encodeAscii("lost"));
  client.destroy();
  clock.advance(0);
  assert.equal(atServer.bytes().length, 0);
  assert.equal(atServer.closed(), "ECONNRESET");
});

test("connecting to a closed port is refused; a used port cannot be bound twice", async () => {
  const { clock, net, listener } = await pair();
  await assert.rejects(net.listen({ port: 80 }, () => {}), /EADDRINUSE/);
  listener.close();
  const c = net.connect({ host: MEMORY_HOST_ADDRESS, port: 80 });
  let error: string | undefined;
  c.onClose = (e) => (error = e);
  clock.advance(0);
  assert.match(error ?? "", /ECONNREFUSED/);
  const any = await net.listen({ port: 0 }, () => {});
  assert.ok(any.port >= 49152);
});

test("a TLS client cannot talk to a plain listener", async () => {
  const { clock, net } = await pair();
  const c = net.connect({ host: MEMORY_HOST_ADDRESS, port: 80, tls: {} });
  let error: string | undefined;
  c.onClose = (e) => (error = e);
  clock.advance(0);
  assert.equal(error, "TLS handshake failed");
});

test("callbacks are called as methods of the connection, so `target` reaches the owner", async () => {
  const { clock, client, server } = await pair();
  const seen: string[] = [];
  function onData(this: Connection, d: Uint8Array): void {
    seen.push((this.target as string) + " data " + d.length);
  }
  function onClose(this: Connection, e?: string): void {
    seen.push((this.target as string) + " close " + (e ?? "clean"));
  }
  server.target = "server";
  server.onData = onData;
  server.onClose = onClose;
  client.target = "client";
  client.onClose = onClose;
  client.write(new Uint8Array(3));
  client.close();
  clock.advance(0);
  assert.deepEqual(seen, ["server data 3", "client close clean", "server close clean"]);
});
