/**
 * JSON from outside the unit (JANOS messages, web API bodies, MQTT registry requests, uploaded
 * configuration, Bearer tokens), parsed only after its nesting has been counted: the engines parse
 * and print JSON recursively, and on the device a few hundred levels overflow the XS stack, which
 * aborts the VM. The count is a single pass that never recurses.
 */

/** Arrays and objects inside each other, at most. Every message iobox takes needs fewer than 8. */
export const MAX_JSON_DEPTH = 32;

export class JsonInputError extends RangeError {}

/**
 * The value of `text`; throws JsonInputError when it nests deeper than `maxDepth`, is not JSON, or
 * (given `names`) names a member outside them. On XS every member name JSON.parse meets becomes a
 * property key for good (XS does not collect keys in Moddable's builds): a client inventing names
 * would use up the heap, a few dozen bytes each. `names` keeps that to a known vocabulary where the
 * sender is not known yet.
 */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH, names?: ReadonlySet<string>): unknown {
  checkJsonDepth(text, maxDepth, names);
  try {
    return JSON.parse(text);
  } catch {
    throw new JsonInputError("not JSON");
  }
}

/** The longest member name `names` is checked against; a longer one is not in it. */
const MAX_NAME = 64;

/**
 * Throws JsonInputError when `text` nests deeper than `maxDepth`, or (given `names`) has a member
 * name outside them; text that is not JSON passes (JSON.parse says why).
 */
export function checkJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH, names?: ReadonlySet<string>): void {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let name = ""; // the last string, while names are checked (a member name once ":" follows it)
  let named = false; // that string is complete and nothing but space has followed it
  // for…of, not charCodeAt: on XS charCodeAt(i) walks the string from its start
  for (const c of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') {
        inString = false;
        named = names !== undefined;
        continue;
      }
      if (names && name.length <= MAX_NAME) name += c;
      continue;
    }
    if (c === '"') {
      inString = true;
      name = "";
    } else if (c === ":") {
      if (named && !names!.has(name)) throw new JsonInputError(`a member named "${printableName(name)}" is not taken here`);
    } else if (c === "[" || c === "{") {
      if (++depth > maxDepth) throw new JsonInputError(`JSON nested deeper than ${maxDepth} levels`);
    } else if (c === "]" || c === "}") depth--;
    if (c !== " " && c !== "\n" && c !== "\r" && c !== "\t") named = false;
  }
}

function printableName(name: string): string {
  const shown = name.length > 32 ? name.slice(0, 32) + "..." : name;
  return shown.replace(/[^\x20-\x7e]/g, "?").replace(/"/g, "'");
}

/** An object without a prototype: a client's key (`__proto__`, `constructor`) is only ever its own property. */
export function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
