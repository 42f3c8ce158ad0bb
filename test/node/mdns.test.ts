/**
 * Discovery with a real mDNS client: the built simulator in one network namespace, Debian's
 * python3-zeroconf browsing from another, the two joined by a veth pair, so that the multicast
 * crosses a real (virtual) Ethernet link as on a LAN. Network namespaces need root; a run that is
 * not root fails here saying so.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { buildSim, ROOT } from "../../hosts/build/build.ts";
import { IP, requireTool } from "../system-tools.ts";
import { start, tempDir, type Sim } from "./sim-process.ts";

const NS_UNIT = `iobox-unit-${process.pid}`;
const NS_CLIENT = `iobox-client-${process.pid}`;
const UNIT = "10.77.0.1";
let sim: Sim | undefined;

function ip(...args: string[]): void {
  execFileSync(requireTool(IP), args, { stdio: ["ignore", "ignore", "pipe"] });
}

function cleanup(): void {
  for (const ns of [NS_UNIT, NS_CLIENT]) {
    try {
      ip("netns", "delete", ns);
    } catch {
      // not there
    }
  }
}

before(async () => {
  if (process.getuid?.() !== 0) throw new Error("the mDNS test makes network namespaces (ip netns), which needs root; run the tests as root");
  await buildSim();
  cleanup();
  ip("netns", "add", NS_UNIT);
  ip("netns", "add", NS_CLIENT);
  ip("link", "add", `vu${process.pid % 10000}`, "type", "veth", "peer", "name", `vc${process.pid % 10000}`);
  ip("link", "set", `vu${process.pid % 10000}`, "netns", NS_UNIT);
  ip("link", "set", `vc${process.pid % 10000}`, "netns", NS_CLIENT);
  for (const [ns, dev, address] of [
    [NS_UNIT, `vu${process.pid % 10000}`, UNIT],
    [NS_CLIENT, `vc${process.pid % 10000}`, "10.77.0.2"],
  ] as const) {
    ip("-n", ns, "addr", "add", address + "/24", "dev", dev);
    ip("-n", ns, "link", "set", dev, "up");
    ip("-n", ns, "link", "set", "lo", "up");
  }
});

after(async () => {
  await sim?.stop();
  cleanup();
});

function browse(seconds: number, ...types: string[]): Promise<{ type: string; name: string; server: string; addresses: string[]; port: number; txt: Record<string, string> }[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(requireTool(IP), ["netns", "exec", NS_CLIENT, "/usr/bin/python3", path.join(ROOT, "test/node/fixtures/mdns-browse.py"), String(seconds), ...types], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`mdns-browse exited ${code}: ${err}`))));
  });
}

test("python3-zeroconf on another host finds the unit: <name>.local, _http._tcp and _iobox._tcp with the TXT a client needs", async () => {
  const data = tempDir();
  sim = await start(["--host", UNIT, "--http-port", "8080", "--https-port", "0", "--jmp-port", "9220", "--data", data, "--password", "Admin-pw-1", "--set", "IpConfig/Hostname=pumphouse"], ["ip", "netns", "exec", NS_UNIT]);
  const found = await browse(10, "_iobox._tcp.local.", "_http._tcp.local.");
  const iobox = found.find((f) => f.type === "_iobox._tcp.local.");
  assert.ok(iobox, "an _iobox._tcp service: " + JSON.stringify(found));
  assert.equal(iobox.name, "pumphouse._iobox._tcp.local.");
  assert.equal(iobox.server, "pumphouse.local.");
  assert.deepEqual(iobox.addresses, [UNIT]);
  assert.equal(iobox.port, 8080);
  assert.equal(iobox.txt.model, "410");
  assert.equal(iobox.txt.http, "8080");
  assert.equal(iobox.txt.jmp, "9220");
  assert.equal(iobox.txt.ws, "/");
  assert.match(iobox.txt.serial!, /^\d+$/);
  assert.match(iobox.txt.mac!, /^[0-9a-f]{12}$/);
  // the TLS port and the SHA-256 of the certificate it serves, to check before trusting it
  assert.equal(iobox.txt.https, String(sim.ports.https));
  const served = new crypto.X509Certificate(fs.readFileSync(path.join(data, "tls/dev-cert.pem")));
  assert.equal(iobox.txt.sha256, served.fingerprint256.replace(/:/g, "").toLowerCase());
  const http = found.find((f) => f.type === "_http._tcp.local.");
  assert.equal(http?.port, 8080);
  assert.equal(http?.txt.path, "/");
});
