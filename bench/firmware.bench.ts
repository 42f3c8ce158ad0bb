/**
 * Firmware upload rate on the simulator: a signed image through the JANOS WebSocket (`Firmware
 * Write`, base64 in 64 KB and 2 KB pieces, each acknowledged before the next: the device's piece is
 * 2 KB), against the same bytes streamed as one HTTP request to PUT /api/firmware, in the same run.
 * Every upload stops 1 KB short of the end, so nothing is installed and the simulator keeps
 * running: the figures are the update path (signature, hashing, writing the slot) and the transport.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildSim } from "../hosts/build/build.ts";
import { keygen, sign } from "../hosts/build/firmware.ts";
import { WsClient } from "../test/node/janos-clients.ts";
import { digestFetch } from "../test/node/web-client.ts";
import type { Row } from "./table.ts";

const PASSWORD = "Bench-pw-1";
const ROUNDS = 3;

function startSim(bundle: string, data: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, "--http-port", "0", "--https-port", "0", "--jmp-port", "0", "--data", data, "--password", PASSWORD], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d;
      const m = /^iobox ready (\{.*\})$/m.exec(out);
      if (m) resolve({ child, port: (JSON.parse(m[1]!) as { http: number }).http });
    });
    child.on("exit", (code) => reject(new Error("the simulator exited " + code)));
  });
}

async function overWebSocket(port: number, image: Uint8Array, piece: number): Promise<number> {
  const c = new WsClient(`ws://127.0.0.1:${port}/`);
  await c.opened;
  await c.login("jnior", PASSWORD);
  const end = image.length - 1024;
  const started = performance.now();
  for (let at = 0; at < end; ) {
    const answer = c.next("Firmware Write Response", 20_000);
    c.send({ Message: "Firmware Write", Offset: at, Size: image.length, Data: Buffer.from(image.subarray(at, Math.min(end, at + piece))).toString("base64") });
    const a = await answer;
    if (a.Status !== "Succeed") throw new Error(String(a.Detail));
    at = Number(a.Offset);
  }
  const seconds = (performance.now() - started) / 1000;
  c.close();
  return end / 1024 / seconds;
}

async function overHttp(port: number, image: Uint8Array): Promise<number> {
  const login = await digestFetch(`http://127.0.0.1:${port}/api/login`, "jnior", PASSWORD, { method: "POST" });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  const end = image.length - 1024;
  const started = performance.now();
  // chunked (no Content-Length), so the unit reads every byte before it finds the image short
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < end; at += 16 * 1024) controller.enqueue(image.subarray(at, Math.min(end, at + 16 * 1024)));
      controller.close();
    },
  });
  const r = await fetch(`http://127.0.0.1:${port}/api/firmware`, { method: "PUT", headers: { Cookie: cookie }, body, duplex: "half" } as RequestInit);
  const text = await r.text();
  if (r.status !== 400 || !/ended at byte/.test(text)) throw new Error(`PUT /api/firmware: ${r.status} ${text}`);
  return end / 1024 / ((performance.now() - started) / 1000);
}

export async function run(): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-bench-fw-"));
  const key = keygen(path.join(dir, "release.pem"));
  await buildSim({ outdir: path.join(dir, "sim"), version: "0.1.0", firmwareKey: key.publicKey });
  const bundle = path.join(dir, "sim/iobox.mjs");
  const image = sign({ key: key.privateKey, payload: new Uint8Array(fs.readFileSync(bundle)), version: "0.2.0" });
  const sim = await startSim(bundle, path.join(dir, "data"));
  try {
    const ws64: number[] = [];
    const ws2: number[] = [];
    const http: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      ws64.push(await overWebSocket(sim.port, image, 64 * 1024));
      http.push(await overHttp(sim.port, image));
      ws2.push(await overWebSocket(sim.port, image, 2048));
    }
    const best = (xs: number[]): number => Math.max(...xs);
    const kb = (n: number): string => n.toFixed(0) + " KB/s";
    return [
      { bench: "firmware", measure: `upload, JANOS WebSocket, 64 KB pieces (${(image.length / 1024).toFixed(0)} KB image)`, value: kb(best(ws64)), baseline: kb(best(http)) + " PUT", ratio: (best(ws64) / best(http)).toFixed(2), note: "best of 3; each piece acknowledged" },
      { bench: "firmware", measure: "upload, JANOS WebSocket, 2 KB pieces (the device's)", value: kb(best(ws2)), baseline: kb(best(http)) + " PUT", ratio: (best(ws2) / best(http)).toFixed(2), note: "round trips dominate" },
    ];
  } finally {
    sim.child.kill("SIGTERM");
  }
}
