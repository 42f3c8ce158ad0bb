import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { jsonAscii } from "../../src/json-ascii.ts";

test("non-ASCII becomes \\u escapes, surrogate pairs as two; the result parses back to the same value", () => {
  const value = { Message: "Monitor", Desc: "Température 23 °C — ✓", Emoji: "😀", "Clé": [1, "€"] };
  const text = jsonAscii(value);
  assert.equal(text, '{"Message":"Monitor","Desc":"Temp\\u00e9rature 23 \\u00b0C \\u2014 \\u2713","Emoji":"\\ud83d\\ude00","Cl\\u00e9":[1,"\\u20ac"]}');
  assert.ok(/^[\x20-\x7e]*$/.test(text), "printable ASCII only");
  assert.deepEqual(JSON.parse(text), value);
});

test("ASCII JSON is unchanged; what JSON cannot hold is refused", () => {
  assert.equal(jsonAscii({ Message: "", n: 1 }), '{"Message":"","n":1}');
  assert.equal(jsonAscii("a\nb"), '"a\\nb"');
  assert.throws(() => jsonAscii(undefined), TypeError);
});
