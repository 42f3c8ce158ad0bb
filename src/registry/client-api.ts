/**
 * What a client may do with the registry, the same whatever carries the request (JANOS over
 * WebSocket and JMP, MQTT's registry topics): read keys, secrets masked; write keys together or not
 * at all. Values are text; a number or a boolean is taken as its text and null as "" (which removes
 * the key); a secret sent back masked keeps its value. Key names stay strings, in Maps, never
 * property names: `__proto__` is a key like any other, and on the device a client naming keys that do
 * not exist leaves no heap behind (json-input.ts, ForeignJson); jsonAscii writes a Map as an object.
 */
import { ForeignJson } from "../json-input.ts";
import type { Entry } from "./format.ts";
import type { Registry } from "./registry.ts";
import { SECRET_MASK } from "./schema.ts";

/** The values of `keys` (an array of key names), as a client may see them. Throws RangeError for anything else. */
export function readKeys(registry: Registry, keys: unknown): Map<string, string> {
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string")) throw new RangeError('"Keys" is an array of key names');
  const values = registry.read(keys as string[]);
  for (const [k, v] of values) values.set(k, registry.schema.shown(k, v));
  return values;
}

/**
 * Writes `keys` (an object of key names and values, as parseJson gives it) at once; returns what
 * was written, as a client may see it. Throws RangeError or RegistryError.
 */
export function writeKeys(registry: Registry, keys: unknown): Map<string, string> {
  const members = keys instanceof ForeignJson ? keys.members : typeof keys === "object" && keys !== null && !Array.isArray(keys) ? Object.entries(keys) : undefined;
  if (!members) throw new RangeError('"Keys" is an object of key names and values');
  const entries: Entry[] = [];
  const written = new Map<string, string>();
  for (const [key, value] of members) {
    const text = value === null ? "" : typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
    if (text === undefined) throw new RangeError(`${key}: a registry value is a string`);
    written.set(key, registry.schema.shown(key, text));
    if (text === SECRET_MASK && registry.schema.isSecret(key)) continue; // a form sent back unchanged
    entries.push([key, text]);
  }
  registry.write(entries);
  return written;
}
