/**
 * Input edge -> Monitor latency with 1, 16 and 64 logged-in WebSocket clients, against a minimal
 * broadcaster on the `ws` package sending the same JSON, measured in the same run. Each server runs
 * in its own process and flips an input when a line arrives on its standard input; the latency of a
 * client is from writing that line to the client receiving the Monitor. Edges alternate between the
 * two servers, so whatever else the machine does hits both alike. Also: the XS compute a Monitor
 * broadcast costs on the device's engine, per edge, over the input pipeline alone.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import WebSocket from "ws";
import { buildNodeProgram, ROOT } from "../hosts/build/build.ts";
import { EDGES, FOREIGN_TEXTS, PARSES, SESSIONS } from "./janos.xs.ts";
import type { Row } from "./table.ts";
import { meterOnXs } from "./xs.ts";

const PASSWORD = "bench-password";
const WARM_UP = 200;
const ROUNDS = 5;
const EDGES_PER_ROUND = 500;

interface Server {
  child: ChildProcess;
  port: number;
}

/**
 * Both servers are bundled as the simulator is and run as plain JavaScript: TypeScript loaded at run
 * time keeps a loader thread and every module's source in the heap, and a bigger heap makes V8's
 * idle-time collections longer, which showed in the tail.
 */
async function bundle(): Promise<void> {
  await buildNodeProgram({ "janos-server": "bench/servers/janos-server.ts", "broadcast-baseline": "bench/servers/broadcast-baseline.ts" }, "build/bench", { packages: "external" });
}

function startServer(name: string, args: string[] = []): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "build/bench", name + ".mjs"), ...args], { stdio: ["pipe", "pipe", "inherit"] });
    child.stdout!.on("data", (d: Buffer) => {
      const m = /ready (\d+)/.exec(String(d));
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on("exit", (code) => reject(new Error(name + " exited " + code)));
  });
}

interface Client {
  ws: WebSocket;
  /** Called with the receive time of each Monitor. */
  onMonitor?: (t: number) => void;
}

const MONITOR = Buffer.from('{"Message":"Monitor"');

async function connect(port: number, login: boolean): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  const client: Client = { ws };
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  if (login) {
    await new Promise<void>((resolve) => {
      ws.on("message", function step(data: Buffer) {
        const m = JSON.parse(String(data)) as { Message: string; Nonce?: string };
        if (m.Nonce) {
          const hex = crypto.createHash("md5").update(`jnior:${m.Nonce}:${PASSWORD}`).digest("hex");
          ws.send(JSON.stringify({ "Auth-Digest": "jnior:" + hex }));
        } else if (m.Message === "Monitor") {
          ws.off("message", step);
          resolve();
        }
      });
      ws.send('{"Message":""}');
    });
  }
  ws.on("message", (data: Buffer) => {
    const t = performance.now();
    if (data.subarray(0, MONITOR.length).equals(MONITOR)) client.onMonitor?.(t);
  });
  return client;
}

/** One edge: resolves with every client's latency, ms. */
function edge(server: Server, clients: Client[]): Promise<number[]> {
  return new Promise((resolve) => {
    const latencies: number[] = [];
    let t0 = 0;
    for (const c of clients) {
      c.onMonitor = (t) => {
        c.onMonitor = undefined;
        latencies.push(t - t0);
        if (latencies.length === clients.length) resolve(latencies);
      };
    }
    t0 = performance.now();
    server.child.stdin!.write("edge\n");
  });
}

/** `n` edges, alternating between the two servers edge by edge; latencies go into `ours` and `theirs`. */
async function alternate(iobox: Server, ours: Client[], base: Server, theirs: Client[], n: number, into?: [number[], number[]]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const a = await edge(iobox, ours);
    await pause();
    const b = await edge(base, theirs);
    await pause();
    if (into) {
      into[0].push(...a);
      into[1].push(...b);
    }
  }
}

const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<Row[]> {
  await bundle();
  const iobox = await startServer("janos-server", [PASSWORD]);
  const base = await startServer("broadcast-baseline");
  const rows: Row[] = [];
  try {
    for (const n of [1, 16, 64]) {
      const ours = await Promise.all(Array.from({ length: n }, () => connect(iobox.port, true)));
      const theirs = await Promise.all(Array.from({ length: n }, () => connect(base.port, false)));
      await alternate(iobox, ours, base, theirs, n === 1 ? 5 * WARM_UP : WARM_UP); // the first case also warms the JITs up
      // the median of per-round p99s: one stall of a shared machine moves one round, not the figure
      const p50s: [number[], number[]] = [[], []];
      const p99s: [number[], number[]] = [[], []];
      let samples = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const a: number[] = [];
        const b: number[] = [];
        await alternate(iobox, ours, base, theirs, EDGES_PER_ROUND, [a, b]);
        a.sort((x, y) => x - y);
        b.sort((x, y) => x - y);
        p50s[0].push(percentile(a, 50));
        p50s[1].push(percentile(b, 50));
        p99s[0].push(percentile(a, 99));
        p99s[1].push(percentile(b, 99));
        samples += a.length;
      }
      for (const c of [...ours, ...theirs]) c.ws.close();
      process.stderr.write(`janos ${n}: p99 per round iobox ${p99s[0].map((x) => x.toFixed(2)).join(" ")} / ws ${p99s[1].map((x) => x.toFixed(2)).join(" ")}\n`);
      const [p50, p99, q50, q99] = [median(p50s[0]), median(p99s[0]), median(p50s[1]), median(p99s[1])];
      rows.push({
        bench: "janos",
        measure: `input edge -> Monitor, ${n} client${n > 1 ? "s" : ""}, p50 / p99 ms`,
        value: `${p50.toFixed(2)} / ${p99.toFixed(2)}`,
        baseline: `${q50.toFixed(2)} / ${q99.toFixed(2)} ws`,
        ratio: (p99 / q99).toFixed(2),
        note: `p99 ratio, goal <= 1.2 (median of ${ROUNDS} rounds of ${EDGES_PER_ROUND} edges; ${samples} samples each)`,
      });
    }
  } finally {
    iobox.child.kill();
    base.child.kill();
  }

  const xs = await meterOnXs(new URL("./janos.xs.ts", import.meta.url).pathname);
  const bare = xs["edges, no sessions"]!.compute ?? 0;
  for (const n of SESSIONS) {
    const step = xs[`edges, ${n} sessions`]!;
    rows.push({
      bench: "janos",
      measure: `XS compute per Monitor broadcast to ${n} session${n > 1 ? "s" : ""}`,
      value: Math.round(((step.compute ?? 0) - bare) / EDGES).toLocaleString("en"),
      baseline: Math.round(bare / EDGES).toLocaleString("en") + " edge alone",
      note: "build once, frame once, queue per session",
    });
  }
  for (const name of Object.keys(FOREIGN_TEXTS)) {
    const ours = xs[`foreign ${name}`]!;
    const theirs = xs[`JSON.parse ${name}`]!;
    rows.push({
      bench: "janos",
      measure: `XS: parse ${name}, names kept as strings (ms per parse)`,
      value: (ours.ms / PARSES).toFixed(3),
      baseline: (theirs.ms / PARSES).toFixed(3) + " JSON.parse",
      ratio: (ours.ms / theirs.ms).toFixed(1),
      note: "JSON.parse would make each name a property key for good (src/json-input.ts)",
    });
  }
  return rows;
}
