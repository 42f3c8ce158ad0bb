/**
 * The device image running in Moddable's simulator: `mcsim` under Xvfb, one at a time (mcsim copies
 * the app into its config folder). Each start is a first boot: lin's LittleFS is a RAM disk.
 *
 * The image listens where the test manifest says (test/device/manifest.json): HTTP on 18080, the
 * test port on 18099, and JMP on the registry's 9220. Everything it traces is kept; `problems()`
 * finds what must never happen (an XS abort, memory full, a crash) and `stackPeak` is the deepest
 * XS stack that mcsim's instrumentation sampled.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { sdkEnv, type Sdk } from "./sdk.ts";

export const DEVICE_PORTS = { http: 18080, https: 18443, jmp: 9220, test: 18099 } as const;

/**
 * Throws when a port the image needs is taken (an mcsim left running, say): the image cannot say
 * why it did not start then (a bind failure aborts it before it logs).
 */
export async function checkPortsFree(): Promise<void> {
  for (const port of Object.values(DEVICE_PORTS)) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer().once("error", () => resolve(false));
      server.listen(port, "0.0.0.0", () => server.close(() => resolve(true)));
    });
    if (!free) throw new Error(`port ${port} is in use (an mcsim left running?): the device image needs ${Object.values(DEVICE_PORTS).join(", ")} and 53/udp free`);
  }
}

/** Every image started and not yet stopped: stopped if this process is interrupted, so that none outlives it. */
const started = new Set<DeviceSim>();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    for (const d of started) d.kill();
    process.exit(130);
  });
}

/** What the instrumented image's test port answers to `heap`. */
export interface Heap {
  slots: number;
  chunks: number;
  stackPeak: number;
  keys: number;
  gcs: number;
  sockets: number;
  timers: number;
}

const FATAL = /XS abort|memory full|Segmentation fault|stack overflow|dead strip|Aborted|core dumped|Unhandled exception/i;

export class DeviceSim {
  log = "";
  /** The first line that said the VM died or is about to (problems() has them all, from the log kept). */
  firstProblem: string | undefined;
  /** Slots, from mcsim's once-a-second samples of the XS stack. */
  stackPeak = 0;
  private columns: string[] = [];
  private readonly process: ChildProcess;
  private exited = false;

  private constructor(sdk: Sdk, so: string) {
    // stdbuf: mcsim's stdout is a pipe here, which libc would buffer
    this.process = spawn("xvfb-run", ["-a", "stdbuf", "-oL", "-eL", path.join(sdk.bin, "mcsim"), so], { env: sdkEnv(sdk), stdio: ["ignore", "pipe", "pipe"], detached: true });
    const take = (d: Buffer): void => {
      const text = String(d);
      this.log += text;
      // a long fuzz run logs for hours: the tail is what says why it stopped
      if (this.log.length > 4 << 20) this.log = this.log.slice(-(1 << 20));
      for (const line of text.split("\n")) {
        this.sample(line);
        if (!this.firstProblem && FATAL.test(line)) this.firstProblem = line;
      }
    };
    this.process.stdout!.on("data", take);
    this.process.stderr!.on("data", take);
    this.process.on("exit", () => {
      this.exited = true;
      started.delete(this);
    });
    started.add(this);
  }

  /** Kills the image's process group at once (an interrupted run). */
  kill(): void {
    try {
      process.kill(-this.process.pid!, "SIGKILL");
    } catch {
      // gone already
    }
  }

  static async start(sdk: Sdk, so: string, ms = 20_000): Promise<DeviceSim> {
    const device = new DeviceSim(sdk, so);
    const deadline = Date.now() + ms;
    while (!/iobox ready/.test(device.log)) {
      if (device.exited || FATAL.test(device.log) || /could not start/.test(device.log)) {
        await device.stop();
        throw new Error("the device did not boot:\n" + device.log.slice(-3000));
      }
      if (Date.now() > deadline) {
        await device.stop();
        throw new Error(`the device was not ready within ${ms} ms:\n${device.log.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return device;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Lines that say the VM died or is about to. */
  problems(): string[] {
    return this.log.split("\n").filter((l) => FATAL.test(l));
  }

  /** Sends one test-port command and resolves with its JSON answer. */
  command<T = Record<string, unknown>>(line: string): Promise<T> {
    return new Promise((resolve, reject) => {
      let text = "";
      const socket = net.connect(DEVICE_PORTS.test, "127.0.0.1", () => socket.write(line + "\n"));
      socket.setTimeout(10_000, () => socket.destroy(new Error(`test port: no answer to "${line}" in 10 s`)));
      socket.on("data", (d) => (text += d));
      socket.on("error", reject);
      socket.on("close", () => {
        try {
          const answer = JSON.parse(text) as T & { error?: string };
          if (answer.error) reject(new Error(`test port: ${line}: ${answer.error}`));
          else resolve(answer);
        } catch {
          reject(new Error(`test port: ${line}: answered ${JSON.stringify(text)}`));
        }
      });
    });
  }

  heap(): Promise<Heap> {
    return this.command<Heap>("heap");
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((r) => this.process.once("exit", r));
    try {
      process.kill(-this.process.pid!, "SIGKILL"); // the group: xvfb-run, Xvfb and mcsim
    } catch {
      // gone already
    }
    await exited;
  }

  /** mcsim prints `instruments key: …` once, then `instruments: …` each second. */
  private sample(line: string): void {
    if (line.startsWith("instruments key: ")) this.columns = line.slice(17).split(",");
    else if (line.startsWith("instruments: ")) {
      const stack = Number(line.slice(13).split(",")[this.columns.indexOf("Stack used")]);
      if (stack > 0) this.stackPeak = Math.max(this.stackPeak, stack / 32);
    }
  }
}
