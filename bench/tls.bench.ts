/**
 * TLS on the device image (lin, mcsim): handshake time against Node's own TLS server with the same
 * kind of certificate in the same run, the native memory a session holds open and at its
 * handshake's peak (Mbed TLS's allocations, counted by the engine: tls-engine.c), its XS heap, and
 * how many sessions the image's TLS memory limit lets in at once. The ESP32 figures are estimates
 * from these: no ESP32 runs here.
 *
 *   npm run bench -- tls
 */
import crypto from "node:crypto";
import path from "node:path";
import tls from "node:tls";
import { ROOT } from "../hosts/build/build.ts";
import { makeSelfSigned } from "../hosts/node/dev-cert.ts";
import { DEVICE_TOOLS, ensureTools } from "../test/system-tools.ts";
import { DEVICE_PORTS, DeviceSim } from "../test/device/mcsim.ts";
import { buildImage, findSdk } from "../test/device/sdk.ts";
import type { Row } from "./table.ts";

const HANDSHAKES = 40;
/** manifest.json's tlsMemory for lin and for the ESP32 */
const LIN_LIMIT = 131_072;
const ESP32_LIMIT = 40_960;

interface Tls {
  bytes: number;
  peak: number;
}

/** One handshake to `port`, then close: its wall time in ms. */
function handshake(port: number, ca: string, servername: string, version: "TLSv1.2" | "TLSv1.3"): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const s = tls.connect({ host: "127.0.0.1", port, ca, servername, minVersion: version, maxVersion: version }, () => {
      const ms = performance.now() - started;
      s.end();
      resolve(ms);
    });
    s.on("error", reject);
  });
}

async function median(port: number, ca: string, servername: string, version: "TLSv1.2" | "TLSv1.3"): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < HANDSHAKES; i++) times.push(await handshake(port, ca, servername, version));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function run(): Promise<Row[]> {
  ensureTools(DEVICE_TOOLS);
  const sdk = findSdk();
  const image = await buildImage(sdk, path.join(ROOT, "build/device-lin"), { adminPassword: crypto.randomBytes(12).toString("base64url") });
  const device = await DeviceSim.start(sdk, image.so);
  // the baseline: Node's TLS (OpenSSL) with a P-256 certificate of the same kind
  const own = makeSelfSigned(["localhost"], ["127.0.0.1"]);
  const node = tls.createServer({ cert: own.cert, key: own.key }, (s) => s.on("error", () => {}).end());
  await new Promise<void>((r) => node.listen(0, "127.0.0.1", r));
  const nodePort = (node.address() as { port: number }).port;
  const rows: Row[] = [];
  try {
    const hostname = /tls: made the unit's certificate for ([^,\s]+)/.exec(device.log)![1]!;
    const cert = await deviceCertificate(hostname);
    for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
      const ours = await median(DEVICE_PORTS.https, cert, hostname + ".local", version);
      const theirs = await median(nodePort, own.cert, "localhost", version);
      rows.push({ bench: "tls", measure: `${version} handshake, median of ${HANDSHAKES} (ms, wall)`, value: ours.toFixed(1), baseline: theirs.toFixed(1) + " Node's TLS", ratio: (ours / theirs).toFixed(1), note: "lin in mcsim: its sockets are polled every 20 ms, which dominates" });
    }

    const idle = await device.command<Tls>("tls");
    const heapIdle = await device.heap();
    await device.command("tls reset");
    const open: tls.TLSSocket[] = [];
    const opened = (): Promise<tls.TLSSocket> =>
      new Promise((resolve, reject) => {
        const s = tls.connect({ host: "127.0.0.1", port: DEVICE_PORTS.https, ca: cert, servername: hostname + ".local" }, () => resolve(s));
        s.on("error", reject);
      });
    const first = await opened();
    open.push(first);
    const one = await device.command<Tls>("tls");
    let refused = false;
    while (!refused && open.length < 16) {
      try {
        open.push(await opened());
      } catch {
        refused = true;
      }
    }
    const heapOpen = await device.heap();
    const all = await device.command<Tls>("tls");
    const perSession = (all.bytes - idle.bytes) / open.length;
    const peakOfOne = one.peak - idle.bytes;
    for (const s of open) s.destroy();
    rows.push(
      { bench: "tls", measure: "native memory per open session (16 KB in / 4 KB out records)", value: `${(perSession / 1024).toFixed(1)} KB`, note: `handshake peak ${(peakOfOne / 1024).toFixed(1)} KB; ${(idle.bytes / 1024).toFixed(1)} KB shared by the server (certificate, key, config, PSA)` },
      { bench: "tls", measure: "XS heap per open session (slots, as on an ESP32)", value: String(Math.round((heapOpen.slots - heapIdle.slots) / open.length)), note: "the TLS connection object and its queue; the records live outside the XS heap" },
      { bench: "tls", measure: `sessions at once within lin's limit (${LIN_LIMIT / 1024} KB)`, value: String(open.length), note: refused ? "the next was closed before its handshake" : "no refusal up to 16" },
      {
        bench: "tls",
        measure: "ESP32, estimate (not measured)",
        value: `${Math.floor((ESP32_LIMIT - idle.bytes) / Math.max(perSession, peakOfOne))} at once without PSRAM`,
        note: `with manifest.json's tlsMemory ${ESP32_LIMIT / 1024} KB; with PSRAM the record buffers may go there and the connection budget (8 HTTP) bounds them instead`,
      },
    );
  } finally {
    node.close();
    await device.stop();
  }
  return rows;
}

/** The certificate the device serves, as its clients see it. */
function deviceCertificate(hostname: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port: DEVICE_PORTS.https, servername: hostname + ".local", rejectUnauthorized: false }, () => {
      const der = s.getPeerCertificate().raw;
      s.destroy();
      resolve(new crypto.X509Certificate(der).toString());
    });
    s.on("error", reject);
  });
}
