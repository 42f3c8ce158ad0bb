/** Steps metered on XS: input transitions through the whole pipeline, debounce 0. */
import { findBoard } from "../src/boards.ts";
import { Io } from "../src/io/io.ts";
import { Registry } from "../src/registry/registry.ts";
import { MemoryHost } from "../sim/memory-host.ts";

export const TRANSITIONS = 20_000;
let host: MemoryHost;
let io: Io;
let heard = 0;

export function setup(): { host: MemoryHost; io: Io } {
  const board = findBoard("jnior-410")!;
  host = new MemoryHost({ layout: board });
  const registry = new Registry(host);
  registry.write({ "IO/Inputs/din1/Debounce": "0" });
  io = new Io(host, registry, board);
  io.onChange(() => void heard++); // a protocol's listener: it reads nothing, so this is the pipeline's cost
  return { host, io };
}

/** The same drive with no pipeline behind the pin: the cost of the virtual clock and board alone. */
export function setupBare(): void {
  host = new MemoryHost({ layout: findBoard("jnior-410")! });
  host.pins.input(1, {}, { edge: () => void heard++ });
}

/** Drives `n` transitions on input 1, 1 ms apart in virtual time, as fast as the engine runs them. */
export function drive(n: number, check = true): void {
  for (let i = 0; i < n; i++) {
    host.clock.advance(1);
    host.board.setInput(1, (i & 1) === 0 ? 1 : 0);
  }
  if (check && io.inputs[0]!.count < n / 2) throw new Error("transitions were lost: count " + io.inputs[0]!.count);
}

const steps: [string, () => void][] = [
  ["bare setup", setupBare],
  ["bare", () => drive(TRANSITIONS, false)],
  ["setup", () => void setup()],
  ["transitions", () => drive(TRANSITIONS)],
];
export default steps;
