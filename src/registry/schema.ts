/**
 * The registry's schema: the known keys, each with a type, a range, a default and a description.
 * Services define the keys they read (the I/O service defines `IO/Inputs/din{n}/Debounce` for its
 * n channels). Reads of unset keys give the default; writes out of range are refused with a reason.
 * A node the schema owns (`IO`) refuses keys it does not define, so a typo is an error there;
 * elsewhere (`AppData/...`) keys are free strings.
 */
import { canonical, parseBoolean } from "./keys.ts";

export type KeyType = "integer" | "number" | "boolean" | "string" | "enum";

export interface KeySpec {
  /** The key; `{n}` stands for a channel number 1..channels: "IO/Inputs/din{n}/Debounce". */
  pattern: string;
  type: KeyType;
  /** What a read of the unset key gives ("" when omitted: undefined); `{n}` becomes the channel. */
  default?: string;
  /** integer and number: the value range; string: the length range. */
  min?: number;
  max?: number;
  /** enum: the allowed values (compared case-insensitively). */
  values?: readonly string[];
  /** string: a format the value must match, and how to say it. */
  format?: { pattern: RegExp; description: string };
  /** How many channels `{n}` ranges over. */
  channels?: number;
  unit?: string;
  description: string;
  /** A password or key: clients read it masked (SECRET_MASK), and errors never repeat it. */
  secret?: boolean;
}

/** What clients read instead of a secret's value; writing it back leaves the secret unchanged. */
export const SECRET_MASK = "********";

interface Compiled {
  spec: KeySpec;
  regex: RegExp | undefined; // for patterns with {n}
}

export class Schema {
  private readonly exact = new Map<string, Compiled>();
  private readonly patterned: Compiled[] = [];
  private readonly owned = new Map<string, string>(); // canonical node -> what owns it

  define(...specs: KeySpec[]): this {
    for (const spec of specs) {
      const c: Compiled = { spec, regex: undefined };
      if (spec.pattern.includes("{n}")) {
        if (!spec.channels) throw new RangeError(spec.pattern + ": a {n} pattern needs channels");
        const escaped = canonical(spec.pattern).replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace("\\{n\\}", "{n}");
        c.regex = new RegExp("^" + escaped.replace("{n}", "([1-9][0-9]{0,2})") + "$");
        const i = this.patterned.findIndex((p) => p.spec.pattern.toLowerCase() === spec.pattern.toLowerCase());
        if (i >= 0) this.patterned[i] = c;
        else this.patterned.push(c);
      } else this.exact.set(canonical(spec.pattern), c);
    }
    return this;
  }

  /** Refuses keys under `node` that no spec defines; `owner` names it in errors ("the I/O service"). */
  own(node: string, owner: string): this {
    this.owned.set(canonical(node), owner);
    return this;
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

  private match(key: string): { spec: KeySpec; channel: number } | undefined {
    const k = canonical(key);
    const exact = this.exact.get(k);
    if (exact) return { spec: exact.spec, channel: 0 };
    for (const c of this.patterned) {
      const m = c.regex!.exec(k);
      if (m && Number(m[1]) <= c.spec.channels!) return { spec: c.spec, channel: Number(m[1]) };
    }
    return undefined;
  }

  /** Why `value` cannot be written to `key`, or undefined. An empty value removes a key: always fine. */
  check(key: string, value: string): string | undefined {
    const spec = this.find(key);
    if (!spec) {
      const k = canonical(key);
      for (const [node, owner] of this.owned) {
        if (k === node || k.startsWith(node + "/")) return `not a key ${owner} defines`;
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

  /** Every spec, in definition order (exact ones first). */
  specs(): KeySpec[] {
    return [...[...this.exact.values()].map((c) => c.spec), ...this.patterned.map((c) => c.spec)];
  }
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
      if (spec.format && !spec.format.pattern.test(value)) return "must be " + spec.format.description + got;
      return undefined;
  }
}

function range(spec: KeySpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return ` from ${spec.min} to ${spec.max}`;
  if (spec.min !== undefined) return ` of at least ${spec.min}`;
  if (spec.max !== undefined) return ` of at most ${spec.max}`;
  return "";
}
