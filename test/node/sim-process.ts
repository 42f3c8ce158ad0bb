/** The built simulator as a process, for the tests that meet it as a user does. */
import { spawn, type ChildProcess } from "node:child_process";
import { after } from "node:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "../../hosts/build/build.ts";

export const SIM = path.join(ROOT, "build/sim/iobox.mjs");

export interface Sim {
  proc: ChildProcess;
  ports: Record<string, number>;
  stdout: () => string;
  stderr: () => string;
  /** Writes a console line and resolves with the new output that answers it. */
  command: (line: string) => Promise<string>;
  stop: () => Promise<number | null>;
}

// A test that fails before it stops its simulator must not leave it running: its pipes would keep
// the test process (and the whole run) waiting. Leftovers are killed when the test file ends.
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill("SIGKILL");
});

function track(proc: ChildProcess): ChildProcess {
  children.add(proc);
  proc.on("exit", () => children.delete(proc));
  return proc;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "iobox-sim-"));
}

/**
 * Starts the simulator and resolves once it prints its ready line. JMP takes any free port unless
 * the arguments choose one: simulators in parallel test files must not race for 9220. `prefix` runs
 * it through another command (`ip netns exec NAME`).
 */
export function start(args: string[], prefix: string[] = [], readyMs = 10_000, bundle = SIM): Promise<Sim> {
  const all = args.includes("--jmp-port") ? args : [...args, "--jmp-port", "0"];
  return new Promise((resolve, reject) => {
    const command = [...prefix, process.execPath, bundle, ...all];
    const proc = track(spawn(command[0]!, command.slice(1), { stdio: ["pipe", "pipe", "pipe"] }));
    let out = "";
    let err = "";
    const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
    const timer = setTimeout(() => reject(new Error(`no ready line in ${readyMs / 1000} s; stderr: ${err}`)), readyMs);
    proc.stderr!.on("data", (d: Buffer) => (err += d));
    proc.stdout!.on("data", (d: Buffer) => {
      out += d;
      const m = out.match(/^iobox ready (\{.*\})$/m);
      if (m) {
        clearTimeout(timer);
        resolve({
          proc,
          ports: JSON.parse(m[1]!),
          stdout: () => out,
          stderr: () => err,
          command: (line) =>
            new Promise((answer) => {
              const before = out.length;
              const check = (): void => {
                if (out.length > before && out.endsWith("\n")) answer(out.slice(before));
                else setTimeout(check, 5);
              };
              proc.stdin!.write(line + "\n");
              check();
            }),
          stop: () => {
            proc.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before ready: ${err}`));
    });
  });
}

/** Runs the simulator expecting it to exit; resolves with its exit code and output. */
export function runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const all = args.includes("--jmp-port") ? args : [...args, "--jmp-port", "0"];
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [SIM, ...all], { stdio: ["ignore", "pipe", "pipe"] });
    track(proc);
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => (stdout += d));
    proc.stderr.on("data", (d: Buffer) => (stderr += d));
    proc.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
