import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { ForeignJson, JsonInputError, MAX_JSON_VALUES, NO_NAMES, parseJson } from "../../src/json-input.ts";
import { jsonAscii } from "../../src/json-ascii.ts";

const NAMES: ReadonlySet<string> = new Set(["Message", "Meta", "Hash", "Keys"]);
const foreign = (text: string, names: ReadonlySet<string> = NAMES): unknown => parseJson(text, { names, others: "foreign" });

/** The value ForeignJson stands for, as plain JSON values (what JSON.parse gives). */
function plain(value: unknown): unknown {
  if (value instanceof ForeignJson) {
    if (!value.members) return JSON.parse(value.json);
    const out: Record<string, unknown> = {};
    for (const [k, v] of value.members) Object.defineProperty(out, k, { value: plain(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

test("names in the vocabulary: the value JSON.parse gives; another name makes its object, and what holds it, foreign", () => {
  assert.deepEqual(foreign('{"Message":"x","Meta":{"Hash":"a"},"Keys":["k",1,true,null,-2.5e3]}'), { Message: "x", Meta: { Hash: "a" }, Keys: ["k", 1, true, null, -2500] });
  const text = '{ "Message" : "Registry Write", "Keys" : {"IpConfig/Hostname":"io"} , "Meta":{"Hash":{"Op":[1]}} }';
  const message = foreign(text);
  assert.ok(message instanceof ForeignJson, "the message holds foreign names");
  const members = (message as ForeignJson).members!;
  assert.equal(members.get("Message"), "Registry Write");
  const keys = members.get("Keys") as ForeignJson;
  assert.ok(keys instanceof ForeignJson);
  assert.equal(keys.json, '{"IpConfig/Hostname":"io"}', "its JSON text");
  assert.deepEqual([...keys.members!], [["IpConfig/Hostname", "io"]]);
  const meta = members.get("Meta") as ForeignJson;
  assert.equal(meta.json, '{"Hash":{"Op":[1]}}', "a known object around a foreign one is foreign too");
  assert.equal((meta.members!.get("Hash") as ForeignJson).json, '{"Op":[1]}');
  assert.equal((message as ForeignJson).json, JSON.stringify(JSON.parse(text)), "the whole text, compact");
  const list = foreign('[{"x":1},2]') as ForeignJson;
  assert.ok(list instanceof ForeignJson && list.members === undefined, "an array around a foreign object is foreign, without members");
  assert.deepEqual(plain(list), [{ x: 1 }, 2]);
});

test("a member named __proto__ or constructor is a member like any other, and written back as it came", () => {
  const value = foreign('{"__proto__":{"polluted":1},"constructor":"c","Message":"m"}') as ForeignJson;
  assert.deepEqual([...value.members!.keys()], ["__proto__", "constructor", "Message"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(jsonAscii({ Keys: value.members }), '{"Keys":{"__proto__":{"polluted":1},"constructor":"c","Message":"m"}}');
});

test("refuse (the default) still refuses a name outside the vocabulary; NO_NAMES makes every object foreign", () => {
  assert.throws(() => parseJson('{"Message":"x","Other":1}', { names: NAMES }), JsonInputError);
  assert.ok(foreign('{"Message":"x"}', NO_NAMES) instanceof ForeignJson);
  assert.deepEqual(foreign('["a",1]', NO_NAMES), ["a", 1], "no object, no member names: JSON.parse's value");
  assert.throws(() => foreign("[".repeat(33) + "]".repeat(33)), JsonInputError, "the depth is counted first");
});

test("at most 512 values in one text, in either parser: the device's heap holds a parsed message in one piece", () => {
  const list = (n: number): string => "[" + Array(n).fill("0").join(",") + "]";
  assert.deepEqual((parseJson(list(MAX_JSON_VALUES - 1)) as number[]).length, MAX_JSON_VALUES - 1);
  assert.throws(() => parseJson(list(MAX_JSON_VALUES)), /JSON with more than 512 values/);
  assert.throws(() => foreign('{"x":' + list(MAX_JSON_VALUES) + "}"), /JSON with more than 512 values/);
  assert.throws(() => parseJson("[" + Array(600).fill('","').join(",") + "]"), /more than 512 values/, "commas inside strings are not counted, those outside are");
  assert.equal((parseJson('["' + ",".repeat(4000) + '"]') as string[])[0]!.length, 4000, "commas inside a string count for nothing");
  assert.equal((parseJson(list(2000), { values: 2001 }) as number[]).length, 2000, "a caller may allow more");
});

test("what JSON.parse refuses, the foreign parser refuses too", () => {
  const bad = ['{"x":}', '{"x" 1}', '{,}', '{"x":1,}', '[1,]', "[,1]", "[1 2]", '{"x"}', '{"x":1}}', "[}", '{"x":1]', "tru", "01", "-", "1.", '"\\x"', '"a\nb"', "", " ", '{"x":1} 2', "{'x':1}", '{"x":undefined}', "NaN", '{"x":[1}', '{"x":1', '"open'];
  for (const text of bad) {
    assert.throws(() => JSON.parse(text), SyntaxError, `JSON.parse refuses ${JSON.stringify(text)}`);
    assert.throws(() => foreign(text, NO_NAMES), JsonInputError, `refused: ${JSON.stringify(text)}`);
  }
});

/** A small deterministic generator (no Math.random: the same cases on Node and XS). */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function randomValue(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * (depth > 4 ? 5 : 7));
  const names = ["Message", "Meta", "Hash", "x", "é", "a b", "", "__proto__", "toString", "Keys", '"q"', "\\"];
  switch (pick) {
    case 0: return Math.floor(r() * 2000) - 1000;
    case 1: return r() * 1e6 - 5e5;
    case 2: return ["", "text", "ünï", "line\nbreak", '"quoted"', "\u0001", "😀"][Math.floor(r() * 7)];
    case 3: return [true, false, null][Math.floor(r() * 3)];
    case 4: return [];
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 4);
      for (let i = 0; i < n; i++) Object.defineProperty(o, names[Math.floor(r() * names.length)]!, { value: randomValue(r, depth + 1), enumerable: true, writable: true, configurable: true });
      return o;
    }
  }
}

/** JSON text of `value` with spaces scattered between tokens. */
function spaced(r: () => number, json: string): string {
  let out = "";
  let inString = false;
  let escaped = false;
  for (const c of json) {
    out += c;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    if (!inString && "{}[]:,\"".includes(c) && r() < 0.3) out += [" ", "\n", "\t", "\r\n "][Math.floor(r() * 4)];
  }
  return out;
}

test("2,000 random texts: the same values as JSON.parse, strings with escaped quotes and backslashes among them; 2,000 mutated ones: refused exactly when JSON.parse refuses them", () => {
  const r = generator(19);
  for (let i = 0; i < 2000; i++) {
    const text = spaced(r, JSON.stringify(randomValue(r, 0)));
    assert.deepEqual(plain(foreign(text)), JSON.parse(text), text);
    const value = foreign(text);
    if (value instanceof ForeignJson) assert.equal(value.json, JSON.stringify(JSON.parse(text)), "a foreign value's text is its compact JSON");
  }
  const alphabet = ['"', "{", "}", "[", "]", ":", ",", "1", "-", "e", "\\", " ", "x", "n"];
  for (let i = 0; i < 2000; i++) {
    const text = JSON.stringify(randomValue(r, 0));
    const at = Math.floor(r() * (text.length + 1));
    const mutated = r() < 0.5 ? text.slice(0, at) + alphabet[Math.floor(r() * alphabet.length)] + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
    let expected: unknown;
    let parses = true;
    try {
      expected = JSON.parse(mutated);
    } catch {
      parses = false;
    }
    if (parses) assert.deepEqual(plain(foreign(mutated)), expected, mutated);
    else assert.throws(() => foreign(mutated), JsonInputError, mutated);
  }
});

test("jsonAscii writes a Map as the object it stands for and a ForeignJson as its JSON text", () => {
  const meta = foreign('{"Hash":"h","Extra":{"déjà":[1, 2]}}') as ForeignJson;
  const keys = new Map([["IpConfig/Hostname", "io"], ["__proto__", "p"]]);
  const text = jsonAscii({ Message: "Registry Response", Keys: keys, Meta: meta });
  assert.equal(text, '{"Message":"Registry Response","Keys":{"IpConfig/Hostname":"io","__proto__":"p"},"Meta":{"Hash":"h","Extra":{"d\\u00e9j\\u00e0":[1,2]}}}');
  assert.equal(jsonAscii(meta), '{"Hash":"h","Extra":{"d\\u00e9j\\u00e0":[1,2]}}');
  assert.equal(jsonAscii({ a: undefined, b: 1 }), '{"b":1}', "undefined members are left out, as JSON.stringify does");
  assert.equal(jsonAscii(new Map()), "{}");
});
