/**
 * JSON from outside the unit (JANOS messages, web API bodies, MQTT registry requests, uploaded
 * configuration, Bearer tokens), parsed only after its nesting has been counted: the engines parse
 * and print JSON recursively, and on the device a few hundred levels overflow the XS stack, which
 * aborts the VM. The count is a single pass that never recurses.
 */

/** Arrays and objects inside each other, at most. Every message iobox takes needs fewer than 8. */
export const MAX_JSON_DEPTH = 32;

export class JsonInputError extends RangeError {}

/** The value of `text`; throws JsonInputError when it nests deeper than `maxDepth` or is not JSON. */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  checkJsonDepth(text, maxDepth);
  try {
    return JSON.parse(text);
  } catch {
    throw new JsonInputError("not JSON");
  }
}

/** Throws JsonInputError when `text` nests deeper than `maxDepth` (text that is not JSON passes: JSON.parse says why). */
export function checkJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  let escaped = false;
  // for…of, not charCodeAt: on XS charCodeAt(i) walks the string from its start
  for (const c of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      if (++depth > maxDepth) throw new JsonInputError(`JSON nested deeper than ${maxDepth} levels`);
    } else if (c === "]" || c === "}") depth--;
  }
}

/** An object without a prototype: a client's key (`__proto__`, `constructor`) is only ever its own property. */
export function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
