/** The benchmark report: rows of figures, printed as an aligned table. */
export interface Row {
  bench: string;
  measure: string;
  value: string;
  baseline?: string;
  ratio?: string;
  note?: string;
}

export function printTable(rows: Row[]): void {
  const cols: (keyof Row)[] = ["bench", "measure", "value", "baseline", "ratio", "note"];
  const head: Row = { bench: "bench", measure: "measure", value: "iobox", baseline: "baseline", ratio: "ratio", note: "" };
  const all = [head, ...rows];
  const width = (c: keyof Row): number => Math.max(...all.map((r) => (r[c] ?? "").length));
  for (const r of all) process.stdout.write(cols.map((c) => (r[c] ?? "").padEnd(width(c))).join("  ").trimEnd() + "\n");
}

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns operations per second. */
export function opsPerSecond(fn: () => void, ms = 500): number {
  const warm = performance.now();
  while (performance.now() - warm < ms / 5) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 16; i++) fn();
    n += 16;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}
