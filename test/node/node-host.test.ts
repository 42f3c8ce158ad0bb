/** The Node host over real sockets, real TLS and real files. */
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { concatBytes, decodeLatin1, encodeAscii, toHex } from "../../src/bytes.ts";
import type { ClientConnection, Connection, Host } from "../../src/host.ts";
import { SimBoard } from "../../sim/board.ts";
import { nobleCrypto } from "../../sim/noble-crypto.ts";
import { makeSelfSigned } from "../../hosts/node/dev-cert.ts";
import { NodeFiles } from "../../hosts/node/files.ts";
import { NodeHost, nodeCrypto } from "../../hosts/node/host.ts";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "iobox-test-"));
}

function makeHost(): NodeHost {
  return new NodeHost({ dataDir: tempDir(), board: new SimBoard({ inputs: [1], outputs: [2] }), unitId: "020000000001", logSink: () => {} });
}

function until(predicate: () => boolean, what: string, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      if (predicate()) return resolve();
      if (Date.now() - started > ms) return reject(new Error("timed out waiting for " + what));
      setTimeout(poll, 5);
    };
    poll();
  });
}

/** A server that echoes what it receives, and a client that collects what comes back. */
async function echoPair(host: Host, tls?: { cert: string; key: string }, clientTls?: { ca?: string; servername?: string; verify?: boolean }) {
  const server = await host.net.listen({ host: "127.0.0.1", port: 0, tls }, (c: Connection) => {
    c.onData = (d) => c.write(d.slice());
  });
  const client: ClientConnection = host.net.connect({ host: "127.0.0.1", port: server.port, tls: clientTls });
  let received: Uint8Array = new Uint8Array(0);
  let connected = false;
  let closed: string | undefined | null = null;
  client.onConnect = () => (connected = true);
  client.onData = (d) => (received = concatBytes(received, d));
  client.onClose = (e) => (closed = e);
  return { server, client, received: () => received, connected: () => connected, closed: () => closed };
}

test("TCP: listen on a free port, connect, echo, close", async () => {
  const host = makeHost();
  const p = await echoPair(host);
  assert.ok(p.server.port > 0);
  await until(p.connected, "connect");
  p.client.write(encodeAscii("hello over TCP"));
  await until(() => p.received().length === 14, "echo");
  assert.equal(decodeLatin1(p.received()), "hello over TCP");
  assert.equal(p.client.secure, false);
  p.client.close();
  await until(() => p.closed() !== null, "close");
  assert.equal(p.closed(), undefined);
  p.server.close();
});

test("TCP: callbacks are called as methods of the connection, so `target` reaches the owner", async () => {
  const host = makeHost();
  const seen: string[] = [];
  function onData(this: Connection, d: Uint8Array): void {
    seen.push(`${this.target} data ${d.length}`);
    this.close();
  }
  function onClose(this: Connection, e?: string): void {
    seen.push(`${this.target} close ${e ?? "clean"}`);
  }
  const server = await host.net.listen({ host: "127.0.0.1", port: 0 }, (c) => {
    c.target = "server";
    c.onData = onData;
    c.onClose = onClose;
  });
  const client = host.net.connect({ host: "127.0.0.1", port: server.port });
  client.target = "client";
  client.onClose = onClose;
  client.onConnect = function (this: Connection) {
    seen.push(`${this.target} connect`);
    this.write(new Uint8Array(3));
  };
  await until(() => seen.length === 4, "both closes");
  assert.deepEqual(seen.slice(0, 2), ["client connect", "server data 3"]);
  assert.deepEqual(seen.slice(2).sort(), ["client close clean", "server close clean"]);
  server.close();
});

test("TCP: a port in use is refused; a refused connection reports why", async () => {
  const host = makeHost();
  const taken = await host.net.listen({ host: "127.0.0.1", port: 0 }, () => {});
  await assert.rejects(host.net.listen({ host: "127.0.0.1", port: taken.port }, () => {}), /EADDRINUSE/);
  taken.close();
  const c = host.net.connect({ host: "127.0.0.1", port: taken.port });
  let error: string | undefined | null = null;
  c.onClose = (e) => (error = e);
  await until(() => error !== null, "refusal");
  assert.equal(error, "ECONNREFUSED");
});

test("TCP: a reader that stops reading builds back-pressure and drain follows", async () => {
  const host = makeHost();
  let serverSide: Connection | undefined;
  const server = await host.net.listen({ host: "127.0.0.1", port: 0 }, (c) => {
    serverSide = c;
    c.pause();
    c.onData = () => {};
  });
  const client = host.net.connect({ host: "127.0.0.1", port: server.port });
  let connected = false;
  client.onConnect = () => (connected = true);
  await until(() => connected, "connect");
  const chunk = new Uint8Array(64 * 1024);
  let writes = 0;
  while (client.write(chunk) && writes < 10_000) writes++;
  assert.ok(writes < 10_000, "write() eventually returned false");
  assert.ok(client.pending > 0);
  let drained = false;
  client.onDrain = () => (drained = true);
  serverSide!.resume();
  await until(() => drained, "drain", 10_000);
  client.destroy();
  server.close();
});

test("TLS: the same code over node:tls, with the certificate verified", async () => {
  const host = makeHost();
  const { cert, key } = makeSelfSigned(["localhost"], ["127.0.0.1"]);
  const p = await echoPair(host, { cert, key }, { ca: cert, servername: "localhost" });
  await until(p.connected, "TLS handshake");
  assert.equal(p.client.secure, true);
  p.client.write(encodeAscii("hello over TLS"));
  await until(() => p.received().length === 14, "echo");
  assert.equal(decodeLatin1(p.received()), "hello over TLS");
  p.client.close();
  await until(() => p.closed() !== null, "close");
  p.server.close();
});

test("TLS: a client that does not trust the certificate fails", async () => {
  const host = makeHost();
  const { cert, key } = makeSelfSigned(["localhost"], ["127.0.0.1"]);
  const p = await echoPair(host, { cert, key }, {});
  await until(() => p.closed() !== null, "failure");
  assert.equal(p.connected(), false);
  assert.match(String(p.closed()), /SELF_SIGNED|self[- ]signed/i);
  p.server.close();
});

test("files: atomic replace leaves no temporary file; appends accumulate", () => {
  const dir = tempDir();
  const files = new NodeFiles(dir);
  files.write("reg/snapshot", encodeAscii("v1"));
  files.write("reg/snapshot", encodeAscii("v2"));
  files.append("reg/journal", encodeAscii("a"));
  files.append("reg/journal", encodeAscii("b"));
  assert.equal(decodeLatin1(files.read("reg/snapshot")!), "v2");
  assert.equal(decodeLatin1(files.read("reg/journal")!), "ab");
  assert.deepEqual(fs.readdirSync(path.join(dir, "reg")).sort(), ["journal", "snapshot"]);
  assert.deepEqual(files.list("reg"), [
    { name: "journal", size: 2, directory: false },
    { name: "snapshot", size: 2, directory: false },
  ]);
  assert.equal(decodeLatin1(files.read("reg/snapshot", 1, 5)!), "2", "a read from an offset stops at the end");
  files.rename("reg/snapshot", "other/moved");
  assert.deepEqual(files.list(""), [
    { name: "other", size: 1, directory: true },
    { name: "reg", size: 1, directory: true },
  ]);
  files.rename("other/moved", "reg/snapshot");
  assert.equal(files.rmdir("other"), true);
  assert.equal(files.rmdir("reg"), false, "not empty");
  assert.equal(files.size("reg/journal"), 2);
  assert.equal(files.size("nope"), -1);
  assert.equal(files.read("nope"), undefined);
  files.remove("reg/journal");
  files.remove("reg/journal");
  assert.deepEqual(files.list("reg"), [{ name: "snapshot", size: 2, directory: false }]);
  assert.equal((fs.statSync(path.join(dir, "reg/snapshot")).mode & 0o777).toString(8), "600");
});

test("files: a stale temporary file from a crash is invisible, and read gives plain Uint8Array", () => {
  const dir = tempDir();
  const files = new NodeFiles(dir);
  fs.writeFileSync(path.join(dir, "cfg.~tmp"), "half written");
  assert.deepEqual(files.list(""), []);
  files.write("cfg", encodeAscii("whole"));
  const bytes = files.read("cfg")!;
  assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
  assert.equal(decodeLatin1(bytes.slice(0, 2)), "wh");
});

test("files: paths cannot escape the data directory", () => {
  const files = new NodeFiles(tempDir());
  for (const bad of ["../escape", "/etc/passwd", "a/../../b", ""]) assert.throws(() => files.write(bad, new Uint8Array(1)), RangeError);
});

test("crypto: node:crypto and the pure-JS memory host agree", () => {
  const data = crypto.randomBytes(1000);
  for (const alg of ["md5", "sha1", "sha256"] as const) {
    const a = nodeCrypto.hash(alg).update(data.subarray(0, 300)).update(data.subarray(300)).digest();
    const b = nobleCrypto.hash(alg).update(data).digest();
    assert.equal(toHex(a), toHex(b), alg);
    assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype);
  }
});

test("clock, timers, randomness and logging", async () => {
  const lines: string[] = [];
  const host = new NodeHost({ dataDir: tempDir(), board: new SimBoard({ inputs: [], outputs: [] }), unitId: "x", logLevel: "warn", logSink: (l) => lines.push(l) });
  const t0 = host.clock.monotonic();
  let fired = 0;
  host.timers.after(20, () => fired++);
  const cancelled = host.timers.after(10, () => fired += 100);
  cancelled.cancel();
  const every = host.timers.every(5, () => {});
  await new Promise((r) => setTimeout(r, 40));
  every.cancel();
  assert.equal(fired, 1);
  assert.ok(host.clock.monotonic() - t0 >= 20);
  assert.ok(Math.abs(host.clock.now() - Date.now()) < 50);
  const a = new Uint8Array(16);
  const b = new Uint8Array(16);
  host.random(a);
  host.random(b);
  assert.notDeepEqual(a, b);
  host.log("info", "hidden");
  host.log("error", "shown");
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\S+ error shown$/);
});
