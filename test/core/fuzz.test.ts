/**
 * A short fuzz pass over every target, on Node and on XS: the corpus and a thousand mutated,
 * generated and random inputs each. The long runs are `npm run fuzz` (README, "Fuzzing").
 */
import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { fuzz, printable } from "./fuzz/engine.ts";
import { FUZZ_TARGETS } from "./fuzz/targets.ts";

const COUNT = 1000;

for (const target of FUZZ_TARGETS) {
  test(`fuzz ${target.name}: the corpus and ${COUNT} inputs break no rule`, async () => {
    const r = await fuzz(target, { count: COUNT, seed: 2026, checkEvery: 250 });
    if (r.failure) assert.fail(`input ${r.failure.index} (${printable(r.failure.input, 300)}): ${r.failure.error}`);
    assert.equal(r.inputs, COUNT);
    assert.ok(r.made.seed === target.seeds.length && r.made.mutated > COUNT / 2 && r.made.generated > 0, JSON.stringify(r.made));
  });
}
