/**
 * The I/O registry keys (janos.md §6.3, §6.4), defined for the board's channel counts. Names JANOS
 * documents keep its spelling; where janos.md marks names UNCONFIRMED (latching, the counted state,
 * the counter and the millisecond meter) iobox chooses them, and this list is the reference.
 */
import type { BoardProfile } from "../boards.ts";
import { keyTable, type KeySpec, type Schema } from "../registry/schema.ts";

/** The channel counts the I/O patterns range over: the board's inputs and relays. */
export const INPUT_CHANNELS = "inputs";
export const OUTPUT_CHANNELS = "outputs";

const LEVEL = ["0", "1"] as const;
const input = (name: string, spec: Omit<KeySpec, "pattern" | "channels">): KeySpec => ({ pattern: "IO/Inputs/din{n}/" + name, channels: INPUT_CHANNELS, ...spec });
const output = (name: string, spec: Omit<KeySpec, "pattern" | "channels">): KeySpec => ({ pattern: "IO/Outputs/rout{n}/" + name, channels: OUTPUT_CHANNELS, ...spec });

export const IO_KEYS = keyTable(
  [
    input("Desc", { type: "string", max: 32, default: "Digital Input {n}", description: "Label shown by the web UI." }),
    input("OnDesc", { type: "string", max: 16, default: "On", description: "Label of the on state." }),
    input("OffDesc", { type: "string", max: 16, default: "Off", description: "Label of the off state." }),
    input("Inversion", { type: "boolean", default: "false", description: "Invert the sampled signal: everything after sees the inverted state." }),
    input("Debounce", { type: "integer", min: 0, max: 60_000, default: "200", unit: "ms", description: "How long a new level must hold before it counts; 0 = off." }),
    input("Latching/Enabled", { type: "boolean", default: "false", description: "Latch: hold the latched state until Reset Latch (or the reset time). Catches pulses shorter than the debounce." }),
    input("Latching/State", { type: "enum", values: LEVEL, default: "1", description: "The state that latches (1 = on, 0 = off)." }),
    input("Latching/ResetTime", { type: "integer", min: 0, max: 86_400_000, default: "0", unit: "ms", description: "Release the latch after this long; 0 = hold until Reset Latch." }),
    input("CountState", { type: "enum", values: LEVEL, default: "1", description: "The counter counts transitions into this state." }),
    input("UsageState", { type: "enum", values: LEVEL, default: "1", description: "The usage meter counts time in this state." }),
    input("Conditioning", { type: "enum", values: ["0", "1", "2", "3"], default: "0", description: "Applied just before reporting: 0 normal, 1 inverted, 2 forced off, 3 forced on." }),
    output("Desc", { type: "string", max: 32, default: "Relay Output {n}", description: "Label shown by the web UI." }),
    output("OnDesc", { type: "string", max: 16, default: "Closed", description: "Label of the closed state." }),
    output("OffDesc", { type: "string", max: 16, default: "Open", description: "Label of the open state." }),
    output("InitialState", {
      type: "integer",
      min: -1,
      max: 86_400_000,
      unit: "ms",
      description: "At boot: a positive value pulses the relay closed for that many ms, 0 closes it, unset or -1 leaves it open.",
    }),
    output("UsageState", { type: "enum", values: LEVEL, default: "1", description: "The usage meter counts time in this state (1 = closed)." }),
  ],
  { node: "IO", owner: "the I/O service" },
);

/** Defines the I/O keys for `profile`'s channels (idempotent); the IO node refuses any other key. */
export function defineIoKeys(schema: Schema, profile: BoardProfile): void {
  schema.define(IO_KEYS).setChannels(INPUT_CHANNELS, profile.inputs.length).setChannels(OUTPUT_CHANNELS, profile.outputs.length);
}

/** The registry key of a channel's setting: `IO/Inputs/din3/Debounce`. */
export function inputKey(index: number, name: string): string {
  return `IO/Inputs/din${index + 1}/${name}`;
}

export function outputKey(index: number, name: string): string {
  return `IO/Outputs/rout${index + 1}/${name}`;
}
