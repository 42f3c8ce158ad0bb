/**
 * The simulator's boot loader. `npm start` runs the bundle as this launcher, which never serves
 * anything itself: it picks the image to run (the bundle it came from, or an update in
 * DATA/firmware/slot-a.mjs or slot-b.mjs), runs it as a child process, and starts it again when it
 * asks to restart (a reboot, an update) or crashes, as a device's boot loader does after a reset.
 * Its decision is the one a device's boot loader makes (src/firmware/slots.ts): an update boots on
 * probation, and one that restarts before it confirmed itself is rolled back.
 *
 * The child gets the boot loader's answer in IOBOX_BOOT, the ports it had before in IOBOX_PORTS
 * (so that a port given as 0 stays what it was), and a channel to this process: when the launcher
 * dies (even SIGKILLed) the channel closes and the child ends too. Signals (SIGTERM, SIGINT) go on
 * to the child, whose own clean stop ends both.
 */
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { bootSlots } from "../../src/firmware/slots.ts";
import { readSlots, slotFile, writeSlots, type BootInfo } from "./firmware.ts";

/** The exit code by which the app asks to be started again (a reboot). */
export const RESTART_EXIT = 75;
/** The exit code of an app that crashed (an exception nothing caught). */
export const CRASH_EXIT = 70;
/** A crash is followed by a restart after this long (a device's reset takes about as long). */
const CRASH_DELAY_MS = 1000;

export function launch(bundle: string, args: string[], dataDir: string): void {
  let child: ChildProcess | undefined;
  let stopping = false;
  let ports: Record<string, number> = {};

  const stop = (signal: NodeJS.Signals): void => {
    stopping = true;
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    else process.exit(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  const boot = (): void => {
    const dir = path.join(dataDir, "firmware");
    const slots = readSlots(dir);
    const rolledBack = bootSlots(slots);
    writeSlots(dir, slots);
    const image = slots.running === null ? bundle : slotFile(dir, slots.running);
    if (slots.running !== null && !fs.existsSync(image)) {
      process.stderr.write(`iobox: the firmware slot ${image} is gone; running the installed simulator\n`);
      slots.running = null;
      slots.pending = false;
      writeSlots(dir, slots);
      return boot();
    }
    const info: BootInfo = { slot: slots.running, pending: slots.pending, rolledBack: rolledBack ?? null };
    child = fork(image, args, {
      stdio: ["inherit", "inherit", "inherit", "ipc"],
      env: { ...process.env, IOBOX_APP: "1", IOBOX_BOOT: JSON.stringify(info), IOBOX_PORTS: JSON.stringify(ports) },
    });
    child.on("message", (m: { ready?: Record<string, number> }) => {
      if (m.ready) ports = m.ready;
    });
    child.on("exit", (code, signal) => {
      child = undefined;
      if (stopping) return process.exit(code ?? 0);
      if (code === RESTART_EXIT) return boot();
      // a crash (or a kill from outside) is a reset: the image runs again; an image on probation that
      // ends any way but a restart is rolled back at that boot
      if (info.pending || code === CRASH_EXIT || signal !== null) return void setTimeout(boot, CRASH_DELAY_MS);
      process.exit(code ?? 1);
    });
  };
  boot();
}
