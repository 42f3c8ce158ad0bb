import { test } from "../harness/test.ts";
import { assert } from "../harness/assert.ts";
import { Registry, RegistryError } from "../../src/registry/registry.ts";
import { keyTable } from "../../src/registry/schema.ts";
import { applyImport, exportIni, exportJson, parseIni, parseJson } from "../../src/registry/transfer.ts";
import { MemoryHost } from "../../sim/memory-host.ts";

function registry(): Registry {
  const r = new Registry(new MemoryHost());
  r.schema.define(keyTable([{ pattern: "IO/Inputs/din{n}/Debounce", type: "integer", min: 0, max: 60000, default: "200", channels: "inputs", description: "" }])).setChannels("inputs", 8);
  return r;
}

const TRICKY = {
  "IO/Inputs/din1/Debounce": "50",
  "AppData/Plant/Note": "line one\nline two",
  "AppData/Plant/Padded": "  spaced  ",
  "AppData/Plant/Quoted": '"quoted"',
  "AppData/Plant/Back": "C:\\path",
  "AppData/Plant/Unicode": "Température ✓",
  "TopLevel": "root key",
};

test("INI export: a section per node, name = value lines, quoting only where needed; import restores it exactly", () => {
  const r = registry();
  r.write(TRICKY);
  r.write({ "IO/Inputs/din1/$HourMeter": "1.5" }, { system: true });
  const ini = exportIni(r, "iobox backup\nserial 1");
  assert.equal(
    ini,
    [
      "; iobox backup",
      "; serial 1",
      "TopLevel = root key",
      "",
      "[AppData/Plant]",
      'Back = "C:\\\\path"',
      'Note = "line one\\nline two"',
      'Padded = "  spaced  "',
      'Quoted = "\\"quoted\\""',
      "Unicode = Température ✓",
      "",
      "[IO/Inputs/din1]",
      "Debounce = 50",
      "",
    ].join("\n"),
  );
  const copy = registry();
  applyImport(copy, parseIni(ini));
  assert.deepEqual(copy.stored(), r.stored().filter(([k]) => !k.includes("$")), "live values are not part of a backup");
});

test("JSON export and import round-trip; numbers and booleans become strings, null removes", () => {
  const r = registry();
  r.write(TRICKY);
  const copy = registry();
  applyImport(copy, parseJson(exportJson(r)));
  assert.deepEqual(copy.stored(), r.stored());
  applyImport(copy, parseJson('{"AppData/n": 5, "AppData/b": true, "TopLevel": null}'));
  assert.equal(copy.get("AppData/n"), "5");
  assert.equal(copy.get("AppData/b"), "true");
  assert.equal(copy.get("TopLevel"), undefined);
});

test("an import with any problem applies nothing, and says where each problem is", () => {
  const r = registry();
  r.write({ "AppData/keep": "1" });
  const ini = "[AppData]\nnew = 2\n\n[IO/Inputs/din1]\nDebounce = soon\n$HourMeter = 9\nbroken line\n[unclosed\n";
  let message = "";
  try {
    applyImport(r, parseIni(ini));
  } catch (e) {
    assert.ok(e instanceof RegistryError);
    message = e.message;
  }
  assert.match(message, /line 7: expected name = value/);
  assert.match(message, /line 8: a section is \[node\]/);
  assert.match(message, /IO\/Inputs\/din1\/\$HourMeter: live \(\$\) values are not imported/);
  assert.equal(r.get("AppData/new"), undefined);
  let second = "";
  try {
    applyImport(r, parseIni("[AppData]\nnew = 2\n[IO/Inputs/din1]\nDebounce = soon\n"));
  } catch (e) {
    second = (e as Error).message;
  }
  assert.match(second, /IO\/Inputs\/din1\/Debounce: line 4: must be an integer from 0 to 60000/);
  assert.equal(r.get("AppData/new"), undefined, "validated before anything was applied");
  assert.match(parseJson("[1]").problems[0]!.reason, /expected an object/);
  assert.match(parseJson("{bad").problems[0]!.reason, /not valid JSON/);
  assert.match(parseJson('{"a":{"b":1}}').problems[0]!.reason, /values are strings/);
});

test("merge keeps what the import does not name; replace (a restore) removes it, in one atomic write", () => {
  const r = registry();
  r.write({ "AppData/old": "1", "AppData/both": "1" });
  applyImport(r, parseIni("[AppData]\nboth = 2\nnew = 3\n"));
  assert.deepEqual(r.stored(), [["AppData/both", "2"], ["AppData/new", "3"], ["AppData/old", "1"]]);
  const appends = r.stats.appends;
  applyImport(r, parseIni("[AppData]\nboth = 4\n"), { replace: true });
  assert.deepEqual(r.stored(), [["AppData/both", "4"]]);
  assert.equal(r.stats.appends, appends + 1, "one journal record");
});
