/**
 * The registry: boot replay time for 1,000 keys (Node and XS), the latency of a durable write on
 * real files (write + fsync), and flash wear from a busy input whose counter is coalesced.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Registry } from "../src/registry/registry.ts";
import { SimBoard } from "../sim/board.ts";
import { MemoryFlash } from "../sim/memory-files.ts";
import { MemoryHost } from "../sim/memory-host.ts";
import { NodeHost } from "../hosts/node/host.ts";
import { build, KEYS } from "./registry.xs.ts";
import type { Row } from "./table.ts";
import { meterOnXs } from "./xs.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<Row[]> {
  const rows: Row[] = [];
  const flash = build();
  const bootMs = median(
    Array.from({ length: 15 }, () => {
      const t = performance.now();
      new Registry(new MemoryHost({ flash }));
      return performance.now() - t;
    }),
  );
  const snapshot = flash.files.get("registry/snapshot")?.length ?? 0;
  const journal = flash.files.get("registry/journal")?.length ?? 0;
  rows.push({ bench: "registry", measure: `boot replay, ${KEYS} keys (snapshot ${(snapshot / 1024).toFixed(1)} KB + journal ${(journal / 1024).toFixed(1)} KB), Node`, value: bootMs.toFixed(2) + " ms" });
  const xs = await meterOnXs(new URL("./registry.xs.ts", import.meta.url).pathname);
  rows.push({ bench: "registry", measure: `boot replay, ${KEYS} keys, XS (xsnap)`, value: xs["boot"]!.ms.toFixed(1) + " ms", note: `${xs["boot"]!.compute} compute` });

  // durable writes on real files: append + fsync per write (this machine's disk; flash differs)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-regbench-"));
  const registry = new Registry(new NodeHost({ dataDir: dir, board: new SimBoard({ inputs: [], outputs: [] }), unitId: "b", logSink: () => {} }));
  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    registry.write({ ["AppData/k" + (i % 20)]: "value " + i });
    latencies.push(performance.now() - t);
  }
  rows.push({ bench: "registry", measure: "durable write (append + fsync), Node host on this disk", value: median(latencies).toFixed(2) + " ms", note: "p50 of 200" });

  // wear: an input counting 100 edges/s for one virtual hour, its counter coalesced (30 s window)
  const wearFlash = new MemoryFlash();
  const host = new MemoryHost({ flash: wearFlash });
  const busy = new Registry(host, { flushIntervalMs: 30_000 });
  let count = 0;
  const ticker = host.timers.every(10, () => busy.setCoalesced("IO/Inputs/din1/$Count", String(++count)));
  host.clock.advance(3_600_000);
  ticker.cancel();
  const stats = busy.stats;
  rows.push({
    bench: "registry",
    measure: "flash wear, a busy input (100 counts/s) for 1 h",
    value: `${stats.appends} appends, ${(stats.appendedBytes / 1024).toFixed(1)} KB`,
    baseline: `${count} counts`,
    note: `${stats.compactions} compactions; 30 s coalescing window`,
  });
  return rows;
}
