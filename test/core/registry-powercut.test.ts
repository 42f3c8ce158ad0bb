/**
 * Power cuts at random points during a stream of writes (the memory flash tears the append it
 * strikes, leaving a prefix and garbage). After every cut, the rebooted registry must hold every
 * acknowledged write, and the interrupted group either whole or not at all: nothing half-written,
 * nothing corrupt. Compactions happen along the way (a small journal limit), so cuts strike them too.
 */
import { fingerprint, test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import type { Entry } from "../../src/registry/format.ts";
import { Registry } from "../../src/registry/registry.ts";
import { MemoryFlash, PowerCut } from "../../sim/memory-files.ts";
import { MemoryHost } from "../../sim/memory-host.ts";
import { Prng } from "../../sim/prng.ts";

export const TRIALS = 400;
const NAMES = Array.from({ length: 24 }, (_, i) => `AppData/Node${i % 4}/Key${i}`);

/** The registry as a map: lower-cased key -> [spelling, value]. */
type Model = Map<string, Entry>;

function applyGroup(model: Model, group: Entry[]): void {
  const seen = new Map<string, Entry>();
  for (const e of group) seen.set(e[0].toLowerCase(), e); // the last one given wins
  for (const [k, [key, value]] of seen) {
    if (value === "") model.delete(k);
    else model.set(k, [model.get(k)?.[0] ?? key, value]);
  }
}

function randomGroup(prng: Prng, serial: number): Entry[] {
  const n = 1 + prng.below(4);
  const group: Entry[] = [];
  for (let i = 0; i < n; i++) {
    let key = NAMES[prng.below(NAMES.length)]!;
    if (prng.below(3) === 0) key = key.toUpperCase(); // another spelling of the same key
    const value = prng.below(5) === 0 ? "" : `v${serial}-${i}-` + "x".repeat(prng.below(60));
    group.push([key, value]);
  }
  return group;
}

function same(actual: Entry[], model: Model): boolean {
  if (actual.length !== model.size) return false;
  for (const [key, value] of actual) {
    const m = model.get(key.toLowerCase());
    if (!m || m[0] !== key || m[1] !== value) return false;
  }
  return true;
}

function trial(seed: number): { cut: boolean; writes: number; torn: boolean } {
  const prng = new Prng(seed);
  const flash = new MemoryFlash(seed);
  const options = { journalLimit: 200 + prng.below(1500) };
  let registry = new Registry(new MemoryHost({ flash }), options);
  const model: Model = new Map();
  // some history first, then a cut somewhere in the next few thousand bytes
  for (let i = 0; i < prng.below(20); i++) {
    const g = randomGroup(prng, i);
    registry.write(g);
    applyGroup(model, g);
  }
  flash.cutAfter(prng.below(6000));
  let interrupted: Entry[] | undefined;
  let writes = 0;
  for (let i = 100; i < 400 && !interrupted; i++) {
    const g = randomGroup(prng, i);
    try {
      registry.write(g);
      applyGroup(model, g); // acknowledged
      writes++;
    } catch (e) {
      if (!(e instanceof PowerCut)) throw e;
      interrupted = g;
    }
  }
  if (!flash.isCut) return { cut: false, writes, torn: false };
  flash.restore();
  registry = new Registry(new MemoryHost({ flash }), options);
  const actual = registry.stored();
  const withInterrupted: Model = new Map(model);
  if (interrupted) applyGroup(withInterrupted, interrupted);
  const before = same(actual, model);
  const after = interrupted !== undefined && same(actual, withInterrupted);
  assert.ok(before || after, `seed ${seed}: after the cut the registry is neither the acknowledged state nor that plus the interrupted group`);
  // and it keeps working: a write after the reboot survives the next one
  registry.write([["AppData/after", "reboot " + seed]]);
  assert.equal(new Registry(new MemoryHost({ flash }), options).get("AppData/after"), "reboot " + seed);
  return { cut: true, writes, torn: after && !before };
}

test(`${TRIALS} random power cuts: every acknowledged write survives, the interrupted group is all or nothing`, () => {
  let cuts = 0;
  let applied = 0;
  let acknowledged = 0;
  for (let seed = 1; seed <= TRIALS; seed++) {
    const r = trial(seed);
    if (r.cut) cuts++;
    if (r.torn) applied++;
    acknowledged += r.writes;
  }
  assert.ok(cuts > TRIALS * 0.9, `the cut struck in ${cuts} of ${TRIALS} trials`);
  assert.ok(applied > 0 && applied < cuts, `an interrupted group sometimes made it whole (${applied} times), mostly not`);
  fingerprint("registry-powercut", `${cuts}/${applied}/${acknowledged}`);
});
