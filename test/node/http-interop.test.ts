/** The core HTTP/WebSocket server on the Node host, against real clients: fetch, node:https, ws, curl. */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { WebSocket as WsClient } from "ws";
import { Router } from "../../src/http/router.ts";
import { HttpServer } from "../../src/http/server.ts";
import { SimBoard } from "../../sim/board.ts";
import { makeSelfSigned } from "../../hosts/node/dev-cert.ts";
import { NodeHost } from "../../hosts/node/host.ts";
import { CURL, requireTool } from "../system-tools.ts";

const { cert, key } = makeSelfSigned(["localhost"], ["127.0.0.1"]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-interop-"));
const caFile = path.join(dir, "ca.pem");
fs.writeFileSync(caFile, cert);

const logs: string[] = [];
const host = new NodeHost({ dataDir: dir, board: new SimBoard({ inputs: [], outputs: [] }), unitId: "020000000001", logLevel: "debug", logSink: (l) => logs.push(l) });
const router = new Router();
const server = new HttpServer(host, { router });
const closes: string[] = [];
let plain = 0;
let secure = 0;

router.get("/hello", (ex) => ex.respond(200, "hello " + (ex.secure ? "secure" : "plain") + "\n"));
router.post("/echo", (ex) => ex.respond(200, ex.body, ["Content-Type", "application/octet-stream", "X-Chunked", String(ex.headers.has("transfer-encoding"))]));
router.get("/stream", (ex) => {
  ex.stream(200, ["Content-Type", "text/plain"]);
  for (let i = 0; i < 5; i++) ex.write(new TextEncoder().encode(`line ${i}\n`));
  ex.end();
});
router.websocket("/echo", (ex) => {
  ex.acceptWebSocket({ protocol: ex.protocols.includes("echo") ? "echo" : undefined }).handler = {
    onText: (ws, t) => (t === "close-4002" ? ws.close(4002, "server says bye") : void ws.send(t)),
    onBinary: (ws, b) => void ws.sendBinary(b),
    onClose: (_ws, code, reason) => void closes.push(`${code} ${reason}`),
  };
});
router.websocket("/private", (ex) => {
  if (ex.headers.get("authorization") !== "Bearer letmein") return ex.respond(401, "", ["WWW-Authenticate", 'Bearer realm="iobox"']);
  ex.acceptWebSocket().handler = { onText: (ws, t) => void ws.send("private " + t) };
});

before(async () => {
  plain = (await server.listen({ host: "127.0.0.1", port: 0 })).port;
  secure = (await server.listen({ host: "127.0.0.1", port: 0, tls: { cert, key } })).port;
});

after(async () => {
  await server.close(1000);
  host.net.destroyAll();
});

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(requireTool(CURL), ["--silent", "--show-error", "--max-time", "10", ...args], { encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function wsOpen(url: string, options: ConstructorParameters<typeof WsClient>[2] = {}, protocols?: string[]): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WsClient(url, protocols, options);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** The next message; rejects if the socket closes first, so a broken server fails the test instead of hanging it. */
function next(ws: WsClient): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve, reject) => {
    const onClose = (code: number): void => reject(new Error("closed with " + code + " before a message"));
    ws.once("close", onClose);
    ws.once("message", (data: Buffer, binary: boolean) => {
      ws.off("close", onClose);
      resolve({ data, binary });
    });
  });
}

test("fetch: GET, keep-alive reuse, HEAD, and a chunked POST from a stream", async () => {
  const before = server.connections;
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`http://127.0.0.1:${plain}/hello`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), "hello plain\n");
  }
  assert.ok(server.connections - before <= 2, "fetch reuses keep-alive connections (undici may open a second)");
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const opened = server.connections;
  for (let i = 0; i < 5; i++) {
    const text = await new Promise<string>((resolve, reject) =>
      http.get({ host: "127.0.0.1", port: plain, path: "/hello", agent }, (res) => {
        let t = "";
        res.on("data", (d: Buffer) => (t += d)).on("end", () => resolve(t));
      }).on("error", reject),
    );
    assert.equal(text, "hello plain\n");
  }
  assert.equal(server.connections - opened, 1, "five requests over one keep-alive connection");
  agent.destroy();
  const head = await fetch(`http://127.0.0.1:${plain}/hello`, { method: "HEAD" });
  assert.equal(head.headers.get("content-length"), "12");
  assert.equal(await head.text(), "");
  const parts = ["alpha,", "beta,", "gamma"];
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      const p = parts.shift();
      if (p) c.enqueue(new TextEncoder().encode(p));
      else c.close();
    },
  });
  const r = await fetch(`http://127.0.0.1:${plain}/echo`, { method: "POST", body, duplex: "half" } as RequestInit & { duplex: "half" });
  assert.equal(r.headers.get("x-chunked"), "true");
  assert.equal(await r.text(), "alpha,beta,gamma");
  const streamed = await fetch(`http://127.0.0.1:${plain}/stream`);
  assert.equal(streamed.headers.get("transfer-encoding"), "chunked");
  assert.equal(await streamed.text(), "line 0\nline 1\nline 2\nline 3\nline 4\n");
  assert.equal((await fetch(`http://127.0.0.1:${plain}/nowhere`)).status, 404);
});

test("node:https: the same routes over TLS, with the certificate verified", async () => {
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get({ host: "127.0.0.1", servername: "localhost", port: secure, path: "/hello", ca: cert }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d));
        res.on("end", () => resolve(text));
      })
      .on("error", reject);
  });
  assert.equal(body, "hello secure\n");
});

test("curl: GET, keep-alive across URLs, HEAD, a chunked POST, over plain and TLS", async () => {
  const get = await curl(["-i", `http://127.0.0.1:${plain}/hello`]);
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nhello plain\n$/);
  const reuse = await curl(["-v", `http://127.0.0.1:${plain}/hello`, `http://127.0.0.1:${plain}/hello`]);
  assert.equal(reuse.stdout, "hello plain\nhello plain\n");
  assert.match(reuse.stderr, /Re-using existing connection/);
  const head = await curl(["-I", `http://127.0.0.1:${plain}/hello`]);
  assert.match(head.stdout, /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 12\r\n/);
  const file = path.join(dir, "upload.bin");
  fs.writeFileSync(file, Buffer.alloc(200_000, "z"));
  const post = await curl(["-H", "Transfer-Encoding: chunked", "--data-binary", `@${file}`, "-D", "-", `http://127.0.0.1:${plain}/echo`]);
  assert.match(post.stdout, /X-Chunked: true/);
  assert.equal(post.stdout.split("\r\n\r\n")[1]!.length, 200_000);
  const tls = await curl(["--cacert", caFile, "--resolve", `localhost:${secure}:127.0.0.1`, `https://localhost:${secure}/hello`]);
  assert.equal(tls.code, 0, tls.stderr);
  assert.equal(tls.stdout, "hello secure\n");
  const untrusted = await curl([`https://127.0.0.1:${secure}/hello`]);
  assert.notEqual(untrusted.code, 0, "curl refuses the self-signed certificate without --cacert");
});

test("curl: the WebSocket upgrade handshake, plain and over TLS; a wrong version gets 426", async () => {
  // this curl speaks no WebSocket frames, so it shows the handshake and then waits: --max-time ends it
  const handshake = ["-i", "-N", "--max-time", "1", "-H", "Connection: Upgrade", "-H", "Upgrade: websocket", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="];
  const plainUp = await curl([...handshake, "-H", "Sec-WebSocket-Version: 13", `http://127.0.0.1:${plain}/echo`]);
  assert.match(plainUp.stdout, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(plainUp.stdout, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
  const tlsUp = await curl([...handshake, "-H", "Sec-WebSocket-Version: 13", "--cacert", caFile, "--resolve", `localhost:${secure}:127.0.0.1`, `https://localhost:${secure}/echo`]);
  assert.match(tlsUp.stdout, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  const old = await curl([...handshake, "-H", "Sec-WebSocket-Version: 8", `http://127.0.0.1:${plain}/echo`]);
  assert.match(old.stdout, /^HTTP\/1\.1 426 Upgrade Required\r\n[^]*Sec-WebSocket-Version: 13\r\n/);
});

test("ws: upgrade, text and binary echo (up to 1 MB), ping/pong, subprotocol", async () => {
  const ws = await wsOpen(`ws://127.0.0.1:${plain}/echo`, {}, ["other", "echo"]);
  assert.equal(ws.protocol, "echo");
  ws.send("héllo");
  const text = await next(ws);
  assert.equal(text.binary, false);
  assert.equal(text.data.toString(), "héllo");
  const big = Buffer.alloc(1024 * 1024, 7);
  ws.send(big);
  const echoed = await next(ws);
  assert.equal(echoed.binary, true);
  assert.equal(echoed.data.length, big.length);
  const pong = new Promise<Buffer>((resolve) => ws.once("pong", resolve));
  ws.ping(Buffer.from("are you there"));
  assert.equal((await pong).toString(), "are you there");
  const closed = new Promise<number>((resolve) => ws.once("close", (code: number) => resolve(code)));
  ws.close(4001, "client says bye");
  assert.equal(await closed, 4001);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(closes.includes("4001 client says bye"), closes.join("; "));
});

test("ws: the server's close code reaches the client; wss works with the CA", async () => {
  const ws = await wsOpen(`ws://127.0.0.1:${plain}/echo`);
  const closed = new Promise<[number, string]>((resolve) => ws.once("close", (code: number, reason: Buffer) => resolve([code, reason.toString()])));
  ws.send("close-4002");
  assert.deepEqual(await closed, [4002, "server says bye"]);
  const wss = await wsOpen(`wss://127.0.0.1:${secure}/echo`, { ca: cert, servername: "localhost" } as ConstructorParameters<typeof WsClient>[2]);
  wss.send("over TLS");
  assert.equal((await next(wss)).data.toString(), "over TLS");
  wss.close();
});

test("ws: a refused upgrade shows the client 401 with the challenge; the right token gets in", async () => {
  const refused = await new Promise<{ status: number; challenge: string | undefined }>((resolve) => {
    const ws = new WsClient(`ws://127.0.0.1:${plain}/private`);
    ws.on("unexpected-response", (_req, res) => resolve({ status: res.statusCode ?? 0, challenge: res.headers["www-authenticate"] as string | undefined }));
    ws.on("error", () => {});
  });
  assert.deepEqual(refused, { status: 401, challenge: 'Bearer realm="iobox"' });
  const ws = await wsOpen(`ws://127.0.0.1:${plain}/private`, { headers: { Authorization: "Bearer letmein" } });
  ws.send("hi");
  assert.equal((await next(ws)).data.toString(), "private hi");
  ws.close();
});

test("ws: a frame over the limit closes with 1009; a protocol violation with 1002", async () => {
  const small = new HttpServer(host, { router, websocket: { maxMessage: 1000 } });
  const port = (await small.listen({ host: "127.0.0.1", port: 0 })).port;
  const ws = await wsOpen(`ws://127.0.0.1:${port}/echo`);
  const closed = new Promise<number>((resolve) => ws.once("close", (code: number) => resolve(code)));
  ws.send("x".repeat(1001));
  assert.equal(await closed, 1009);
  const raw = await wsOpen(`ws://127.0.0.1:${port}/echo`);
  const closed2 = new Promise<number>((resolve) => raw.once("close", (code: number) => resolve(code)));
  (raw as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69])); // unmasked
  assert.equal(await closed2, 1002);
  await small.close(100);
});
