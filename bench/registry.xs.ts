/** Steps metered on XS: building a 1,000-key registry, and booting (replaying) it. */
import { Registry } from "../src/registry/registry.ts";
import { MemoryFlash } from "../sim/memory-files.ts";
import { MemoryHost } from "../sim/memory-host.ts";

export const KEYS = 1000;
let flash: MemoryFlash;
let booted: Registry | undefined;

export function build(): MemoryFlash {
  const f = new MemoryFlash();
  const registry = new Registry(new MemoryHost({ flash: f }), { limits: { maxTotalBytes: 64 * 1024 } });
  for (let i = 0; i < KEYS; i += 10) {
    const group: Record<string, string> = {};
    for (let k = i; k < i + 10; k++) group[`AppData/Node${k % 20}/Key${k}`] = "value " + k;
    registry.write(group);
  }
  return f;
}

const steps: [string, () => void][] = [
  ["build", () => void (flash = build())],
  [
    "boot",
    () => {
      booted = new Registry(new MemoryHost({ flash }));
      if (booted.stats.keys !== KEYS) throw new Error("replayed " + booted.stats.keys);
    },
  ],
];
export default steps;
