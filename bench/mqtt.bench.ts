/**
 * Input edge -> MQTT message at a subscriber, through a real mosquitto: the whole device against the
 * least a publisher can do (mqtt-packet straight on a socket, the same retained QoS 1 message),
 * measured in the same run. Each publisher runs in its own process and publishes when a line arrives
 * on its standard input; the latency is from writing that line to the subscriber (in this process)
 * receiving the message. Edges alternate between the two; each figure is the median of 5 rounds.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { generate, parser as mqttParser, type Packet } from "mqtt-packet";
import { buildNodeProgram, ROOT } from "../hosts/build/build.ts";
import { ensureTools, MOSQUITTO, requireTool } from "../test/system-tools.ts";
import type { Row } from "./table.ts";

const ROUNDS = 5;
const EDGES_PER_ROUND = 300;
const WARM_UP = 1500;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function startBroker(): Promise<{ child: ChildProcess; port: number }> {
  ensureTools([MOSQUITTO]);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-bench-mosquitto-"));
  const config = path.join(dir, "mosquitto.conf");
  fs.writeFileSync(config, `user root\npersistence false\nallow_anonymous true\nlistener ${port} 127.0.0.1\n`);
  const child = spawn(requireTool(MOSQUITTO), ["-c", config], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((r) => net.connect(port, "127.0.0.1", function (this: net.Socket) { this.destroy(); r(true); }).on("error", () => r(false)));
    if (up) return { child, port };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("mosquitto did not start");
}

function startPublisher(name: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "build/bench", name + ".mjs"), String(port)], { stdio: ["pipe", "pipe", "inherit"] });
    child.stdout!.on("data", (d: Buffer) => {
      if (String(d).includes("ready")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(name + " exited " + code)));
  });
}

/** A subscriber on the two state topics; calls `onMessage(topic, time)` for each. */
function subscribe(port: number, onMessage: (topic: string, t: number) => void): Promise<net.Socket> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1", noDelay: true });
    const parser = mqttParser();
    socket.on("data", (d) => parser.parse(d));
    parser.on("packet", (p: Packet) => {
      if (p.cmd === "connack") socket.write(generate({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "bench/+/input/1/state", qos: 0 }] }));
      else if (p.cmd === "suback") resolve(socket);
      else if (p.cmd === "publish" && !p.retain) onMessage(p.topic, performance.now());
    });
    socket.on("connect", () => socket.write(generate({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "bench-subscriber", keepalive: 60 })));
  });
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function run(): Promise<Row[]> {
  await buildNodeProgram({ "mqtt-device": "bench/servers/mqtt-device.ts", "mqtt-baseline": "bench/servers/mqtt-baseline.ts" }, "build/bench", { packages: "external" });
  const broker = await startBroker();
  const iobox = await startPublisher("mqtt-device", broker.port);
  const base = await startPublisher("mqtt-baseline", broker.port);
  let waiting: { topic: string; resolve: (t: number) => void } | undefined;
  const socket = await subscribe(broker.port, (topic, t) => {
    if (waiting && topic === waiting.topic) {
      const w = waiting;
      waiting = undefined;
      w.resolve(t);
    }
  });
  const edge = (child: ChildProcess, topic: string): Promise<number> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      waiting = { topic, resolve: (t) => resolve(t - t0) };
      child.stdin!.write("edge\n");
    });
  const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 1));
  try {
    const round = async (n: number): Promise<[number[], number[]]> => {
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < n; i++) {
        a.push(await edge(iobox, "bench/iobox/input/1/state"));
        await pause();
        b.push(await edge(base, "bench/baseline/input/1/state"));
        await pause();
      }
      return [a, b];
    };
    await round(WARM_UP);
    const p: [number[], number[], number[], number[]] = [[], [], [], []];
    for (let r = 0; r < ROUNDS; r++) {
      const [a, b] = await round(EDGES_PER_ROUND);
      p[0].push(percentile(a, 50));
      p[1].push(percentile(a, 99));
      p[2].push(percentile(b, 50));
      p[3].push(percentile(b, 99));
    }
    process.stderr.write(`mqtt: p99 per round iobox ${p[1].map((x) => x.toFixed(2)).join(" ")} / baseline ${p[3].map((x) => x.toFixed(2)).join(" ")}\n`);
    const [p50, p99, q50, q99] = p.map(median) as [number, number, number, number];
    return [
      {
        bench: "mqtt",
        measure: "input edge -> MQTT message at a subscriber via mosquitto, p50 / p99 ms",
        value: `${p50.toFixed(2)} / ${p99.toFixed(2)}`,
        baseline: `${q50.toFixed(2)} / ${q99.toFixed(2)} mqtt-packet publisher`,
        ratio: (p99 / q99).toFixed(2),
        note: `p99 ratio (median of ${ROUNDS} rounds of ${EDGES_PER_ROUND} edges)`,
      },
    ];
  } finally {
    socket.destroy();
    iobox.kill();
    base.kill();
    broker.child.kill();
  }
}
