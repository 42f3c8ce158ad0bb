/**
 * What a client may do with the registry, the same whatever carries the request (JANOS over
 * WebSocket and JMP, MQTT's registry topics): read keys, secrets masked; write keys together or not
 * at all. Values are text; a number or a boolean is taken as its text and null as "" (which removes
 * the key); a secret sent back masked keeps its value. Answers are objects without a prototype, so
 * a key named `__proto__` or `constructor` is a key like any other.
 */
import { record } from "../json-input.ts";
import type { Entry } from "./format.ts";
import type { Registry } from "./registry.ts";
import { SECRET_MASK } from "./schema.ts";

/** The values of `keys` (an array of key names), as a client may see them. Throws RangeError for anything else. */
export function readKeys(registry: Registry, keys: unknown): Record<string, string> {
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) throw new RangeError('"Keys" is an array of key names');
  const values = registry.read(keys as string[]);
  for (const k of Object.keys(values)) values[k] = registry.schema.shown(k, values[k]!);
  return values;
}

/** Writes `keys` (an object of key names and values) at once; returns what was written, as a client may see it. Throws RangeError or RegistryError. */
export function writeKeys(registry: Registry, keys: unknown): Record<string, string> {
  if (typeof keys !== "object" || keys === null || Array.isArray(keys)) throw new RangeError('"Keys" is an object of key names and values');
  const entries: Entry[] = [];
  const written = record<string>();
  for (const [key, value] of Object.entries(keys as Record<string, unknown>)) {
    const text = value === null ? "" : typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
    if (text === undefined) throw new RangeError(`${key}: a registry value is a string`);
    written[key] = registry.schema.shown(key, text);
    if (text === SECRET_MASK && registry.schema.isSecret(key)) continue; // a form sent back unchanged
    entries.push([key, text]);
  }
  registry.write(entries);
  return written;
}
