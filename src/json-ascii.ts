/**
 * JSON with every non-ASCII character written as a \u escape, for clients that decode frames as
 * ASCII (INTEG's C# library, pyJmp; janos.md §2.1, §2.2). The result is also one byte per
 * character, so its length is its byte count ([N,{json}] framing relies on that).
 *
 * Member names a client chose stay out of property keys (json-input.ts, ForeignJson): a Map is
 * written as the object it stands for, and a ForeignJson as its JSON text, where they may
 * be: as `value` or one of its members, or inside such a Map. Anything deeper goes to
 * JSON.stringify, so nothing here recurses on what a client sent.
 */
import { ForeignJson } from "./json-input.ts";

export function jsonAscii(value: unknown): string {
  const json = jsonText(value, 2);
  // made per call: no regular expression may live in a module body (README, "The device's memory")
  return /[\u0080-\uffff]/.test(json) ? json.replace(/[\u0080-\uffff]/g, escape) : json;
}

function jsonText(value: unknown, levels: number): string {
  if (value instanceof ForeignJson) return value.json;
  let out: string | undefined;
  if (levels > 0 && value instanceof Map) {
    for (const [name, member] of value as Map<unknown, unknown>) out = (out === undefined ? "{" : out + ",") + JSON.stringify(String(name)) + ":" + jsonText(member, levels - 1);
    return out === undefined ? "{}" : out + "}";
  }
  if (levels > 0 && typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const name of Object.keys(value)) {
      const member = (value as Record<string, unknown>)[name];
      if (member !== undefined) out = (out === undefined ? "{" : out + ",") + JSON.stringify(name) + ":" + jsonText(member, levels - 1);
    }
    return out === undefined ? "{}" : out + "}";
  }
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError("not JSON-serializable");
  return json;
}

function escape(ch: string): string {
  return "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0");
}
