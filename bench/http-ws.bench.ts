/**
 * Throughput against the usual Node servers, measured in the same run: HTTP GETs per second
 * against node:http, and WebSocket echo messages per second (16 clients, small text messages)
 * against the `ws` package. Servers run in their own processes; one load generator drives both,
 * alternating rounds; the median of the rounds is reported.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../hosts/build/build.ts";
import { httpLoad, wsLoad } from "./load/clients.ts";
import type { Row } from "./table.ts";

const ROUNDS = 5;
const MS = 2000;

function start(script: string): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", path.join(ROOT, "hosts/node/register.mjs"), path.join(ROOT, script)], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout!.on("data", (d: Buffer) => {
      const m = /ready (\d+)/.exec(String(d));
      if (m) resolve({ port: Number(m[1]), child });
    });
    child.on("exit", (code) => reject(new Error(script + " exited " + code)));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function compare(name: string, load: (port: number) => Promise<number>, ports: [number, number]): Promise<[number, number]> {
  const ours: number[] = [];
  const theirs: number[] = [];
  await load(ports[0]); // warm-up both
  await load(ports[1]);
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(await load(ports[0]));
    theirs.push(await load(ports[1]));
  }
  process.stderr.write(`${name}: iobox ${ours.map((x) => x.toFixed(0)).join(" ")} / baseline ${theirs.map((x) => x.toFixed(0)).join(" ")}\n`);
  return [median(ours), median(theirs)];
}

export async function run(): Promise<Row[]> {
  const iobox = await start("bench/servers/iobox-server.ts");
  const base = await start("bench/servers/baseline-server.ts");
  try {
    const ports: [number, number] = [iobox.port, base.port];
    const [h, hb] = await compare("http", (p) => httpLoad(p, 16, MS), ports);
    const [w, wb] = await compare("ws", (p) => wsLoad(p, 16, 8, 64, MS), ports);
    const [w1, w1b] = await compare("ws-1", (p) => wsLoad(p, 16, 1, 64, MS), ports);
    return [
      { bench: "http", measure: "GET req/s, 16 keep-alive connections", value: h.toFixed(0), baseline: hb.toFixed(0) + " node:http", ratio: (h / hb).toFixed(2), note: "goal >= 1.0" },
      { bench: "ws", measure: "echo msg/s, 16 clients, 64 B text, 8 in flight", value: w.toFixed(0), baseline: wb.toFixed(0) + " ws " + wsVersion(), ratio: (w / wb).toFixed(2), note: "goal >= 1.0" },
      { bench: "ws", measure: "echo msg/s, 16 clients, 64 B text, 1 in flight", value: w1.toFixed(0), baseline: w1b.toFixed(0) + " ws " + wsVersion(), ratio: (w1 / w1b).toFixed(2), note: "no batching possible: per-message cost" },
    ];
  } finally {
    iobox.child.kill();
    base.child.kill();
  }
}

function wsVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/ws/package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "";
  }
}
