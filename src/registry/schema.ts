/**
 * The registry's schema: the known keys, each with a type, a range, a default and a description.
 * Services write their keys as tables (`keyTable`) in their module bodies, so on the device the
 * tables are prepared at build time and live in flash; at boot a service only hands its table to
 * the schema and says how many channels a `{n}` pattern ranges over (`IO/Inputs/din{n}/Debounce`
 * over the board's inputs). Reads of unset keys give the default; writes out of range are refused
 * with a reason. A node a table owns (`IO`) refuses keys it does not define, so a typo is an error
 * there; elsewhere (`AppData/...`) keys are free strings.
 */
import { frozen } from "../frozen.ts";
import { parseBoolean } from "./keys.ts";

export type KeyType = "integer" | "number" | "boolean" | "string" | "enum";

/** A check of a string value, and how to say what it wants ("a host name"). */
export interface KeyFormat {
  readonly description: string;
  /** Makes any regular expression it needs per call: none may live in a module body (README, "The device's memory"). */
  test(value: string): boolean;
}

export interface KeySpec {
  /** The key; `{n}` stands for a channel number: "IO/Inputs/din{n}/Debounce". */
  readonly pattern: string;
  readonly type: KeyType;
  /** What a read of the unset key gives ("" when omitted: undefined); `{n}` becomes the channel. */
  readonly default?: string;
  /** integer and number: the value range; string: the length range. */
  readonly min?: number;
  readonly max?: number;
  /** enum: the allowed values (compared case-insensitively). */
  readonly values?: readonly string[];
  /** string: a format the value must match. */
  readonly format?: KeyFormat;
  /** For a `{n}` pattern: the name of the count n ranges over (`Schema.setChannels`). */
  readonly channels?: string;
  readonly unit?: string;
  readonly description: string;
  /** A password or key: clients read it masked (SECRET_MASK), and errors never repeat it. */
  readonly secret?: boolean;
}

/** What clients read instead of a secret's value; writing it back leaves the secret unchanged. */
export const SECRET_MASK = "********";

/**
 * Key specs prepared for matching: each pattern lower-cased and split at `{n}`, once, where the
 * table is defined. `owns` is a node whose every key the table must define, named by `owner` in
 * refusals ("not a key the I/O service defines").
 */
export interface KeyTable {
  readonly specs: readonly KeySpec[];
  /** Per spec: the canonical pattern up to `{n}` (the whole of it without one). */
  readonly heads: readonly string[];
  /** Per spec: the canonical pattern after `{n}`; undefined without one. */
  readonly tails: readonly (string | undefined)[];
  readonly owns?: { readonly node: string; readonly owner: string };
}

/** Prepares and freezes a table of specs; call it in a module body. */
export function keyTable(specs: KeySpec[], owns?: { node: string; owner: string }): KeyTable {
  const heads: string[] = [];
  const tails: (string | undefined)[] = [];
  for (const spec of specs) {
    const k = spec.pattern.toLowerCase();
    const at = k.indexOf("{n}");
    if (at >= 0 && !spec.channels) throw new RangeError(spec.pattern + ": a {n} pattern names its channels");
    heads.push(at < 0 ? k : k.slice(0, at));
    tails.push(at < 0 ? undefined : k.slice(at + 3));
  }
  return frozen({ specs, heads, tails, owns: owns && { node: owns.node.toLowerCase(), owner: owns.owner } });
}

interface Match {
  spec: KeySpec;
  channel: number;
}

export class Schema {
  private readonly tables: KeyTable[] = [];
  private readonly counts: [string, number][] = [];

  /** Adds a table (again: no change); its keys are checked from now on. */
  define(table: KeyTable): this {
    if (!this.tables.includes(table)) this.tables.push(table);
    return this;
  }

  /** How many channels the `{n}` patterns naming `name` range over: 1..count. */
  setChannels(name: string, count: number): this {
    const entry = this.counts.find((c) => c[0] === name);
    if (entry) entry[1] = count;
    else this.counts.push([name, count]);
    return this;
  }

  channelCount(name: string | undefined): number {
    return this.counts.find((c) => c[0] === name)?.[1] ?? 0;
  }

  /** The spec for `key`, or undefined. */
  find(key: string): KeySpec | undefined {
    return this.match(key)?.spec;
  }

  defaultOf(key: string): string | undefined {
    const m = this.match(key);
    const d = m?.spec.default;
    return d === undefined || d === "" ? undefined : d.replace("{n}", String(m!.channel));
  }

  /** Why `value` cannot be written to `key`, or undefined. An empty value removes a key: always fine. */
  check(key: string, value: string): string | undefined {
    const spec = this.find(key);
    if (!spec) {
      const k = key.toLowerCase();
      for (const t of this.tables) {
        const node = t.owns?.node;
        if (node && (k === node || k.startsWith(node + "/"))) return `not a key ${t.owns!.owner} defines`;
      }
      return undefined;
    }
    if (value === "") return undefined;
    return checkValue(spec, value);
  }

  /** Whether clients must see `key`'s value masked. */
  isSecret(key: string): boolean {
    return this.match(key)?.spec.secret === true;
  }

  /** `value` as a client may see it. */
  shown(key: string, value: string): string {
    return value !== "" && this.isSecret(key) ? SECRET_MASK : value;
  }

  /** Every spec, in definition order. */
  specs(): KeySpec[] {
    const all: KeySpec[] = [];
    for (const t of this.tables) all.push(...t.specs);
    return all;
  }

  /** A table's exact keys first, then its patterns, table by table; a later table's spec for the same key wins. */
  private match(key: string): Match | undefined {
    const k = key.toLowerCase();
    let found: Match | undefined;
    for (const t of this.tables) {
      for (let i = 0; i < t.specs.length; i++) {
        const head = t.heads[i]!;
        const tail = t.tails[i];
        if (tail === undefined) {
          if (k === head) found = { spec: t.specs[i]!, channel: 0 };
          continue;
        }
        if (k.length <= head.length + tail.length || !k.startsWith(head) || !k.endsWith(tail)) continue;
        const channel = channelNumber(k, head.length, k.length - tail.length);
        if (channel > 0 && channel <= this.channelCount(t.specs[i]!.channels)) found = { spec: t.specs[i]!, channel };
      }
    }
    return found;
  }
}

/** The channel number written in `k` from `start` to `end`: 1 to 999 without leading zeros; 0 when it is not one. */
function channelNumber(k: string, start: number, end: number): number {
  if (end - start > 3) return 0;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = k.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || (d === 0 && i === start)) return 0;
    n = n * 10 + d;
  }
  return n;
}

export function checkValue(spec: KeySpec, value: string): string | undefined {
  const got = spec.secret ? "" : " (got " + JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value) + ")";
  switch (spec.type) {
    case "integer": {
      const ok = /^-?[0-9]{1,15}$/.test(value.trim());
      const n = Number(value);
      if (!ok || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return "must be an integer" + range(spec) + got;
      return undefined;
    }
    case "number": {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n) || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return "must be a number" + range(spec) + got;
      return undefined;
    }
    case "boolean":
      return parseBoolean(value) === undefined ? "must be true or false (also: enabled/disabled, on/off, yes/no, 1/0)" + got : undefined;
    case "enum":
      return spec.values!.some((v) => v.toLowerCase() === value.trim().toLowerCase()) ? undefined : "must be one of " + spec.values!.join(", ") + got;
    case "string":
      if (spec.max !== undefined && value.length > spec.max) return `must be at most ${spec.max} characters` + got;
      if (spec.min !== undefined && value.length < spec.min) return `must be at least ${spec.min} characters` + got;
      if (spec.format && !spec.format.test(value)) return "must be " + spec.format.description + got;
      return undefined;
  }
}

function range(spec: KeySpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return ` from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return ` of at least ${spec.min}`;
  if (spec.max !== undefined) return ` of at most ${spec.max}`;
  return "";
}
