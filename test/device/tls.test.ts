/**
 * TLS on the device image (issue 20): the image built for lin, in mcsim, serves HTTPS and WSS on its
 * TLS port with its own certificate, made at its first boot (lin's flash is a RAM disk: every boot
 * here is a first one), through Mbed TLS 4.0 compiled from ../shared/mbedtls. Checked with real
 * clients: OpenSSL's s_client (TLS 1.3 and 1.2; an RSA-only and a TLS 1.0 client refused), curl
 * trusting only that certificate, Node's ws over wss logging in to JANOS, and the web UI in Chromium
 * over https and wss.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ADMIN, bootDevice, sleep } from "./fixture.ts";
import { DEVICE_PORTS, type DeviceSim } from "./mcsim.ts";
import { chromium } from "playwright-core";
import WebSocket from "ws";
import * as cborg from "cborg";
import { makeSelfSigned } from "../../hosts/node/dev-cert.ts";
import { WsClient } from "../node/janos-clients.ts";
import { CHROMIUM, requireTool } from "../system-tools.ts";

const PORT = DEVICE_PORTS.https;
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-device-tls-"));

/** Runs a program with `input` on its standard input; resolves with its exit code and what it printed. */
function run(command: string, args: string[], input = ""): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    p.stdout.on("data", (d: Buffer) => (output += d));
    p.stderr.on("data", (d: Buffer) => (output += d));
    p.on("error", reject);
    const timer = setTimeout(() => p.kill("SIGKILL"), 20_000);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
    p.stdin.end(input);
  });
}

/** openssl s_client against the device, with an HTTP request written once the handshake is done. */
function sClient(args: string[], request = "GET / HTTP/1.1\r\nHost: device\r\nConnection: close\r\n\r\n"): Promise<{ code: number; output: string }> {
  return run("openssl", ["s_client", "-connect", `127.0.0.1:${PORT}`, "-ign_eof", ...args], request);
}

let device: DeviceSim;

/** Waits until the sessions earlier clients left (a browser's, kept alive) have ended: the TLS engine's memory stops falling. */
async function settled(): Promise<{ bytes: number; peak: number }> {
  let last = await device.command<{ bytes: number; peak: number }>("tls");
  for (let i = 0; i < 60; i++) {
    await sleep(250);
    const now = await device.command<{ bytes: number; peak: number }>("tls");
    if (now.bytes === last.bytes && now.bytes < 8192) return now;
    last = now;
  }
  return last;
}
let hostname = "";
let certificate = "";
let certificateFile = "";

test("first boot: the device makes its own P-256 certificate, logs its SHA-256 fingerprint, and serves it on its TLS port", async () => {
  device = await bootDevice();
  const made = /tls: made the unit's certificate for (\S+), SHA-256 ([0-9A-F:]{95})/.exec(device.log);
  assert.ok(made, "the fingerprint is on the console:\n" + device.log.slice(-2000));
  hostname = made[1]!;
  const shown = await sClient(["-showcerts", "-servername", hostname]);
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(shown.output);
  assert.ok(pem, shown.output.slice(-2000));
  certificate = pem[0] + "\n";
  certificateFile = path.join(TMP, "device.pem");
  fs.writeFileSync(certificateFile, certificate);
  const x509 = new crypto.X509Certificate(certificate);
  assert.equal(x509.fingerprint256, made[2], "the certificate served is the one the console names");
  assert.equal(x509.publicKey.asymmetricKeyDetails?.namedCurve, "prime256v1");
  assert.ok(x509.verify(x509.publicKey), "self-signed");
  assert.equal(x509.checkHost(hostname + ".local"), hostname + ".local");
  assert.equal(new Date(x509.validTo).getUTCFullYear(), 2049);
});

test("TLS 1.3 and TLS 1.2 with OpenSSL: ECDHE and ECDSA, an HTTP answer through it", async () => {
  const tls13 = await sClient(["-tls1_3"]);
  assert.match(tls13.output, /New, TLSv1\.3, Cipher is TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)/, tls13.output.slice(-1500));
  assert.match(tls13.output, /HTTP\/1\.1 401/, "the web server answers through TLS 1.3");
  const tls12 = await sClient(["-tls1_2"]);
  assert.match(tls12.output, /New, TLSv1\.2, Cipher is ECDHE-ECDSA-(AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)/, tls12.output.slice(-1500));
  assert.match(tls12.output, /HTTP\/1\.1 401/);
  for (const group of ["X25519", "P-256"]) {
    const g = await sClient(["-tls1_3", "-groups", group]);
    assert.match(g.output, /HTTP\/1\.1 401/, `key exchange on ${group}`);
  }
});

test("refused: a client that offers only RSA key exchange, and one that speaks only TLS 1.0", async () => {
  const rsa = await sClient(["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256"]);
  assert.match(rsa.output, /alert handshake failure|handshake failure/i, rsa.output.slice(-1500));
  assert.doesNotMatch(rsa.output, /HTTP\/1\.1/);
  const old = await sClient(["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"]);
  assert.match(old.output, /alert protocol version/i, "the device's alert, not the client giving up: " + old.output.slice(-1500));
  assert.doesNotMatch(old.output, /HTTP\/1\.1/);
});

test("curl trusting only the device's certificate: the name is checked, the page's login is asked for", async () => {
  const ok = await run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{ssl_verify_result}", "--cacert", certificateFile, "--resolve", `${hostname}.local:${PORT}:127.0.0.1`, `https://${hostname}.local:${PORT}/`]);
  assert.equal(ok.output, "401 0", ok.output);
  const wrongName = await run("curl", ["-sS", "-o", "/dev/null", "--cacert", certificateFile, "--resolve", `elsewhere.local:${PORT}:127.0.0.1`, `https://elsewhere.local:${PORT}/`]);
  assert.notEqual(wrongName.code, 0, "a name the certificate does not carry is refused by the client");
  const untrusted = await run("curl", ["-sS", "-o", "/dev/null", "--resolve", `${hostname}.local:${PORT}:127.0.0.1`, `https://${hostname}.local:${PORT}/`]);
  assert.equal(untrusted.code, 60, "without the certificate, curl does not trust it");
});

test("JANOS over wss with Node's ws: login, Authenticated, Monitor; a control and its Monitor", async () => {
  const c = new WsClient(`wss://127.0.0.1:${PORT}/`, {}, { ca: certificate, servername: hostname + ".local" });
  await c.opened;
  await c.login(ADMIN.name, ADMIN.password);
  assert.ok(c.messages.some((m) => m.Message === "Authenticated"));
  const monitor = c.waitFor((m) => m.Message === "Monitor" && (m.Outputs as { State: number }[] | undefined)?.[0]?.State === 1, 5000, c.messages.length);
  c.send({ Message: "Control", Command: "Close", Channel: 1 });
  await monitor;
  c.close();
});

test("the web UI over https in Chromium, which trusts the device's key by its pin: the login, the page live over wss; another pin is refused", async () => {
  const spki = crypto.createHash("sha256").update(new crypto.X509Certificate(certificate).publicKey.export({ type: "spki", format: "der" })).digest("base64");
  const launch = (pin: string) =>
    chromium.launch({
      executablePath: requireTool(CHROMIUM),
      // root in a container has no user namespaces for chromium's sandbox
      args: [...(process.getuid?.() === 0 ? ["--no-sandbox"] : []), `--ignore-certificate-errors-spki-list=${pin}`, `--host-resolver-rules=MAP ${hostname}.local 127.0.0.1`],
    });
  const url = `https://${hostname}.local:${PORT}/`;
  const browser = await launch(spki);
  try {
    const context = await browser.newContext({ httpCredentials: { username: ADMIN.name, password: ADMIN.password } });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator("#connection", { hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator(".who").textContent(), "jnior (administrator)");
    assert.equal(new URL(page.url()).protocol, "https:");
    assert.equal(await page.locator("[data-relay]").count(), 8);
  } finally {
    await browser.close();
  }
  const wary = await launch(crypto.randomBytes(32).toString("base64"));
  try {
    const page = await (await wary.newContext()).newPage();
    await assert.rejects(page.goto(url), /ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    await wary.close();
  }
});

test("the Xentara endpoint on the device, over wss only: 401 with its challenge (Basic: no token issuer is configured), a wrong password 401, plain ws 403; without a security.json no account is entitled (403)", async () => {
  const upgrade = (url: string, authorization?: string): Promise<{ status: number; challenges: string[] }> =>
    new Promise((resolve, reject) => {
      const tlsOptions = { ca: certificate, servername: hostname + ".local" }; // passed on to tls.connect
      const ws = new WebSocket(url, { ...tlsOptions, headers: authorization ? { Authorization: authorization } : {} });
      ws.once("open", () => {
        ws.close();
        resolve({ status: 101, challenges: [] });
      });
      ws.once("unexpected-response", (req, res) => {
        resolve({ status: res.statusCode ?? 0, challenges: res.headersDistinct["www-authenticate"] ?? [] });
        req.destroy(); // not left open: each TLS session holds the device's memory until it ends
      });
      ws.once("error", reject);
    });
  const secure = `wss://127.0.0.1:${PORT}/api/ws`;
  const basic = (password: string): string => "Basic " + Buffer.from(`${ADMIN.name}:${password}`).toString("base64");
  const none = await upgrade(secure);
  assert.equal(none.status, 401);
  // Basic only: the device has no oauth2.json, so it names no token issuer and offers no Bearer challenge
  assert.deepEqual(none.challenges, ['Basic realm="iobox", charset="UTF-8"']);
  assert.equal((await upgrade(secure, basic("wrong-password"))).status, 401);
  assert.equal((await upgrade(secure, basic(ADMIN.password))).status, 403, "the login holds, the websocket.connect entitlement is nobody's");
  assert.equal((await upgrade(`ws://127.0.0.1:${DEVICE_PORTS.http}/api/ws`, basic(ADMIN.password))).status, 403, "never in the clear");
});

test("what a TLS session costs: native memory per open session and at the handshake's peak, back to the baseline after", async () => {
  const tls = (): Promise<{ bytes: number; peak: number }> => device.command("tls");
  const idle = await settled();
  await device.command("tls reset");
  const sockets: net.Socket[] = [];
  const open: { bytes: number; peak: number }[] = [];
  for (let n = 1; n <= 3; n++) {
    const ws = new WsClient(`wss://127.0.0.1:${PORT}/`, {}, { ca: certificate, servername: hostname + ".local" });
    await ws.opened;
    sockets.push(ws.ws as unknown as net.Socket);
    open.push(await tls());
  }
  const perSession = (open[2]!.bytes - idle.bytes) / 3;
  process.stdout.write(`# TLS (lin, Mbed TLS 4.0, 16 KB in / 4 KB out): ${Math.round(perSession)} B per open session, handshake peak ${open[0]!.peak - idle.bytes} B over ${idle.bytes} B shared\n`);
  for (const s of sockets) (s as unknown as { close(): void }).close();
  let after = await tls();
  for (let i = 0; i < 20 && after.bytes > idle.bytes; i++) {
    await sleep(250);
    after = await tls();
  }
  assert.equal(after.bytes, idle.bytes, "every session's memory is back once it has closed");
  assert.ok(perSession > 16_384 && perSession < 40_000, `${perSession} B per session`);
});

test("the TLS memory limit (lin: 128 KB): four sessions at once, a fifth closed before its handshake; once one ends, another gets in", async () => {
  const open = async (): Promise<WsClient> => {
    const c = new WsClient(`wss://127.0.0.1:${PORT}/`, {}, { ca: certificate, servername: hostname + ".local" });
    await c.opened;
    return c;
  };
  await settled();
  const four = [await open(), await open(), await open(), await open()];
  await assert.rejects(open(), /socket hang up|ECONNRESET|closed/i, "the fifth is refused");
  assert.ok(/tls: 127\.0\.0\.1 refused: TLS: no memory for another session/.test(device.log), "and the console says why");
  four[0]!.close();
  await sleep(500);
  const again = await open();
  again.close();
  for (const c of four.slice(1)) c.close();
});

test("hostile TLS clients: garbage instead of a ClientHello, a handshake cut off, one that never speaks (closed by the head timeout), 20 handshakes in a row; the device goes on", async () => {
  const tlsIdle = (await settled()).bytes;
  const idle = await device.heap();
  const raw = (bytes: Buffer, end = true): Promise<void> =>
    new Promise((resolve) => {
      const s = net.connect(PORT, "127.0.0.1", () => (end ? s.end(bytes) : s.write(bytes)));
      s.on("data", () => {});
      s.on("error", () => resolve());
      s.on("close", () => resolve());
      if (!end) setTimeout(() => s.destroy(), 300);
    });
  // one that connects and says nothing: the web server's head timeout (10 s) ends it, handshake or not
  const silent = net.connect(PORT, "127.0.0.1");
  silent.on("error", () => {});
  const silentClosed = new Promise<number>((resolve) => {
    const opened = Date.now();
    silent.on("close", () => resolve(Date.now() - opened));
  });
  await raw(Buffer.from("GET / HTTP/1.1\r\nHost: device\r\n\r\n"));
  await raw(crypto.randomBytes(3000));
  await raw(Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01])); // a record header that promises 16 KB, then nothing
  await raw(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), false); // a ClientHello cut off
  for (let i = 0; i < 20; i++) {
    const r = await sClient(["-tls1_3"]);
    assert.match(r.output, /HTTP\/1\.1 401/, `handshake ${i + 1}`);
  }
  const silentFor = await Promise.race([silentClosed, sleep(20_000).then(() => -1)]);
  assert.ok(silentFor > 0, "a silent TLS connection was still open after 20 s");
  let h = await device.heap();
  for (let i = 0; i < 20 && h.slots > idle.slots + 32; i++) {
    await sleep(250);
    h = await device.heap();
  }
  assert.ok(h.slots <= idle.slots + 32, `${h.slots} slots after, ${idle.slots} before`);
  assert.equal((await device.command<{ bytes: number }>("tls")).bytes, tlsIdle, "no session's native memory is left behind");
});

// ---- an owner's certificate and the Xentara endpoint, provisioned as an owner would ---------------

/** A Xentara client over CBOR (xentara.md): calls by opcode, results by request id. */
class XentaraClient {
  private id = 1;
  private readonly packets: unknown[][] = [];
  constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => this.packets.push(...(cborg.decode(new Uint8Array(data), { useMaps: true, tags: cborg.Tagged.preserve(37, 121, 122, 1001, 4) }) as unknown[][])));
  }
  async result(op: number, params?: Map<number, unknown>): Promise<unknown> {
    const id = this.id++;
    this.ws.send(cborg.encode([params ? [0, id, op, params] : [0, id, op]]));
    for (const deadline = Date.now() + 5000; Date.now() < deadline; await sleep(20)) {
      const r = this.packets.find((p) => Array.isArray(p) && (p[0] === 1 || p[0] === 2) && p[1] === id);
      if (r) {
        assert.equal(r[0], 1, `opcode ${op} failed`);
        return r[2];
      }
    }
    throw new Error(`no answer to opcode ${op}`);
  }
}

test("provisioned as an owner would: certificate, key, security.json, oauth2.json and config.json uploaded with JANOS file messages, then Reboot; the owner's certificate serves, and the Xentara endpoint asks for Bearer and Basic, logs in with either (an ES256 token checked on the device), says hello and browses", async () => {
  const owner = makeSelfSigned(["plant-box.example"], []);
  const issuer = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const oauth2 = { issuers: [{ iss: "https://idp.example", aud: "iobox", roles: ["Administrator"], verification: { algorithm: "ES256", publicKeyPath: "certs/idp.pem" } }] };
  const security = {
    TLS: { serverCertificate: { certificatePath: "certs/owner.pem", privateKeyPath: "certs/owner-key.pem" } },
    roles: [{ name: "Administrator", UUID: "8a38fb06-fa47-4f98-9419-a0fb6511e671" }],
    ACL: { inherit: false, entries: [{ role: "Administrator", allow: ["websocket.connect", "read", "write"] }] },
  };
  const files: [string, string][] = [
    ["/certs/owner.pem", owner.cert],
    ["/certs/owner-key.pem", owner.key],
    ["/security.json", JSON.stringify(security)],
    ["/certs/idp.pem", issuer.publicKey.export({ type: "spki", format: "pem" }) as string],
    ["/oauth2.json", JSON.stringify(oauth2)],
    ["/config.json", JSON.stringify({ httpServer: { port: PORT, httpPort: DEVICE_PORTS.http, authentication: { realm: "plant-7", schemes: ["Bearer", "Basic"], scope: ["iobox"] } } })],
  ];
  const c = new WsClient(`wss://127.0.0.1:${PORT}/`, {}, { ca: certificate, servername: hostname + ".local" });
  await c.opened;
  await c.login(ADMIN.name, ADMIN.password);
  for (const [file, text] of files) {
    const answer = c.waitFor((m) => m.Message === "File Write Response" || m.Message === "Error", 5000, c.messages.length);
    c.send({ Message: "File Write", File: file, Size: Buffer.byteLength(text), Encoding: "base64", Data: Buffer.from(text).toString("base64") });
    assert.equal((await answer).Status, "Succeed", `${file}: ${JSON.stringify(await answer)}`);
  }
  // no private key is readable over any protocol: the unit's own lies outside the file area, an uploaded one is never read back
  for (const file of ["/tls/identity.key.pem", "/certs/owner-key.pem"]) {
    const refused = c.waitFor((m) => m.Message === "File Read Response" || m.Message === "Error", 5000, c.messages.length);
    c.send({ Message: "File Read", File: file });
    assert.equal((await refused).Text, "403 Forbidden", file);
  }
  const readies = (): number => device.log.split("iobox ready").length - 1;
  const before = readies();
  const rebooting = c.waitFor((m) => m.Message === "Reboot Response" || m.Message === "Error", 5000, c.messages.length);
  c.send({ Message: "Reboot" });
  assert.equal((await rebooting).Status, "Rebooting");
  for (let i = 0; i < 100 && readies() === before; i++) await sleep(100);
  assert.equal(readies(), before + 1, "the core started again (lin restarts in place):\n" + device.log.slice(-2000));

  // the owner's certificate, and nothing new of the unit's own
  const served = await sClient(["-showcerts", "-servername", "plant-box.example"]);
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(served.output)![0];
  assert.equal(new crypto.X509Certificate(pem).fingerprint256, new crypto.X509Certificate(owner.cert).fingerprint256);
  const ownerFile = path.join(TMP, "owner.pem");
  fs.writeFileSync(ownerFile, owner.cert);
  const ok = await run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ownerFile, "--resolve", `plant-box.example:${PORT}:127.0.0.1`, `https://plant-box.example:${PORT}/`]);
  assert.equal(ok.output, "401");

  // Xentara over wss: the challenges config.json asks for, then a login with either scheme
  const upgrade = (authorization?: string): Promise<{ ws?: WebSocket; status: number; challenges: string[] }> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${PORT}/api/ws`, { ...{ ca: owner.cert, servername: "plant-box.example" }, headers: authorization ? { Authorization: authorization } : {} });
      ws.once("open", () => resolve({ ws, status: 101, challenges: [] }));
      ws.once("unexpected-response", (req, res) => {
        resolve({ status: res.statusCode ?? 0, challenges: res.headersDistinct["www-authenticate"] ?? [] });
        req.destroy();
      });
      ws.once("error", reject);
    });
  const none = await upgrade();
  assert.equal(none.status, 401);
  assert.deepEqual(none.challenges, ['Bearer realm="plant-7", scope="iobox"', 'Basic realm="plant-7", charset="UTF-8"']);
  const b64url = (b: Buffer | string): string => Buffer.from(b).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const input = b64url(JSON.stringify({ alg: "ES256", typ: "at+jwt" })) + "." + b64url(JSON.stringify({ iss: "https://idp.example", aud: "iobox", sub: "scada-1", client_id: "scada", jti: crypto.randomUUID(), iat: now, exp: now + 300, scope: "iobox" }));
  const token = input + "." + b64url(crypto.sign("sha256", Buffer.from(input), { key: issuer.privateKey, dsaEncoding: "ieee-p1363" }));
  const forged = input + "." + b64url(crypto.sign("sha256", Buffer.from(input), { key: crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey, dsaEncoding: "ieee-p1363" }));
  const refused = await upgrade("Bearer " + forged);
  assert.equal(refused.status, 401, "a token signed by another key");
  assert.match(refused.challenges.join(" "), /error="invalid_token"/);
  for (const authorization of ["Bearer " + token, "Basic " + Buffer.from(`${ADMIN.name}:${ADMIN.password}`).toString("base64")]) {
    const opened = await upgrade(authorization);
    assert.equal(opened.status, 101, authorization.split(" ")[0]);
    const x = new XentaraClient(opened.ws!);
    assert.deepEqual(await x.result(14, new Map([[0, 1], [1, 1]])), new Map([[0, 1]]), "hello");
    const tree = (await x.result(1, new Map([[0, new cborg.Tagged(37, new Uint8Array(16))]]))) as Map<number, unknown>[];
    assert.ok(Array.isArray(tree) && tree.length > 0, "the root has elements");
    opened.ws!.close();
  }
});
