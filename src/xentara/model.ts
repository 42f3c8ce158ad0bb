/**
 * The device's I/O as a Xentara element tree (xentara.md §5, §7): one device group, `IO`, whose
 * children are one Data Point per input (`IO.din1` …) and per relay (`IO.rout1` …). Element UUIDs
 * are made once and kept in the registry (`Xentara/UUID/<name>`), so a client's configuration that
 * names them survives reboots and firmware updates.
 */
import { fromHex, toHex } from "../bytes.ts";
import type { Host } from "../host.ts";
import type { Io } from "../io/io.ts";
import { INPUT_CHANNELS, OUTPUT_CHANNELS } from "../io/keys.ts";
import { keyTable, type KeyFormat } from "../registry/schema.ts";
import type { Registry } from "../registry/registry.ts";

/** Element categories (xentara.md §5). */
export const CATEGORY_ROOT = 0;
export const CATEGORY_DATA_POINT = 2;
export const CATEGORY_DEVICE_GROUP = 8;

export interface Element {
  /** 16 bytes. */
  readonly uuid: Uint8Array;
  /** Its UUID as 32 lower-case hex digits, the lookup key. */
  readonly id: string;
  /** "IO.din1" */
  readonly primaryKey: string;
  readonly name: string;
  readonly category: number;
  /** Shown as the Type attribute. */
  readonly type: string;
  readonly children: readonly Element[];
  /** The channel behind a Data Point. */
  readonly channel?: { kind: "input" | "output"; index: number };
}

export const NIL_UUID = new Uint8Array(16);
const UUID: KeyFormat = {
  description: "a UUID in lower-case 8-4-4-4-12 form",
  test: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v),
};

/** The registry keys that keep element UUIDs (the channel counts are the I/O keys'). */
export const MODEL_KEYS = keyTable(
  [
    { pattern: "Xentara/UUID/IO", type: "string", format: UUID, description: "The UUID of the IO device group in the Xentara API." },
    { pattern: "Xentara/UUID/din{n}", channels: INPUT_CHANNELS, type: "string", format: UUID, description: "The UUID of input n's Data Point in the Xentara API." },
    { pattern: "Xentara/UUID/rout{n}", channels: OUTPUT_CHANNELS, type: "string", format: UUID, description: "The UUID of relay n's Data Point in the Xentara API." },
  ],
  { node: "Xentara", owner: "the Xentara API" },
);

export class ElementModel {
  readonly group: Element;
  private readonly byId = new Map<string, Element>();
  private readonly byKey = new Map<string, Element>();
  /** The Data Point of each input and relay, by index. */
  readonly inputs: Element[] = [];
  readonly outputs: Element[] = [];

  constructor(host: Pick<Host, "random">, registry: Registry, io: Pick<Io, "inputs" | "outputs">) {
    registry.schema.define(MODEL_KEYS);
    const fresh: [string, string][] = [];
    const uuidFor = (name: string): Uint8Array => {
      const key = "Xentara/UUID/" + name;
      const stored = registry.get(key);
      if (stored && UUID.test(stored)) return fromHex(stored.replace(/-/g, ""));
      const made = randomUuid(host);
      fresh.push([key, formatUuid(made)]);
      return made;
    };
    const point = (kind: "input" | "output", index: number): Element => {
      const name = (kind === "input" ? "din" : "rout") + (index + 1);
      return element(uuidFor(name), "IO." + name, name, CATEGORY_DATA_POINT, kind === "input" ? "iobox.DigitalInput" : "iobox.Relay", [], { kind, index });
    };
    for (let i = 0; i < io.inputs.length; i++) this.inputs.push(point("input", i));
    for (let i = 0; i < io.outputs.length; i++) this.outputs.push(point("output", i));
    this.group = element(uuidFor("IO"), "IO", "IO", CATEGORY_DEVICE_GROUP, "iobox.Device", [...this.inputs, ...this.outputs]);
    if (fresh.length) registry.write(fresh, { system: true });
    for (const e of [this.group, ...this.group.children]) {
      this.byId.set(e.id, e);
      this.byKey.set(e.primaryKey, e);
    }
  }

  /** Every element, parents before children. */
  get all(): readonly Element[] {
    return [this.group, ...this.group.children];
  }

  byUuid(uuid: Uint8Array): Element | undefined {
    return uuid.length === 16 ? this.byId.get(toHex(uuid)) : undefined;
  }

  /** Primary keys are matched exactly, as Xentara's are. */
  lookup(primaryKey: string): Element | undefined {
    return this.byKey.get(primaryKey);
  }
}

function element(uuid: Uint8Array, primaryKey: string, name: string, category: number, type: string, children: Element[], channel?: Element["channel"]): Element {
  return { uuid, id: toHex(uuid), primaryKey, name, category, type, children, channel };
}

/** A random (version 4) UUID, RFC 4122 §4.4. */
export function randomUuid(host: Pick<Host, "random">): Uint8Array {
  const b = new Uint8Array(16);
  host.random(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return b;
}

export function formatUuid(b: Uint8Array): string {
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
