/**
 * The simulator's firmware slots: DATA/firmware/slot-a.mjs and slot-b.mjs hold updated bundles, and
 * DATA/firmware/slots.json the boot loader's state (src/firmware/slots.ts), which the launcher
 * (launcher.ts) reads at each boot and the running app changes when it commits, confirms or gives up
 * an image. Writes are atomic (a temporary file, then a rename).
 */
import fs from "node:fs";
import path from "node:path";
import type { FirmwareUpdate } from "../../src/host.ts";
import { emptySlots, type Slots } from "../../src/firmware/slots.ts";

export type Slot = "a" | "b";

/** What the launcher tells the image it started (IOBOX_BOOT). */
export interface BootInfo {
  slot: Slot | null;
  pending: boolean;
  rolledBack: string | null;
}

const STATE = "slots.json";

export function slotFile(dir: string, slot: Slot): string {
  return path.join(dir, `slot-${slot}.mjs`);
}

export function readSlots(dir: string): Slots<Slot> {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(dir, STATE), "utf8")) as Slots<Slot>;
    const ok = (v: unknown): boolean => v === null || v === "a" || v === "b";
    if (ok(s.running) && ok(s.previous) && ok(s.next) && typeof s.pending === "boolean" && Number.isInteger(s.attempts)) return s;
  } catch {
    // none yet, or unreadable: the installed simulator runs
  }
  return emptySlots();
}

export function writeSlots(dir: string, slots: Slots<Slot>): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, STATE + ".~tmp");
  fs.writeFileSync(temp, JSON.stringify(slots) + "\n", { mode: 0o600 });
  fs.renameSync(temp, path.join(dir, STATE));
}

export class NodeFirmware implements FirmwareUpdate {
  readonly capacity = 64 * 1024 * 1024;
  readonly pending: boolean;
  readonly rolledBack: string | undefined;
  private fd: number | undefined;
  private writing: Slot | undefined;

  constructor(
    private readonly dir: string,
    private readonly boot: BootInfo,
  ) {
    this.pending = boot.pending;
    this.rolledBack = boot.rolledBack ?? undefined;
  }

  begin(size: number): void {
    this.abort();
    void size;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.writing = this.boot.slot === "a" ? "b" : "a"; // the slot that is not running
    this.fd = fs.openSync(this.part(), "w", 0o600);
  }

  write(chunk: Uint8Array): void {
    if (this.fd === undefined) throw new Error("update not begun");
    for (let off = 0; off < chunk.length; ) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
  }

  commit(): void {
    if (this.fd === undefined || !this.writing) throw new Error("update not begun");
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.renameSync(this.part(), slotFile(this.dir, this.writing));
    this.change((s) => (s.next = this.writing!));
    this.writing = undefined;
  }

  abort(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    if (this.writing) fs.rmSync(this.part(), { force: true });
    this.writing = undefined;
  }

  confirm(): void {
    this.change((s) => (s.pending = false));
  }

  rollback(reason: string): void {
    this.change((s) => (s.giveUp = reason));
  }

  private part(): string {
    return slotFile(this.dir, this.writing!) + ".part";
  }

  private change(edit: (s: Slots<Slot>) => void): void {
    const s = readSlots(this.dir);
    edit(s);
    writeSlots(this.dir, s);
  }
}
