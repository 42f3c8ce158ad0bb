/**
 * In-memory files for the memory host, with power cuts. `MemoryFlash` is the storage that survives
 * a reboot; `MemoryFiles` is the Files view a host gets of it.
 *
 * The model matches what the Files contract promises: a call that returned is durable. A cut can be
 * armed to strike after a given number of bytes; the call it strikes in leaves
 * - `write`: the old content (atomic replace),
 * - `append`: a prefix of the new bytes, then up to 16 bytes of garbage (a half-programmed page),
 * - or, one time in four, the whole operation done: the power failed after the data was on flash
 *   but before the call returned, so the caller never learned it succeeded;
 * and from then on every call throws `PowerCut` until `restore()` (the next boot).
 */
import type { FileEntry, Files } from "../src/host.ts";
import { checkFilePath } from "../src/file-path.ts";
import { Prng } from "./prng.ts";

export type CutMode = "tear" | "complete" | "either";

export class PowerCut extends Error {
  constructor() {
    super("power cut");
  }
}
// defined on our prototype, not assigned: a Moddable device freezes Error.prototype in ROM,
// and assigning over a frozen inherited property throws
Object.defineProperty(PowerCut.prototype, "name", { value: "PowerCut" });

export interface WearStats {
  /** Calls that wrote (write + append + remove). */
  operations: number;
  bytes: number;
}

export class MemoryFlash {
  readonly files = new Map<string, Uint8Array>();
  /** Directories made explicitly (those holding files exist by implication). */
  readonly directories = new Set<string>();
  /** The flash's size for `space()`. */
  capacity = 320 * 1024;
  readonly wear: WearStats = { operations: 0, bytes: 0 };
  private budget = Infinity;
  private mode: CutMode = "either";
  private dead = false;
  private readonly prng: Prng;

  constructor(seed = 1) {
    this.prng = new Prng(seed);
  }

  /**
   * Arms a cut that strikes once `bytes` more bytes have been written. The operation it strikes is
   * torn ("tear"), completed before the power goes ("complete"), or either, at random ("either").
   */
  cutAfter(bytes: number, mode: CutMode = "either"): void {
    this.budget = bytes;
    this.mode = mode;
  }

  /** Cuts the power now. */
  cut(): void {
    this.dead = true;
  }

  get isCut(): boolean {
    return this.dead;
  }

  /** Power is back: the next host to boot sees what reached the flash. */
  restore(): void {
    this.dead = false;
    this.budget = Infinity;
  }

  /** @internal used by MemoryFiles */
  alive(): void {
    if (this.dead) throw new PowerCut();
  }

  /** @internal how many of `n` bytes may be written before the cut strikes */
  take(n: number): number {
    this.alive();
    if (n <= this.budget) {
      this.budget -= n;
      this.wear.bytes += n;
      this.wear.operations++;
      return n;
    }
    const whole = this.mode === "complete" || (this.mode === "either" && this.prng.below(4) === 0);
    const allowed = whole ? n : this.budget;
    this.budget = 0;
    this.dead = true;
    this.wear.bytes += allowed;
    this.wear.operations++;
    return allowed;
  }

  /** @internal garbage that a torn write leaves */
  garbage(): Uint8Array {
    const g = new Uint8Array(this.prng.below(17));
    this.prng.fill(g);
    return g;
  }
}

export class MemoryFiles implements Files {
  constructor(readonly flash: MemoryFlash) {}

  read(path: string, offset = 0, length = Infinity): Uint8Array | undefined {
    checkFilePath(path);
    this.flash.alive();
    const data = this.flash.files.get(path);
    return data ? data.slice(offset, offset + length) : undefined;
  }

  write(path: string, data: Uint8Array): void {
    checkFilePath(path);
    if (this.flash.take(data.length + 1) < data.length + 1) throw new PowerCut();
    this.flash.files.set(path, data.slice());
    this.flash.alive(); // done, but the power may be gone before the call returns
  }

  append(path: string, data: Uint8Array): void {
    checkFilePath(path);
    const allowed = this.flash.take(data.length);
    const old = this.flash.files.get(path) ?? new Uint8Array(0);
    const torn = allowed < data.length ? this.flash.garbage() : new Uint8Array(0);
    const next = new Uint8Array(old.length + allowed + torn.length);
    next.set(old, 0);
    next.set(data.subarray(0, allowed), old.length);
    next.set(torn, old.length + allowed);
    this.flash.files.set(path, next);
    this.flash.alive(); // throws when the cut struck, whole or torn
  }

  remove(path: string): void {
    checkFilePath(path);
    if (!this.flash.files.has(path)) return this.flash.alive();
    if (this.flash.take(1) < 1) throw new PowerCut();
    this.flash.files.delete(path);
    this.flash.alive();
  }

  size(path: string): number {
    checkFilePath(path);
    this.flash.alive();
    return this.flash.files.get(path)?.length ?? -1;
  }

  list(dir: string): FileEntry[] {
    checkFilePath(dir, true);
    this.flash.alive();
    const prefix = dir === "" ? "" : dir + "/";
    const entries = new Map<string, FileEntry>();
    const seen = (name: string, size: number, directory: boolean): void => {
      const e = entries.get(name);
      if (e) e.size += directory ? 1 : 0;
      else entries.set(name, { name, size, directory });
    };
    for (const [path, data] of this.flash.files) {
      if (!path.startsWith(prefix)) continue;
      const slash = path.indexOf("/", prefix.length);
      if (slash < 0) seen(path.slice(prefix.length), data.length, false);
      else seen(path.slice(prefix.length, slash), 0, true);
    }
    for (const d of this.flash.directories) {
      if (d.startsWith(prefix) && d.indexOf("/", prefix.length) < 0 && !entries.has(d.slice(prefix.length))) entries.set(d.slice(prefix.length), { name: d.slice(prefix.length), size: 0, directory: true });
    }
    // a directory's size is how many entries it holds
    for (const e of entries.values()) if (e.directory) e.size = this.list(prefix + e.name).length;
    return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  rename(from: string, to: string): void {
    checkFilePath(from);
    checkFilePath(to);
    const data = this.flash.files.get(from);
    if (!data) throw new Error("no file " + from);
    if (this.flash.take(1) < 1) throw new PowerCut();
    this.flash.files.delete(from);
    this.flash.files.set(to, data);
    this.flash.alive();
  }

  mkdir(dir: string): void {
    checkFilePath(dir);
    this.flash.alive();
    for (let at = dir.indexOf("/"); ; at = dir.indexOf("/", at + 1)) {
      this.flash.directories.add(at < 0 ? dir : dir.slice(0, at));
      if (at < 0) break;
    }
  }

  rmdir(dir: string): boolean {
    checkFilePath(dir);
    this.flash.alive();
    if (this.list(dir).length) return false;
    return this.flash.directories.delete(dir);
  }

  space(): { used: number; total: number } {
    let used = 0;
    for (const data of this.flash.files.values()) used += Math.ceil(Math.max(data.length, 1) / 4096) * 4096;
    return { used, total: this.flash.capacity };
  }

}
