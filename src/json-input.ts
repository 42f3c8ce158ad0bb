/**
 * JSON from outside the unit (JANOS messages, web API bodies, MQTT registry requests, uploaded
 * configuration, Bearer tokens), parsed only after its nesting has been counted: the engines parse
 * and print JSON recursively, and on the device a few hundred levels overflow the XS stack, which
 * aborts the VM. The count is a single pass that never recurses.
 */

/** Arrays and objects inside each other, at most. Every message iobox takes needs fewer than 8. */
export const MAX_JSON_DEPTH = 32;

/** For parseJson: text whose every member name is a client's own (registry keys), kept foreign. */
export const NO_NAMES: ReadonlySet<string> = new Set();

export class JsonInputError extends RangeError {}

/**
 * An object or array from outside that holds member names outside the vocabulary it was read
 * with: its text as sent, and for an object its members in a Map. On XS every member name JSON.parse
 * meets becomes a property key for good (XS does not collect keys in Moddable's builds), a few dozen
 * bytes of heap each, so a client inventing names (registry paths in a Registry Write, its own Meta)
 * would use the heap up. A Map holds names as strings, collected with the message; the text is what
 * an echo (Meta) sends back, unchanged.
 */
export class ForeignJson {
  constructor(
    readonly json: string,
    readonly members?: Map<string, unknown>,
  ) {}
}

/** What parseJson does with a member name outside `names`: refuse the text, or keep its object foreign. */
export type OtherNames = "refuse" | "foreign";

/**
 * The value of `text`; throws JsonInputError when it nests deeper than `maxDepth` or is not JSON.
 * Given `names`, a member named otherwise is refused, or (`others` = "foreign") its object, and every
 * object and array around it, becomes ForeignJson; the rest are ordinary values.
 */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH, names?: ReadonlySet<string>, others: OtherNames = "refuse"): unknown {
  if (!checkJsonDepth(text, maxDepth, names, others)) return parseForeign(text, names!);
  try {
    return JSON.parse(text);
  } catch {
    throw new JsonInputError("not JSON");
  }
}

/** The longest member name `names` is checked against; a longer one is not in it. */
const MAX_NAME = 64;

/**
 * Throws JsonInputError when `text` nests deeper than `maxDepth`, or (given `names`, `others` =
 * "refuse") has a member name outside them; false when it has one and `others` is "foreign". Text
 * that is not JSON passes (the parser says why).
 */
export function checkJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH, names?: ReadonlySet<string>, others: OtherNames = "refuse"): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let name = ""; // the last string, while names are checked (a member name once ":" follows it)
  let named = false; // that string is complete and nothing but space has followed it
  let known = true;
  // for…of, not charCodeAt: on XS charCodeAt(i) walks the string from its start
  for (const c of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') {
        inString = false;
        named = names !== undefined && known;
        continue;
      }
      if (names && known && name.length <= MAX_NAME) name += c;
      continue;
    }
    if (c === '"') {
      inString = true;
      name = "";
    } else if (c === ":") {
      if (named && !names!.has(name)) {
        if (others === "refuse") throw new JsonInputError(`a member named "${printableName(name)}" is not taken here`);
        known = false; // the parser that follows keeps names as strings; the depth is still counted
      }
    } else if (c === "[" || c === "{") {
      if (++depth > maxDepth) throw new JsonInputError(`JSON nested deeper than ${maxDepth} levels`);
    } else if (c === "]" || c === "}") depth--;
    if (c !== " " && c !== "\n" && c !== "\r" && c !== "\t") named = false;
  }
  return known;
}

function printableName(name: string): string {
  const shown = name.length > 32 ? name.slice(0, 32) + "..." : name;
  return shown.replace(/[^\x20-\x7e]/g, "?").replace(/"/g, "'");
}

/** An array or object being read by parseForeign. */
interface Open {
  start: number; // where its text starts, in UTF-16 units
  items?: unknown[]; // an array's
  names?: string[]; // an object's, with values
  values?: unknown[];
  name?: string; // the member whose value comes next
  foreign: boolean; // holds a name outside the vocabulary, itself or deeper
}

const VALUE = 0; // a value comes next
const FIRST_VALUE = 1; // a value, or "]" closing an empty array
const NAME = 2; // a member name
const FIRST_NAME = 3; // a member name, or "}" closing an empty object
const COLON = 4;
const NEXT = 5; // "," or the end of the array or object
const END = 6; // the value is complete: only space may follow

function isSpace(c: string): boolean {
  return c === " " || c === "\n" || c === "\r" || c === "\t";
}

/**
 * JSON.parse for text holding member names outside `names`, building the values itself so that
 * such names stay strings in Maps (ForeignJson). One pass, no recursion (checkJsonDepth has bounded
 * the nesting already); strings and numbers are decoded by JSON.parse, one token at a time.
 */
function parseForeign(text: string, names: ReadonlySet<string>): unknown {
  const open: Open[] = [];
  let want = VALUE;
  let result: unknown;
  let token = ""; // a string (with its quotes) or a number or literal, while it is read
  let inString = false;
  let escaped = false;
  let at = 0; // where c is, in UTF-16 units (what slice counts)
  const notJson = (): JsonInputError => new JsonInputError("not JSON");

  const decode = (): unknown => {
    try {
      return JSON.parse(token);
    } catch {
      throw notJson();
    }
  };
  const place = (value: unknown): void => {
    const top = open[open.length - 1];
    if (!top) {
      result = value;
      want = END;
      return;
    }
    if (value instanceof ForeignJson) top.foreign = true;
    if (top.items) top.items.push(value);
    else {
      top.names!.push(top.name!);
      top.values!.push(value);
    }
    want = NEXT;
  };
  const close = (c: string, end: number): void => {
    const o = open.pop()!;
    if ((c === "]") !== (o.items !== undefined)) throw notJson();
    if (o.items) return place(o.foreign ? new ForeignJson(text.slice(o.start, end)) : o.items);
    const n = o.names!;
    const v = o.values!;
    if (o.foreign) {
      const members = new Map<string, unknown>();
      for (let i = 0; i < n.length; i++) members.set(n[i]!, v[i]);
      return place(new ForeignJson(text.slice(o.start, end), members));
    }
    const object: Record<string, unknown> = {}; // its names are all in the vocabulary: keys already
    for (let i = 0; i < n.length; i++) object[n[i]!] = v[i];
    place(object);
  };
  const endScalar = (): void => {
    if (token === "") return;
    if (want !== VALUE && want !== FIRST_VALUE) throw notJson();
    const value = decode();
    token = "";
    place(value);
  };

  for (const c of text) {
    if (inString) {
      token += c;
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') {
        inString = false;
        const s = decode();
        token = "";
        if (want === NAME || want === FIRST_NAME) {
          const top = open[open.length - 1]!;
          top.name = s as string;
          if (!names.has(top.name)) top.foreign = true;
          want = COLON;
        } else if (want === VALUE || want === FIRST_VALUE) place(s);
        else throw notJson();
      }
    } else if (c === '"') {
      endScalar();
      inString = true;
      token = c;
    } else if (c === "{" || c === "[") {
      endScalar();
      if (want !== VALUE && want !== FIRST_VALUE) throw notJson();
      open.push(c === "[" ? { start: at, items: [], foreign: false } : { start: at, names: [], values: [], foreign: false });
      want = c === "[" ? FIRST_VALUE : FIRST_NAME;
    } else if (c === "]" || c === "}") {
      endScalar();
      if (want !== NEXT && !(c === "]" ? want === FIRST_VALUE : want === FIRST_NAME)) throw notJson();
      close(c, at + 1);
    } else if (c === ",") {
      endScalar();
      if (want !== NEXT) throw notJson();
      want = open[open.length - 1]!.items ? VALUE : NAME;
    } else if (c === ":") {
      endScalar();
      if (want !== COLON) throw notJson();
      want = VALUE;
    } else if (isSpace(c)) endScalar();
    else token += c; // a number, true, false or null; JSON.parse judges it whole
    at += c.length;
  }
  endScalar();
  if (want !== END || inString) throw notJson();
  return result;
}

/** An object without a prototype: a client's key (`__proto__`, `constructor`) is only ever its own property. */
export function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
