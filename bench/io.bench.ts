/**
 * How many input transitions per second the core processes, with debounce 0 (JNIOR's figure is
 * ~1,800 per second per input, janos.md §6.3), on Node and on XS. Each transition goes through
 * inversion, latching, counting, the usage meter and conditioning, and reaches a change listener.
 */
import { drive, setup, TRANSITIONS } from "./io.xs.ts";
import type { Row } from "./table.ts";
import { meterOnXs } from "./xs.ts";

export async function run(): Promise<Row[]> {
  setup();
  drive(2000); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    setup();
    const t = performance.now();
    drive(TRANSITIONS);
    rates.push(TRANSITIONS / ((performance.now() - t) / 1000));
  }
  rates.sort((a, b) => a - b);
  const xs = await meterOnXs(new URL("./io.xs.ts", import.meta.url).pathname);
  const step = xs["transitions"]!;
  const bare = xs["bare"]!;
  const pipeline = ((step.compute ?? 0) - (bare.compute ?? 0)) / TRANSITIONS;
  return [
    { bench: "io", measure: "input transitions/s, debounce 0, Node", value: Math.round(rates[2]!).toLocaleString("en"), baseline: "1,800 JNIOR", ratio: (rates[2]! / 1800).toFixed(0) + "x" },
    {
      bench: "io",
      measure: "input transitions/s, debounce 0, XS (xsnap)",
      value: Math.round(TRANSITIONS / (step.ms / 1000)).toLocaleString("en"),
      baseline: "1,800 JNIOR",
      ratio: (TRANSITIONS / (step.ms / 1000) / 1800).toFixed(0) + "x",
      note: `${Math.round(pipeline)} XS compute per transition in the pipeline (+${Math.round((bare.compute ?? 0) / TRANSITIONS)} for the simulated clock and pin)`,
    },
  ];
}
