/**
 * Soak on the device image (lin, mcsim): 8 logged-in WebSocket clients, the HTTP server's limit, while
 * an input of the simulated board pulses at 50 Hz for 10 minutes (IOBOX_SOAK_MINUTES to change it).
 * Every 30 s the heap after a forced collection is read; after the first minute (sessions, buffers
 * and counters settled) it must stay within 1% of where it was, and at the end every client must
 * have the exact count. The heap curve is printed as it is read.
 *
 *   npm run bench -- soak
 */
import crypto from "node:crypto";
import path from "node:path";
import { ROOT } from "../hosts/build/build.ts";
import { WsClient, type Json } from "../test/node/janos-clients.ts";
import { DEVICE_TOOLS, ensureTools } from "../test/system-tools.ts";
import { DEVICE_PORTS, DeviceSim, type Heap } from "../test/device/mcsim.ts";
import { buildImage, findSdk } from "../test/device/sdk.ts";
import type { Row } from "./table.ts";

const CLIENTS = 8;
const HZ = 50;
const SAMPLE_MS = 30_000;
const SETTLE_MS = 60_000;

export async function run(): Promise<Row[]> {
  const minutes = Number(process.env.IOBOX_SOAK_MINUTES ?? 10);
  ensureTools(DEVICE_TOOLS);
  const sdk = findSdk();
  const password = crypto.randomBytes(12).toString("base64url");
  const image = await buildImage(sdk, path.join(ROOT, "build/device-lin"), { adminPassword: password });
  const device = await DeviceSim.start(sdk, image.so);
  const clients: WsClient[] = [];
  try {
    for (let i = 0; i < CLIENTS; i++) {
      const c = new WsClient(`ws://127.0.0.1:${DEVICE_PORTS.http}/`);
      await c.opened;
      await c.login("jnior", password);
      clients.push(c);
    }
    const set = clients[0]!.next("Registry Response");
    clients[0]!.send({ Message: "Registry Write", Keys: { "IO/Inputs/din1/Debounce": "0" } });
    await set;
    const pulses = Math.round((minutes * 60_000 * HZ) / 1000);
    const idle = await device.heap();
    process.stdout.write(`soak: ${CLIENTS} clients, input 1 at ${HZ} Hz for ${minutes} min (${pulses.toLocaleString("en")} pulses); heap after a collection, every ${SAMPLE_MS / 1000} s:\n`);
    process.stdout.write(`  0:00  ${idle.slots} slots, ${idle.chunks} B of chunks (clients logged in)\n`);
    const started = Date.now();
    await device.command(`pulses 1 ${pulses} ${1000 / HZ / 2} ${1000 / HZ}`);
    const curve: { ms: number; heap: Heap }[] = [];
    while (Date.now() - started < minutes * 60_000) {
      await new Promise((r) => setTimeout(r, Math.min(SAMPLE_MS, minutes * 60_000 - (Date.now() - started))));
      const heap = await device.heap();
      const ms = Date.now() - started;
      curve.push({ ms, heap });
      const at = `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")}`;
      process.stdout.write(`  ${at}  ${heap.slots} slots, ${heap.chunks} B of chunks\n`);
      if (device.firstProblem) throw new Error("the device stopped: " + device.firstProblem);
      for (const c of clients) c.messages.splice(0, c.messages.length - 1); // the latest is all that is looked at
    }
    // the train runs on mcsim's timers, which fall behind under load: its end, then every client's last Monitor
    const countsNow = (): number[] =>
      clients.map((c) => {
        const last = c.messages.findLast((m) => m.Message === "Monitor") as Json | undefined;
        return ((last?.Inputs as { Count: number }[] | undefined)?.[0]?.Count ?? -1) as number;
      });
    for (const deadline = Date.now() + 120_000; Date.now() < deadline && !countsNow().every((n) => n === pulses); ) await new Promise((r) => setTimeout(r, 500));
    const counts = countsNow();
    process.stdout.write(`  the train ended ${((Date.now() - started) / 1000 - minutes * 60).toFixed(1)} s after its ${minutes} min\n`);
    const settled = curve.filter((s) => s.ms >= SETTLE_MS);
    const first = settled[0]?.heap ?? curve[0]!.heap;
    const slots = settled.map((s) => s.heap.slots);
    const drift = (Math.max(...slots) - Math.min(...slots)) / first.slots;
    const end = curve[curve.length - 1]!.heap;
    const exact = counts.every((n) => n === pulses);
    const flat = drift <= 0.01;
    const rows: Row[] = [
      { bench: "soak", measure: `heap drift after the first minute, ${minutes} min at ${HZ} Hz, ${CLIENTS} clients`, value: `${(drift * 100).toFixed(2)}%`, baseline: "1% goal", ratio: (drift / 0.01).toFixed(2), note: `${Math.min(...slots)}–${Math.max(...slots)} slots; chunks ${first.chunks} → ${end.chunks} B` },
      { bench: "soak", measure: "final count at every client", value: exact ? `${pulses} ×${CLIENTS}` : counts.join(","), baseline: String(pulses), note: exact ? "exact" : "NOT exact" },
    ];
    if (!flat || !exact) throw new Error(`soak failed: drift ${(drift * 100).toFixed(2)}% (goal ≤ 1%), counts ${counts.join(",")} (want ${pulses})`);
    return rows;
  } finally {
    for (const c of clients) c.close();
    await device.stop();
  }
}
