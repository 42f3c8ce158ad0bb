/**
 * The registry: the device's configuration and its nonvolatile counters (janos.md §6).
 *
 * Writes are validated whole, then appended to the journal as one record, which is on flash before
 * `write` returns: an acknowledged write survives any power cut, and a group is all or nothing.
 * Values that change fast (counters, usage meters) go through `setCoalesced`: they are live at
 * once, and reach flash together once per flush interval, so flash wear is bounded. The journal is
 * compacted into an atomically written snapshot when it grows past its limit.
 */
import type { Host, Timer } from "../host.ts";
import { utf8Length } from "../bytes.ts";
import { PackedEntries } from "./entries.ts";
import { encodeRecord, encodeSnapshot, readJournal, readSnapshot, type Entry } from "./format.ts";
import { canonical, isLive, keyProblem, REGISTRY_LIMITS, type RegistryLimits } from "./keys.ts";
import { Schema } from "./schema.ts";

export interface RegistryOptions {
  /** Directory of the registry's files (default "registry"). */
  dir?: string;
  limits?: Partial<RegistryLimits>;
  /** Compact once the journal passes this many bytes (default 16 KB). */
  journalLimit?: number;
  /** How long coalesced values may wait before reaching flash (default 30 s). */
  flushIntervalMs?: number;
}

/**
 * The device's registry, sized from its heap (README, "The device's memory"): the keys cost no heap
 * slots (entries.ts), but their bytes live in the chunk heap, and a compaction holds the whole
 * snapshot in RAM once more; the snapshot, a temporary one and the journal fit a 64 KB LittleFS.
 */
/**
 * The device: a write is checked and applied whole, and each key in it holds a few dozen slots of
 * the heap until it is done (the changes, the journal record, the Registry Update): 150 new keys in
 * one 4 KB Registry Write ended the VM with "memory full" on the image. 48 at once do not.
 */
export const DEVICE_REGISTRY: RegistryOptions = { limits: { maxKeys: 400, maxTotalBytes: 12 * 1024, maxKeysPerWrite: 48 }, journalLimit: 8 * 1024 };

export interface Problem {
  key: string;
  reason: string;
}

/** A write that was refused: nothing of it was applied. */
export class RegistryError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => (p.key ? p.key + ": " : "") + p.reason).join("; "));
  }
}
Object.defineProperty(RegistryError.prototype, "name", { value: "RegistryError" });

/** A key that changed: `value` is "" when it was removed. `key` is spelled as stored. */
export interface Change {
  key: string;
  value: string;
}

export type Watcher = (changes: readonly Change[]) => void;

/**
 * Where live ($) values come from: one object per service (the I/O service serves every channel's
 * `$HourMeter`), asked on each read, so a live key costs nothing until it is read.
 */
export interface LiveValues {
  /** The value of `key` (canonical: lower case) when it is one of this source's keys. */
  liveValue(key: string): string | undefined;
  /** Every key it serves, as spelled (for Registry List). */
  liveKeys(): string[];
}

export interface RegistryStats {
  keys: number;
  /** UTF-8 bytes of stored keys and values. */
  bytes: number;
  journalBytes: number;
  /** Journal appends since boot, and the bytes they wrote (flash wear). */
  appends: number;
  appendedBytes: number;
  compactions: number;
  /** At boot: records replayed, and bytes of torn or corrupt journal tail discarded. */
  replayed: number;
  discardedBytes: number;
}

export class Registry {
  readonly schema = new Schema();
  readonly limits: RegistryLimits;
  private readonly entries = new PackedEntries();
  private readonly sources: LiveValues[] = [];
  private readonly watchers: { prefix: string; fn: Watcher }[] = [];
  private readonly pending = new Map<string, Entry>(); // coalesced, not yet on flash ("" = removed)
  private readonly snapshotPath: string;
  private readonly journalPath: string;
  private readonly journalLimit: number;
  private readonly flushIntervalMs: number;
  private seq = 0;
  private bytes = 0;
  private journalBytes = 0;
  private journalBroken = false; // an append failed midway: compact before appending again
  private flushTimer: Timer | undefined;
  private readonly counters = { appends: 0, appendedBytes: 0, compactions: 0, replayed: 0, discardedBytes: 0 };

  constructor(
    private readonly host: Host,
    options: RegistryOptions = {},
  ) {
    const dir = options.dir ?? "registry";
    this.snapshotPath = dir + "/snapshot";
    this.journalPath = dir + "/journal";
    this.limits = { ...REGISTRY_LIMITS, ...options.limits };
    this.journalLimit = options.journalLimit ?? 16 * 1024;
    this.flushIntervalMs = options.flushIntervalMs ?? 30_000;
    this.load();
  }

  // --- reading ----------------------------------------------------------------------------------

  /** The value of `key`: live, stored or default; undefined when it has none. */
  get(key: string): string | undefined {
    const k = canonical(key);
    if (isLive(k)) {
      for (const s of this.sources) {
        const v = s.liveValue(k);
        if (v !== undefined) return v;
      }
    }
    return this.entries.value(k) ?? this.schema.defaultOf(key);
  }

  /** Registry Read: every requested key, spelled as requested; "" for keys without a value. */
  read(keys: readonly string[]): Map<string, string> {
    const out = new Map<string, string>(); // names stay strings: never property keys (client-api.ts)
    for (const key of keys) out.set(key, typeof key === "string" && !keyProblem(key) ? (this.get(key) ?? "") : "");
    return out;
  }

  /** The keys and sub-nodes directly under `node` ("" = the root), spelled as stored, sorted. */
  list(node: string, options: { defaults?: boolean } = {}): { keys: string[]; nodes: string[] } {
    const n = canonical(node.replace(/\/+$/, ""));
    const prefix = n === "" ? "" : n + "/";
    const keys = new Map<string, string>();
    const nodes = new Map<string, string>();
    const consider = (spelled: string): void => {
      const k = canonical(spelled);
      if (!k.startsWith(prefix) || k === n) return;
      const rest = spelled.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash < 0) keys.set(rest.toLowerCase(), rest);
      else {
        const child = rest.slice(0, slash);
        if (!nodes.has(child.toLowerCase())) nodes.set(child.toLowerCase(), child);
      }
    };
    this.entries.forEach((key) => consider(key));
    for (const s of this.sources) for (const key of s.liveKeys()) consider(key);
    if (options.defaults) {
      for (const spec of this.schema.specs()) {
        if (spec.default === undefined || spec.default === "") continue;
        const count = spec.channels ? this.schema.channelCount(spec.channels) : 1;
        for (let i = 1; i <= count; i++) consider(spec.pattern.replace("{n}", String(i)));
      }
    }
    const sorted = (m: Map<string, string>): string[] => [...m.values()].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    return { keys: sorted(keys), nodes: sorted(nodes) };
  }

  /** Stored keys and values (live values and defaults excluded), sorted by key. */
  stored(): Entry[] {
    const out: Entry[] = [];
    this.entries.forEach((key, value) => out.push([key, value]));
    return out;
  }

  get stats(): RegistryStats {
    return { keys: this.entries.size, bytes: this.bytes, journalBytes: this.journalBytes, ...this.counters };
  }

  // --- writing ----------------------------------------------------------------------------------

  /**
   * Writes a group of keys atomically: all of them, durably, or none (RegistryError with every
   * problem). An empty value removes a key. `system` writes may set live ($) keys; clients may not.
   * Returns what changed (unchanged values are neither stored again nor announced).
   */
  write(values: Record<string, string> | readonly Entry[], options: { system?: boolean } = {}): Change[] {
    const given: Entry[] = Array.isArray(values) ? (values as Entry[]) : Object.entries(values as Record<string, string>);
    if (!options.system && given.length > this.limits.maxKeysPerWrite) {
      throw new RegistryError([{ key: "", reason: `a write takes at most ${this.limits.maxKeysPerWrite} keys at once (this one has ${given.length})` }]);
    }
    const problems: Problem[] = [];
    const wanted = new Map<string, Entry>(); // canonical -> [key, value]; the last one given wins
    for (const [key, value] of given) {
      const problem = this.problemWith(key, value, options.system === true);
      if (problem) problems.push({ key: String(key), reason: problem });
      else wanted.set(canonical(key), [key, value]);
    }
    const changes = problems.length ? [] : this.changesFor(wanted, problems);
    if (problems.length) throw new RegistryError(problems);
    if (!changes.length) return [];
    this.commit(changes);
    return changes.map(([key, value]) => ({ key, value }));
  }

  /**
   * Sets a value that changes often (a counter, a usage meter): visible at once, on flash within
   * the flush interval. Watchers hear of it only when `announce` is true.
   */
  setCoalesced(key: string, value: string, announce = false): void {
    const problem = keyProblem(key);
    if (problem) throw new RegistryError([{ key, reason: problem }]);
    this.coalesce(canonical(key), key, value, announce);
  }

  /**
   * A key checked once, for values set many times a second (an input's counter): each `set` is
   * `setCoalesced` without the checks of the key.
   */
  slot(key: string): CoalescedKey {
    const problem = keyProblem(key);
    if (problem) throw new RegistryError([{ key, reason: problem }]);
    return new CoalescedKey(this, canonical(key), key);
  }

  /** @internal `setCoalesced` once the key is checked (CoalescedKey) */
  coalesce(k: string, key: string, value: string, announce: boolean): void {
    if (value.length > this.limits.maxValueBytes) throw new RegistryError([{ key, reason: "value too long" }]); // (UTF-16 units: a cheap first check)
    if ((this.entries.value(k) ?? "") === value) return;
    const spelled = this.apply(k, key, value);
    this.pending.set(k, [spelled, value]);
    this.flushTimer ??= this.host.timers.after(this.flushIntervalMs, () => {
      this.flushTimer = undefined;
      this.flushSafely();
    });
    if (announce) this.announce([{ key: spelled, value }]);
  }

  /** Puts coalesced values on flash now (before a planned restart, say). */
  flush(): void {
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
    if (!this.pending.size) return;
    this.append([...this.pending.values()]);
    this.pending.clear();
    if (this.journalBytes > this.journalLimit) this.compactSafely();
  }

  /** Flushes and stops the flush timer. */
  close(): void {
    this.flushSafely();
    this.flushTimer?.cancel();
    this.flushTimer = undefined;
  }

  // --- live values and watching -------------------------------------------------------------------

  /** Serves live ($) values from `source`; a source added earlier wins a key both serve. */
  provide(source: LiveValues): void {
    if (!this.sources.includes(source)) this.sources.push(source);
  }

  /** Tells watchers that the live value `key` (spelled as its source spells it) changed. */
  notify(key: string): void {
    this.announce([{ key, value: this.get(key) ?? "" }]);
  }

  /** Calls `fn` with the changes under `prefix` ("" = all); returns a function that stops it. */
  watch(prefix: string, fn: Watcher): () => void {
    const entry = { prefix: canonical(prefix.replace(/\/+$/, "")), fn };
    this.watchers.push(entry);
    return () => {
      const i = this.watchers.indexOf(entry);
      if (i >= 0) this.watchers.splice(i, 1);
    };
  }

  // --- internals ----------------------------------------------------------------------------------

  private problemWith(key: string, value: string, system: boolean): string | undefined {
    if (typeof key !== "string") return "a key must be a string";
    const kp = keyProblem(key);
    if (kp) return kp;
    if (typeof value !== "string") return "values are strings";
    if (!system && isLive(key)) return "a live value ($) cannot be written";
    if (utf8Length(value) > this.limits.maxValueBytes) return `a value is at most ${this.limits.maxValueBytes} bytes`;
    return system && isLive(key) ? undefined : this.schema.check(key, value);
  }

  /** The entries that change something, checked against the size limits. */
  private changesFor(wanted: Map<string, Entry>, problems: Problem[]): Entry[] {
    const changes: Entry[] = [];
    let keys = this.entries.size;
    let bytes = this.bytes;
    for (const [k, [key, value]] of wanted) {
      const current = this.entries.value(k);
      if ((current ?? "") === value) continue;
      const spelled = this.entries.spelling(k) ?? key;
      if (current !== undefined) {
        keys--;
        bytes -= utf8Length(spelled) + utf8Length(current);
      }
      if (value !== "") {
        keys++;
        bytes += utf8Length(spelled) + utf8Length(value);
      }
      changes.push([spelled, value]);
    }
    if (keys > this.limits.maxKeys) problems.push({ key: "", reason: `the registry holds at most ${this.limits.maxKeys} keys (this write would make ${keys})` });
    if (bytes > this.limits.maxTotalBytes) problems.push({ key: "", reason: `the registry holds at most ${this.limits.maxTotalBytes} bytes of keys and values (this write would make ${bytes})` });
    return changes;
  }

  private commit(changes: Entry[]): void {
    this.append(changes); // on flash first: if this throws, nothing changed
    for (const [key, value] of changes) {
      const k = canonical(key);
      this.apply(k, key, value);
      this.pending.delete(k);
    }
    this.announce(changes.map(([key, value]) => ({ key, value })));
    if (this.journalBytes > this.journalLimit) this.compactSafely();
  }

  /** Sets or removes (`value` "") the entry `k`; returns the key as stored (its first spelling). */
  private apply(k: string, key: string, value: string): string {
    const current = this.entries.value(k);
    if (current !== undefined) this.bytes -= utf8Length(current);
    if (value === "") {
      const spelled = this.entries.spelling(k) ?? key;
      if (current !== undefined) {
        this.bytes -= utf8Length(spelled);
        this.entries.delete(k);
      }
      return spelled;
    }
    if (current === undefined) this.bytes += utf8Length(key);
    this.bytes += utf8Length(value);
    return this.entries.set(k, key, value);
  }

  private append(entries: Entry[]): void {
    if (this.journalBroken) this.compact();
    const record = encodeRecord(this.seq + 1, entries);
    try {
      this.host.files.append(this.journalPath, record);
    } catch (e) {
      // part of the record may be on flash: appending after it would hide later records at boot
      this.journalBroken = true;
      throw e;
    }
    this.seq++;
    this.journalBytes += record.length;
    this.counters.appends++;
    this.counters.appendedBytes += record.length;
  }

  /** Writes everything into a new snapshot and starts an empty journal. */
  private compact(): void {
    const snapshot = encodeSnapshot(this.seq, (visit) => this.entries.forEach(visit));
    this.host.files.write(this.snapshotPath, snapshot); // atomic: the old snapshot or this one
    this.host.files.remove(this.journalPath); // its records are all in the snapshot (seq says so)
    this.pending.clear();
    this.journalBytes = 0;
    this.journalBroken = false;
    this.counters.compactions++;
    this.counters.appendedBytes += snapshot.length;
  }

  private compactSafely(): void {
    try {
      this.compact();
    } catch (e) {
      this.host.log("error", "registry: compaction failed: " + (e as Error).message);
    }
  }

  private flushSafely(): void {
    try {
      this.flush();
    } catch (e) {
      this.host.log("error", "registry: could not save counters and meters: " + (e as Error).message);
    }
  }

  private announce(changes: Change[]): void {
    for (const w of this.watchers.slice()) {
      const mine = w.prefix === "" ? changes : changes.filter((c) => {
        const k = canonical(c.key);
        return k === w.prefix || k.startsWith(w.prefix + "/");
      });
      if (!mine.length) continue;
      try {
        w.fn(mine);
      } catch (e) {
        this.host.log("error", "registry: a watcher failed: " + (e as Error).message);
      }
    }
  }

  /** Boot: the snapshot, then the journal records after it, up to the first bad one. */
  private load(): void {
    const text = this.host.text;
    const snapshotBytes = this.host.files.read(this.snapshotPath);
    if (snapshotBytes) {
      const seq = readSnapshot(text, snapshotBytes, (key, value) => this.apply(canonical(key), key, value));
      if (seq !== undefined) this.seq = seq;
      else {
        this.entries.clear();
        this.bytes = 0;
        this.host.log("error", "registry: the snapshot is corrupt; starting from the journal");
      }
    }
    const journal = this.host.files.read(this.journalPath);
    if (!journal) return;
    const validBytes = readJournal(text, journal, (seq, entries) => {
      if (seq <= this.seq) return; // already in the snapshot (a compaction was cut short)
      if (seq !== this.seq + 1) this.host.log("warn", `registry: journal resumes at record ${seq} after ${this.seq}`);
      for (const [key, value] of entries) this.apply(canonical(key), key, value);
      this.seq = seq;
      this.counters.replayed++;
    });
    this.journalBytes = validBytes;
    if (validBytes < journal.length) {
      this.counters.discardedBytes = journal.length - validBytes;
      this.host.log("warn", `registry: discarded ${journal.length - validBytes} bytes of an unfinished write at the end of the journal`);
      this.journalBroken = true;
    }
    if (this.journalBroken || this.journalBytes > this.journalLimit) this.compactSafely();
  }
}

/** A key checked once, set many times (Registry.slot). */
export class CoalescedKey {
  constructor(
    private readonly registry: Registry,
    private readonly k: string,
    private readonly key: string,
  ) {}

  set(value: string): void {
    this.registry.coalesce(this.k, this.key, value, false);
  }
}
