/**
 * A real MQTT broker for the tests: Debian's mosquitto, started with its own config on free loopback
 * ports (plain, and TLS when given a certificate), with password authentication, and stopped when
 * the process ends. It can be killed and started again on the same ports. Clients are mosquitto's
 * own `mosquitto_sub` and `mosquitto_pub`.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { MOSQUITTO, MOSQUITTO_CLIENTS, MOSQUITTO_PASSWD, requireTool } from "../system-tools.ts";

// killed when the process ends, whoever runs it (a test file, a benchmark); they do not keep it
// running (unref), or a test file would wait for its broker forever
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const p of running) p.kill("SIGKILL");
});

function track(p: ChildProcess): ChildProcess {
  running.add(p);
  p.on("exit", () => running.delete(p));
  p.unref();
  for (const stream of [p.stdout, p.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  return p;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect({ port, host: "127.0.0.1" }, () => {
        c.destroy();
        resolve(true);
      });
      c.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface BrokerOptions {
  dir: string;
  users: { name: string; password: string }[];
  /** PEM files for a TLS listener. */
  tls?: { certFile: string; keyFile: string };
}

export class Mosquitto {
  private process: ChildProcess | undefined;
  log = "";

  private constructor(
    readonly port: number,
    readonly tlsPort: number | undefined,
    private readonly config: string,
  ) {}

  static async start(options: BrokerOptions): Promise<Mosquitto> {
    requireTool(MOSQUITTO);
    const port = await freePort();
    const tlsPort = options.tls ? await freePort() : undefined;
    const passwd = path.join(options.dir, "passwd");
    fs.writeFileSync(passwd, "");
    for (const u of options.users) execFileSync(requireTool(MOSQUITTO_PASSWD), ["-b", passwd, u.name, u.password]);
    fs.chmodSync(passwd, 0o600);
    const lines = [
      "user root", // only used when started as root: keeps the files readable without handing them over
      "persistence false",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "log_type information",
      "connection_messages true",
      `password_file ${passwd}`,
      "allow_anonymous false",
      `listener ${port} 127.0.0.1`,
    ];
    if (options.tls && tlsPort) lines.push(`listener ${tlsPort} 127.0.0.1`, `certfile ${options.tls.certFile}`, `keyfile ${options.tls.keyFile}`);
    const config = path.join(options.dir, "mosquitto.conf");
    fs.writeFileSync(config, lines.join("\n") + "\n");
    const broker = new Mosquitto(port, tlsPort, config);
    await broker.restart();
    return broker;
  }

  /** Starts (again) on the same ports. */
  async restart(): Promise<void> {
    const p = track(spawn(requireTool(MOSQUITTO), ["-c", this.config], { stdio: ["ignore", "ignore", "pipe"] }));
    p.stderr!.on("data", (d: Buffer) => (this.log += d));
    this.process = p;
    await waitForPort(this.port);
    if (this.tlsPort) await waitForPort(this.tlsPort);
  }

  /** SIGKILL: a crash, no goodbye to anyone. */
  async kill(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await exited;
  }

}

export interface Received {
  retained: boolean;
  topic: string;
  payload: string;
}

/** `mosquitto_sub` on a topic filter, collecting every message with its retained flag. */
export class Subscriber {
  readonly messages: Received[] = [];
  private readonly process: ChildProcess;
  private buffer = "";

  constructor(port: number, user: { name: string; password: string }, filter: string) {
    this.process = track(
      spawn(requireTool(MOSQUITTO_CLIENTS), ["-h", "127.0.0.1", "-p", String(port), "-u", user.name, "-P", user.password, "-t", filter, "-q", "1", "-F", "%r %t %p"], {
        stdio: ["ignore", "pipe", "ignore"],
      }),
    );
    this.process.stdout!.on("data", (d: Buffer) => {
      this.buffer += d;
      let nl: number;
      while ((nl = this.buffer.indexOf("\n")) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const m = /^([01]) (\S+) ?(.*)$/.exec(line);
        if (m) this.messages.push({ retained: m[1] === "1", topic: m[2]!, payload: m[3]! });
      }
    });
  }

  /** The first message (already received or to come) that matches. */
  async waitFor(pred: (m: Received) => boolean, ms = 10_000): Promise<Received> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.messages.find(pred);
      if (m) return m;
      if (Date.now() > deadline) throw new Error("no matching message; got " + JSON.stringify(this.messages.slice(-10)));
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The last message on `topic`. */
  last(topic: string): Received | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i]!.topic === topic) return this.messages[i];
    return undefined;
  }

  stop(): void {
    this.process.kill();
  }
}

const MOSQUITTO_PUB = { command: "mosquitto_pub", debian: "mosquitto-clients" };

/** `mosquitto_pub` once. */
export function publish(port: number, user: { name: string; password: string }, topic: string, payload: string, options: { retain?: boolean } = {}): void {
  execFileSync(requireTool(MOSQUITTO_PUB), ["-h", "127.0.0.1", "-p", String(port), "-u", user.name, "-P", user.password, "-t", topic, "-m", payload, "-q", "1", ...(options.retain ? ["-r"] : [])]);
}
