/**
 * JSON from outside the unit (JANOS messages, web API bodies, MQTT registry requests, uploaded
 * configuration, Bearer tokens), parsed only after its nesting has been counted: the engines parse
 * and print JSON recursively, and on the device a few hundred levels overflow the XS stack, which
 * aborts the VM. The count is a single pass that never recurses. On the device every member name
 * JSON.parse meets is heap kept for good, so the names are checked in the same pass (ForeignJson).
 */

/** Arrays and objects inside each other, at most. Every message iobox takes needs fewer than 8. */
export const MAX_JSON_DEPTH = 32;

/**
 * Values in one text, at most (an upper bound is counted: commas, arrays and objects). Parsed, each
 * is an array item or a member, 16 B on an ESP32 (32 on lin): 4 KB of "0," would be 2,000 of them
 * in one 64 KB chunk on lin, which its heap could not hold (memory full, found on the device).
 */
export const MAX_JSON_VALUES = 512;

/** For parseJson: text whose every member name is a client's own (registry keys), kept foreign. */
export const NO_NAMES: ReadonlySet<string> = new Set();

export class JsonInputError extends RangeError {}

/**
 * An object or array from outside that holds member names outside the vocabulary it was read
 * with: its JSON text (compact), and for an object its members in a Map. On XS every member name
 * JSON.parse meets becomes a property key for good (XS does not collect keys in Moddable's builds),
 * a few dozen bytes of heap each, so a client inventing names (registry paths in a Registry Write,
 * its own Meta) would use the heap up. A Map holds names as strings, collected with the message; the
 * text is what an echo (Meta) sends back.
 */
export class ForeignJson {
  constructor(
    readonly json: string,
    readonly members?: Map<string, unknown>,
  ) {}
}

/** What parseJson does with a member name outside `names`: refuse the text, or keep its object foreign. */
export type OtherNames = "refuse" | "foreign";

export interface JsonLimits {
  /** Nesting, at most (MAX_JSON_DEPTH). */
  depth?: number;
  /** Values, at most (MAX_JSON_VALUES). */
  values?: number;
  /** The member names taken as property names; without it, any (trusted text only). */
  names?: ReadonlySet<string>;
  /** What becomes of another name ("refuse"). */
  others?: OtherNames;
}

/**
 * The value of `text`; throws JsonInputError when it nests deeper or holds more values than
 * `limits` allow, or is not JSON. Given `names`, a member named otherwise is refused, or (`others` =
 * "foreign") its object, and every object and array around it, becomes ForeignJson; the rest are
 * ordinary values.
 */
export function parseJson(text: string, limits: JsonLimits = {}): unknown {
  if (!checkJson(text, limits)) return parseForeign(text, limits.names!);
  try {
    return JSON.parse(text);
  } catch {
    throw new JsonInputError("not JSON");
  }
}

/** The longest member name `names` is checked against; a longer one is not in it. */
const MAX_NAME = 64;

/**
 * Throws JsonInputError when `text` nests deeper or holds more values than `limits` allow, or
 * (given `names`, `others` = "refuse") has a member name outside them; false when it has one and
 * `others` is "foreign". Text that is not JSON passes (the parser says why).
 */
export function checkJson(text: string, limits: JsonLimits = {}): boolean {
  const { names, others = "refuse" } = limits;
  const maxDepth = limits.depth ?? MAX_JSON_DEPTH;
  const maxValues = limits.values ?? MAX_JSON_VALUES;
  let depth = 0;
  let values = 1;
  let inString = false;
  let escaped = false;
  let name = ""; // the last string, while names are checked (a member name once ":" follows it)
  let named = false; // that string is complete and nothing but space has followed it
  let known = true;
  // for…of, not charCodeAt or split: on XS charCodeAt(i) walks the string from its start, and
  // split('"') of 4 KB of quotes makes 4,000 strings at once (memory full on the device)
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
    } else if (c === "[" || c === "{" || c === ",") {
      if (++values > maxValues) throw new JsonInputError(`JSON with more than ${maxValues} values`);
      if (c !== "," && ++depth > maxDepth) throw new JsonInputError(`JSON nested deeper than ${maxDepth} levels`);
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
  items?: unknown[]; // an array's
  names?: string[]; // an object's, with values
  values?: unknown[];
  name?: string; // the member whose value comes next
  foreign: boolean; // holds a name outside the vocabulary, itself or deeper
}

/** The longest number (or literal) parseForeign reads: a double has 17 significant digits. */
const MAX_SCALAR = 64;
/** Characters of a string parseForeign gathers before it starts another piece. */
const PIECE = 64;

const VALUE = 0; // a value comes next
const FIRST_VALUE = 1; // a value, or "]" closing an empty array
const NAME = 2; // a member name
const FIRST_NAME = 3; // a member name, or "}" closing an empty object
const COLON = 4;
const NEXT = 5; // "," or the end of the array or object
const END = 6; // the value is complete: only space may follow

/**
 * JSON.parse for text holding member names outside `names`, building the values itself so that
 * such names stay strings in Maps (ForeignJson). No recursion (checkJson has bounded the nesting
 * and the values already); strings and numbers are decoded by JSON.parse, one token at a time.
 */
function parseForeign(text: string, names: ReadonlySet<string>): unknown {
  const open: Open[] = [];
  let want = VALUE;
  let result: unknown;
  const notJson = (): JsonInputError => new JsonInputError("not JSON");
  const decode = (json: string): unknown => {
    try {
      return JSON.parse(json);
    } catch {
      throw notJson();
    }
  };
  const place = (value: unknown): void => {
    if (want !== VALUE && want !== FIRST_VALUE) throw notJson();
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
  const close = (c: string): void => {
    const o = open.pop();
    if (!o || (c === "]") !== (o.items !== undefined)) throw notJson();
    want = VALUE; // it is the value its parent (or the text) was waiting for when it opened
    if (o.items) {
      if (!o.foreign) return place(o.items);
      let json = "[";
      for (let i = 0; i < o.items.length; i++) json += (i ? "," : "") + textOf(o.items[i]);
      return place(new ForeignJson(json + "]"));
    }
    const n = o.names!;
    const v = o.values!;
    if (o.foreign) {
      const members = new Map<string, unknown>();
      for (let i = 0; i < n.length; i++) members.set(n[i]!, v[i]);
      let json = "{";
      for (const [name, value] of members) json += (json.length > 1 ? "," : "") + JSON.stringify(name) + ":" + textOf(value);
      return place(new ForeignJson(json + "}", members));
    }
    const object: Record<string, unknown> = {}; // its names are all in the vocabulary: keys already
    for (let i = 0; i < n.length; i++) object[n[i]!] = v[i];
    place(object);
  };
  const punctuation = (c: string): void => {
    if (c === "{" || c === "[") {
      if (want !== VALUE && want !== FIRST_VALUE) throw notJson();
      open.push(c === "[" ? { items: [], foreign: false } : { names: [], values: [], foreign: false });
      want = c === "[" ? FIRST_VALUE : FIRST_NAME;
    } else if (c === "]" || c === "}") {
      if (want !== NEXT && want !== (c === "]" ? FIRST_VALUE : FIRST_NAME)) throw notJson();
      close(c);
    } else if (c === ",") {
      if (want !== NEXT) throw notJson();
      want = open[open.length - 1]!.items ? VALUE : NAME;
    } else {
      if (want !== COLON) throw notJson();
      want = VALUE;
    }
  };
  let scalar = ""; // a number, true, false or null, while it is read
  const endScalar = (): void => {
    if (scalar === "") return;
    place(decode(scalar));
    scalar = "";
  };

  // one pass, a character at a time (see checkJson). A string is gathered in pieces of at most
  // PIECE characters, joined at its end: growing one string a character at a time copies it each time
  const pieces: string[] = [];
  let piece = "";
  let inString = false;
  let escaped = false;
  for (const c of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') {
        inString = false;
        pieces.push(piece);
        const value = decode('"' + pieces.join("") + '"') as string;
        pieces.length = 0;
        piece = "";
        if (want === NAME || want === FIRST_NAME) {
          const top = open[open.length - 1]!;
          top.name = value;
          if (!names.has(value)) top.foreign = true;
          want = COLON;
        } else place(value);
        continue;
      }
      piece += c;
      if (piece.length >= PIECE) {
        pieces.push(piece);
        piece = "";
      }
    } else if (c === '"') {
      endScalar();
      inString = true;
    } else if (c === "{" || c === "}" || c === "[" || c === "]" || c === ":" || c === ",") {
      endScalar();
      punctuation(c);
    } else if (c === " " || c === "\n" || c === "\r" || c === "\t") endScalar();
    else if (scalar.length < MAX_SCALAR) scalar += c;
    else throw new JsonInputError(`a number longer than ${MAX_SCALAR} characters`);
  }
  endScalar();
  if (inString) throw notJson();
  if (want !== END) throw notJson();
  return result;
}

/** The JSON text of a value parseForeign made: a ForeignJson is its text already. */
function textOf(value: unknown): string {
  return value instanceof ForeignJson ? value.json : JSON.stringify(value);
}

/** An object without a prototype: a client's key (`__proto__`, `constructor`) is only ever its own property. */
export function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
