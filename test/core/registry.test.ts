import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { keyProblem, parseBoolean, REGISTRY_LIMITS } from "../../src/registry/keys.ts";
import { Registry, RegistryError, type Change } from "../../src/registry/registry.ts";
import { keyTable } from "../../src/registry/schema.ts";
import { MemoryFlash } from "../../sim/memory-files.ts";
import { MemoryHost } from "../../sim/memory-host.ts";

const IO_KEYS = keyTable(
  [
  { pattern: "IO/Inputs/din{n}/Debounce", type: "integer", default: "200", min: 0, max: 60000, channels: "inputs", unit: "ms", description: "debounce" },
  { pattern: "IO/Inputs/din{n}/Inversion", type: "boolean", default: "false", channels: "inputs", description: "invert" },
  { pattern: "IO/Inputs/din{n}/Conditioning", type: "enum", values: ["0", "1", "2", "3"], default: "0", channels: "inputs", description: "conditioning" },
  { pattern: "IO/Inputs/din{n}/Desc", type: "string", max: 16, channels: "inputs", description: "label" },
  ],
  { node: "IO", owner: "the I/O service" },
);

function boot(flash = new MemoryFlash(), options: ConstructorParameters<typeof Registry>[1] = {}): { host: MemoryHost; registry: Registry; flash: MemoryFlash } {
  const host = new MemoryHost({ flash });
  const registry = new Registry(host, options);
  registry.schema.define(IO_KEYS).setChannels("inputs", 8);
  return { host, registry, flash };
}

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RegistryError, "a RegistryError, got " + String(e));
    return e.message;
  }
  return assert.fail("expected a RegistryError");
}

test("keys: paths of printable elements; limits on length and depth; $ only at the end", () => {
  assert.equal(keyProblem("IO/Inputs/din1/Debounce"), undefined);
  assert.equal(keyProblem("AppData/My App/level 2"), undefined);
  assert.equal(keyProblem("IO/Inputs/din1/$HourMeter"), undefined);
  assert.match(keyProblem("")!, /non-empty/);
  assert.match(keyProblem("/IO")!, /empty path element/);
  assert.match(keyProblem("IO//x")!, /empty path element/);
  assert.match(keyProblem("IO/x/")!, /empty path element/);
  assert.match(keyProblem("a/ b")!, /space/);
  assert.match(keyProblem("a=b")!, /printable ASCII other than/);
  assert.match(keyProblem("a/é")!, /printable ASCII/);
  assert.match(keyProblem("$x/y")!, /only the last element/);
  assert.match(keyProblem("x".repeat(129))!, /at most 128 characters/);
  assert.match(keyProblem("a/b/c/d/e/f/g/h/i")!, /at most 8 elements/);
  assert.match(keyProblem("x".repeat(33))!, /at most 32 characters/);
});

test("booleans accept the words JANOS and its clients use", () => {
  for (const t of ["1", "on", "YES", "true", "Enable", "enabled"]) assert.equal(parseBoolean(t), true, t);
  for (const f of ["0", "off", "No", "FALSE", "disable", "disabled"]) assert.equal(parseBoolean(f), false, f);
  assert.equal(parseBoolean("maybe"), undefined);
});

test("case-insensitive and case-preserving: the first spelling stays", () => {
  const { registry } = boot();
  registry.write({ "AppData/MyApp/Level": "1" });
  registry.write({ "appdata/myapp/level": "2" });
  assert.equal(registry.get("APPDATA/MYAPP/LEVEL"), "2");
  assert.deepEqual(registry.stored(), [["AppData/MyApp/Level", "2"]]);
  assert.deepEqual(Object.fromEntries(registry.read(["appdata/myapp/LEVEL"])), { "appdata/myapp/LEVEL": "2" }, "answered as asked");
});

test("unset keys read as their default; reads of unknown or invalid keys give an empty string", () => {
  const { registry } = boot();
  assert.equal(registry.get("IO/Inputs/din3/Debounce"), "200");
  assert.equal(registry.get("io/inputs/DIN3/debounce"), "200");
  assert.equal(registry.get("IO/Inputs/din9/Debounce"), undefined, "no din9 on this board");
  assert.equal(registry.get("AppData/Missing"), undefined);
  assert.deepEqual(Object.fromEntries(registry.read(["IO/Inputs/din1/Debounce", "AppData/Missing", "bad//key"])), { "IO/Inputs/din1/Debounce": "200", "AppData/Missing": "", "bad//key": "" });
});

test("values are validated against the schema with a clear reason; a write of empty removes", () => {
  const { registry } = boot();
  assert.match(refused(() => registry.write({ "IO/Inputs/din1/Debounce": "fast" })), /IO\/Inputs\/din1\/Debounce: must be an integer from 0 to 60000 \(got "fast"\)/);
  assert.match(refused(() => registry.write({ "IO/Inputs/din1/Debounce": "60001" })), /from 0 to 60000/);
  assert.match(refused(() => registry.write({ "IO/Inputs/din1/Inversion": "sometimes" })), /must be true or false/);
  assert.match(refused(() => registry.write({ "IO/Inputs/din1/Conditioning": "4" })), /must be one of 0, 1, 2, 3/);
  assert.match(refused(() => registry.write({ "IO/Inputs/din1/Desc": "x".repeat(17) })), /at most 16 characters/);
  assert.match(refused(() => registry.write({ "IO/Inputs/din9/Debounce": "5" })), /IO\/Inputs\/din9\/Debounce: not a key the I\/O service defines/);
  assert.match(refused(() => registry.write({ "IO/Typo": "5" })), /not a key the I\/O service defines/);
  registry.write({ "IO/Inputs/din1/Debounce": "50", "IO/Inputs/din1/Inversion": "enabled" });
  assert.equal(registry.get("IO/Inputs/din1/Debounce"), "50");
  registry.write({ "IO/Inputs/din1/Debounce": "" });
  assert.equal(registry.get("IO/Inputs/din1/Debounce"), "200", "back to the default");
  assert.deepEqual(registry.stored(), [["IO/Inputs/din1/Inversion", "enabled"]]);
});

test("a group write is atomic: one bad key and nothing changes; every problem is reported", () => {
  const { registry } = boot();
  registry.write({ "AppData/a": "1" });
  const message = refused(() => registry.write({ "AppData/a": "2", "IO/Inputs/din1/Debounce": "x", "AppData/$live": "y", "": "z" }));
  assert.match(message, /IO\/Inputs\/din1\/Debounce: must be an integer/);
  assert.match(message, /AppData\/\$live: a live value \(\$\) cannot be written/);
  assert.match(message, /non-empty/);
  assert.equal(registry.get("AppData/a"), "1");
});

/** A source of one live key, as services write them. */
function liveKey(key: string, fn: () => string) {
  return { liveValue: (k: string) => (k === key.toLowerCase() ? fn() : undefined), liveKeys: () => [key] };
}

test("live ($) keys are computed by their source; clients cannot write them, services can", () => {
  const { registry } = boot();
  let n = 1;
  registry.provide(liveKey("$Uptime", () => String(n++)));
  assert.equal(registry.get("$uptime"), "1");
  assert.equal(registry.get("$Uptime"), "2");
  assert.match(refused(() => registry.write({ "$Uptime": "0" })), /live value/);
  registry.write({ "IO/Inputs/din1/$HourMeter": "1.25" }, { system: true });
  assert.equal(registry.get("IO/Inputs/din1/$HourMeter"), "1.25");
  // a key no source serves reads as stored; a source added first wins a key two serve
  registry.provide(liveKey("$Uptime", () => "second"));
  assert.equal(registry.get("$Uptime"), "3");
});

test("limits: value size, key count and total size refuse the write and change nothing", () => {
  const { registry } = boot(new MemoryFlash(), { limits: { maxKeys: 5, maxTotalBytes: 200 } });
  assert.match(refused(() => registry.write({ "AppData/big": "x".repeat(REGISTRY_LIMITS.maxValueBytes + 1) })), /at most 1024 bytes/);
  registry.write({ "AppData/1": "a", "AppData/2": "b", "AppData/3": "c", "AppData/4": "d", "AppData/5": "e" });
  assert.match(refused(() => registry.write({ "AppData/6": "f" })), /at most 5 keys \(this write would make 6\)/);
  registry.write({ "AppData/5": "", "AppData/6": "f" }); // a removal makes room in the same group
  assert.match(refused(() => registry.write({ "AppData/1": "y".repeat(190) })), /at most 200 bytes of keys and values/);
  assert.deepEqual(registry.stored().map(([k]) => k), ["AppData/1", "AppData/2", "AppData/3", "AppData/4", "AppData/6"]);
  assert.equal(registry.get("AppData/1"), "a");
});

test("a client's write takes at most maxKeysPerWrite keys (the device: 48); the unit's own writes are not bounded", () => {
  const { registry } = boot(new MemoryFlash(), { limits: { maxKeysPerWrite: 3 } });
  const keys = (n: number, v: string): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`AppData/k${i}`, v]));
  registry.write(keys(3, "a"));
  assert.match(refused(() => registry.write(keys(4, "b"))), /a write takes at most 3 keys at once \(this one has 4\)/);
  assert.equal(registry.get("AppData/k0"), "a", "nothing of it applied");
  registry.write(keys(10, "c"), { system: true });
  assert.equal(registry.get("AppData/k9"), "c");
});

test("list gives the keys and sub-nodes directly under a node, spelled as stored; defaults on request", () => {
  const { registry } = boot();
  registry.write({ "AppData/Zeta": "1", "AppData/alpha": "2", "AppData/Sub/x": "3", "AppData/sub/y": "4", "Other/z": "5" });
  registry.provide(liveKey("AppData/$Live", () => "v"));
  assert.deepEqual(registry.list("AppData"), { keys: ["$Live", "alpha", "Zeta"], nodes: ["Sub"] });
  assert.deepEqual(registry.list("appdata/"), registry.list("AppData"));
  assert.deepEqual(registry.list(""), { keys: [], nodes: ["AppData", "Other"] });
  assert.deepEqual(registry.list("IO/Inputs/din2", { defaults: true }).keys, ["Conditioning", "Debounce", "Inversion"]);
  assert.deepEqual(registry.list("IO/Inputs", { defaults: true }).nodes.length, 8);
  assert.deepEqual(registry.list("nothing/here"), { keys: [], nodes: [] });
});

test("watchers hear the changes under their prefix, once per write; a failing watcher is logged, not fatal", () => {
  const { host, registry } = boot();
  const seen: Change[][] = [];
  const stop = registry.watch("IO/Inputs/din1", (c) => seen.push([...c]));
  registry.watch("", () => {
    throw new Error("bad watcher");
  });
  registry.write({ "IO/Inputs/din1/Debounce": "10", "IO/Inputs/din2/Debounce": "20", "AppData/x": "1" });
  registry.write({ "io/inputs/din1/debounce": "10" }); // unchanged: no news
  registry.write({ "IO/Inputs/din1/Debounce": "" });
  assert.deepEqual(seen, [[{ key: "IO/Inputs/din1/Debounce", value: "10" }], [{ key: "IO/Inputs/din1/Debounce", value: "" }]]);
  assert.ok(host.logs.some((l) => /a watcher failed: bad watcher/.test(l.message)));
  stop();
  registry.write({ "IO/Inputs/din1/Debounce": "30" });
  assert.equal(seen.length, 2);
});

test("writes survive a reboot; the journal is replayed, then compacted into a snapshot past its limit", () => {
  const { registry, flash } = boot(new MemoryFlash(), { journalLimit: 300 });
  registry.write({ "AppData/a": "1", "AppData/B": "2" });
  registry.write({ "AppData/a": "" });
  assert.equal(registry.stats.compactions, 0);
  const again = boot(flash, { journalLimit: 300 }).registry;
  assert.deepEqual(again.stored(), [["AppData/B", "2"]]);
  assert.equal(again.stats.replayed, 2);
  for (let i = 0; i < 20; i++) again.write({ ["AppData/k" + i]: "v".repeat(10) });
  assert.ok(again.stats.compactions >= 1, "compacted");
  assert.ok(again.stats.journalBytes <= 300);
  assert.ok(flash.files.has("registry/snapshot"));
  const third = boot(flash, { journalLimit: 300 }).registry;
  assert.deepEqual(third.stored(), again.stored());
});

test("a torn journal tail is discarded at boot, logged, and compacted away so later writes are seen", () => {
  const flash = new MemoryFlash(5);
  const { registry } = boot(flash);
  registry.write({ "AppData/kept": "yes" });
  flash.cutAfter(10);
  assert.throws(() => registry.write({ "AppData/lost": "no" }), /power cut/);
  flash.restore();
  const after = boot(flash);
  assert.equal(after.registry.get("AppData/kept"), "yes");
  assert.equal(after.registry.get("AppData/lost"), undefined);
  assert.ok(after.registry.stats.discardedBytes > 0);
  assert.ok(after.host.logs.some((l) => /discarded \d+ bytes of an unfinished write/.test(l.message)));
  assert.equal(flash.files.get("registry/journal"), undefined, "compacted at boot");
  after.registry.write({ "AppData/later": "seen" });
  assert.equal(boot(flash).registry.get("AppData/later"), "seen");
});

test("a compaction cut short (snapshot written, journal not yet removed) replays nothing twice", () => {
  const flash = new MemoryFlash();
  const { registry } = boot(flash, { journalLimit: 1 << 20 });
  registry.write({ "AppData/x": "old" });
  const journal = flash.files.get("registry/journal")!.slice(); // record 1: x = old
  registry.write({ "AppData/x": "new", "AppData/y": "2" });
  // compact by hand, then put the old journal back: as if power failed before it was removed
  (registry as unknown as { compact(): void }).compact();
  flash.files.set("registry/journal", journal);
  const after = boot(flash).registry;
  assert.deepEqual(after.stored(), [["AppData/x", "new"], ["AppData/y", "2"]], "record 1 is older than the snapshot");
});

test("a corrupt snapshot is reported and the journal still applies", () => {
  const flash = new MemoryFlash();
  boot(flash).registry.write({ "AppData/x": "1" });
  flash.files.set("registry/snapshot", new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]));
  const after = boot(flash);
  assert.equal(after.registry.get("AppData/x"), "1");
  assert.ok(after.host.logs.some((l) => /the snapshot is corrupt/.test(l.message)));
});

test("coalesced values are live at once and reach flash together within the flush interval", () => {
  const flash = new MemoryFlash();
  const { host, registry } = boot(flash, { flushIntervalMs: 30_000 });
  const heard: Change[][] = [];
  registry.watch("", (c) => heard.push([...c]));
  for (let i = 1; i <= 100; i++) registry.setCoalesced("IO/Inputs/din1/$Count", String(i));
  registry.setCoalesced("IO/Inputs/din1/$HourMeter", "0.01", true);
  assert.equal(registry.get("IO/Inputs/din1/$Count"), "100");
  assert.deepEqual(heard, [[{ key: "IO/Inputs/din1/$HourMeter", value: "0.01" }]], "announced only when asked");
  const appendsBefore = registry.stats.appends;
  assert.equal(boot(flash).registry.get("IO/Inputs/din1/$Count"), undefined, "not on flash yet: a power cut now loses them");
  host.clock.advance(30_000);
  assert.equal(registry.stats.appends, appendsBefore + 1, "101 updates, one journal record");
  assert.equal(boot(flash).registry.get("IO/Inputs/din1/$Count"), "100");
});

test("close() flushes coalesced values; a normal write of the same key supersedes a pending one", () => {
  const flash = new MemoryFlash();
  const { registry } = boot(flash);
  registry.setCoalesced("AppData/$c", "5");
  registry.write({ "AppData/$c": "7" }, { system: true });
  registry.setCoalesced("AppData/$d", "1");
  registry.close();
  const after = boot(flash).registry;
  assert.equal(after.get("AppData/$c"), "7");
  assert.equal(after.get("AppData/$d"), "1");
});

test("a failed append leaves nothing applied, and the next write compacts first", () => {
  const flash = new MemoryFlash();
  const { registry } = boot(flash);
  registry.write({ "AppData/a": "1" });
  const append = registry["host" as keyof Registry] as unknown as { files: { append: (p: string, d: Uint8Array) => void } };
  const real = append.files.append.bind(append.files);
  append.files.append = (p, d) => {
    real(p, d.subarray(0, 5)); // a partial record, as a full disk would leave
    throw new Error("ENOSPC");
  };
  assert.throws(() => registry.write({ "AppData/b": "2" }), /ENOSPC/);
  assert.equal(registry.get("AppData/b"), undefined);
  append.files.append = real;
  registry.write({ "AppData/c": "3" });
  const after = boot(flash).registry;
  assert.deepEqual(after.stored(), [["AppData/a", "1"], ["AppData/c", "3"]]);
});
