/**
 * The test port of the device's test build (test/device/manifest.json), never of a product image:
 * what the tests need from inside the device that no protocol gives. It is a `setup/` module, so
 * Moddable starts it before `main`, and the product's code knows nothing of it.
 *
 * One command per connection, a line of ASCII; one line of JSON back, then the port closes it:
 *   heap                             the heap after a forced garbage collection:
 *                                    {"slots","chunks","stackPeak","keys","gcs","sockets","timers"}
 *   input PIN 0|1                    sets an input pin of the simulated board (lin)
 *   pulses PIN COUNT WIDTH PERIOD    a pulse train on an input pin (ms)
 *   edges PIN COUNT                  COUNT edges at once on an input pin (it ends where it began
 *                                    when COUNT is even): a burst the core takes in one turn
 *   abort                            an exception nothing catches, thrown from a timer: the VM
 *                                    aborts (Moddable's abort hook runs first)
 *   reject                           a promise rejected that nothing handles: the hook lets the
 *                                    VM go on
 *   tls                              the TLS engine's native memory (outside the XS heap):
 *                                    {"bytes","peak","allocations","limit"}; `tls reset` starts the
 *                                    peak again from what is in use
 * A bad command gets {"error": "..."}.
 *
 * slots: live XS slots; chunks: live chunk bytes; stackPeak: the deepest the XS stack has been
 * since the simulator last sampled it (it samples once a second); keys: property names made at run
 * time (not in the preloaded image). The port's own listener and socket count in the figures.
 */
import Debug from "debug";
import Listener from "embedded:io/socket/listener";
import TCP from "embedded:io/socket/tcp";
import Instrumentation from "instrumentation";
import config from "mc/config";
import Timer from "timer";
import platform from "iobox-platform";
import { resetPeak, statistics } from "iobox-tls";
import type { Level, Timers } from "../../src/host.ts";

const SLOT_BYTES = 32; // a slot on 64-bit lin (16 on an ESP32); the instrumentation counts bytes
const MAX_LINE = 128;

function figure(name: string): number {
  const index = Instrumentation.map(name as never);
  return index === undefined ? -1 : (Instrumentation.get(index) ?? -1);
}

function heap(): unknown {
  Debug.gc();
  return {
    slots: figure("XS Slot Heap Used") / SLOT_BYTES,
    chunks: figure("XS Chunk Heap Used"),
    stackPeak: figure("XS Stack Used") / SLOT_BYTES,
    keys: figure("XS Keys Used"),
    gcs: figure("XS Garbage Collection Count"),
    sockets: figure("Network Sockets"),
    timers: figure("Timers"),
  };
}

function run(line: string): unknown {
  const [command, ...args] = line.trim().split(/ +/);
  const n = args.map(Number);
  if (command === "heap" && !args.length) return heap();
  if (command === "abort" && !args.length) {
    Timer.set(() => {
      throw new Error("the test port's uncaught exception");
    }, 50);
    return { ok: true };
  }
  if (command === "tls" && (!args.length || args[0] === "reset")) {
    if (args[0] === "reset") resetPeak();
    const [bytes, peak, allocations, limit] = statistics();
    return { bytes, peak, allocations, limit };
  }
  if (command === "reject" && !args.length) {
    void Promise.reject(new Error("the test port's unhandled rejection"));
    return { ok: true };
  }
  const board = platform.simulatedBoard?.();
  if (!board) return { error: "this platform has no simulated board" };
  if (command === "input" && n.length === 2 && (n[1] === 0 || n[1] === 1)) {
    board.setInput(n[0]!, n[1] as Level);
    return { ok: true };
  }
  if (command === "edges" && n.length === 2 && n[1]! >= 0 && n[1]! <= 100_000) {
    for (let i = 0; i < n[1]!; i++) board.setInput(n[0]!, (1 - board.inputLevel(n[0]!)) as Level);
    return { ok: true };
  }
  if (command === "pulses" && n.length === 4) {
    return { ok: true, ms: board.pulseTrain(timers, n[0]!, n[1]!, n[2]!, n[3]!) };
  }
  return { error: "unknown command: " + line.slice(0, 40) };
}

const timers: Timers = {
  after(ms, fn, target) {
    const id = Timer.set(() => fn.call(target as never), ms);
    return { cancel: () => Timer.clear(id) };
  },
  every(ms, fn, target) {
    const id = Timer.repeat(() => fn.call(target as never), ms);
    return { cancel: () => Timer.clear(id) };
  },
};

function answer(line: string): string {
  try {
    return JSON.stringify(run(line)) + "\n";
  } catch (e) {
    return JSON.stringify({ error: (e as Error).message }) + "\n";
  }
}

let listener: Listener | undefined; // held, or the collector closes it

export default function startTestPort(done: () => void): void {
  const port = (config as { testPort?: number }).testPort ?? 9999;
  listener = new Listener({
    port,
    onReadable(count: number) {
      while (count-- > 0) {
        const from = this.read();
        if (!from) continue;
        let line = "";
        let reply: string | undefined;
        let writable = false;
        const send = (socket: TCP): void => {
          if (reply === undefined || !writable) return;
          try {
            socket.write(ArrayBuffer.fromString(reply));
          } catch {
            // the client went away
          }
          socket.close();
          reply = undefined;
        };
        new TCP({
          from,
          format: "buffer",
          onReadable(this: TCP, n: number) {
            const bytes = new Uint8Array(this.read() as unknown as ArrayBuffer);
            for (let i = 0; i < bytes.length && reply === undefined; i++) {
              if (bytes[i] === 10 || line.length > MAX_LINE) reply = answer(line);
              else line += String.fromCharCode(bytes[i]!);
            }
            void n;
            send(this);
          },
          onWritable(this: TCP) {
            writable = true; // writing sooner throws "would block"
            send(this);
          },
        } as ConstructorParameters<typeof TCP>[0]);
      }
    },
  });
  trace(`test port ${port}\n`);
  done();
}
