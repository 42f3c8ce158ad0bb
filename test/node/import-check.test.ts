/** The portability rule for src/ and sim/, on the real tree and on small trees that break it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkImports, houseRules } from "../../hosts/build/import-check.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Writes a small tree (file path -> content) and returns its root. */
function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-imports-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
  return root;
}

test("the real src/ and sim/ follow the rule", async () => {
  assert.deepEqual(await checkImports(houseRules(ROOT)), []);
});

test("a src/ file importing node:fs fails the check, naming file, line and module", async () => {
  const root = tree({ "src/ok.ts": "export const a = 1;\n", "src/bad.ts": 'import { a } from "./ok.ts";\nimport fs from "node:fs";\nexport const b = [a, fs];\n', "sim/x.ts": "" });
  const problems = await checkImports(houseRules(root));
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /src\/bad\.ts:2: "node:fs" is a Node\.js module \(src\/ may import only src\/ and mqtt-packet\)/);
});

test("the modules shimmed for mqtt-packet stay off limits to src/ itself", async () => {
  const root = tree({ "src/a.ts": 'import "buffer";\nimport "events";\n', "src/b.ts": 'import "bl";\nimport "debug";\nimport "process-nextick-args";\n', "src/ok.ts": 'import "mqtt-packet";\n', "sim/x.ts": "" });
  const problems = (await checkImports(houseRules(root))).join("\n");
  assert.match(problems, /src\/a\.ts:1: "buffer" is a Node\.js module/);
  assert.match(problems, /src\/a\.ts:2: "events" is a Node\.js module/);
  assert.match(problems, /src\/b\.ts:1: "bl" is not a vetted package/);
  assert.match(problems, /src\/b\.ts:2: "debug" is a Moddable module/);
  assert.match(problems, /src\/b\.ts:3: "process-nextick-args" is not a vetted package/);
  assert.equal(problems.split("\n").length, 5);
});

test("bare Node built-ins, Moddable modules, escapes and unvetted packages fail too", async () => {
  const root = tree({
    "src/a.ts": 'import "fs";\n',
    "src/b.ts": 'import "embedded:io/digital";\n',
    "src/c.ts": 'import "timer";\n',
    "src/d.ts": 'import "../hosts/node/host.ts";\n',
    "src/e.ts": 'import "@noble/hashes/sha2.js";\n',
    "hosts/node/host.ts": "export {};\n",
    "sim/ok.ts": 'import "@noble/hashes/sha2.js";\nimport "../src/f.ts";\n',
    "sim/bad.ts": 'import "node:net";\n',
    "src/f.ts": "export {};\n",
  });
  const problems = (await checkImports(houseRules(root))).join("\n");
  assert.match(problems, /src\/a\.ts:1: "fs" is a Node\.js module/);
  assert.match(problems, /src\/b\.ts:1: "embedded:io\/digital" is a Moddable module/);
  assert.match(problems, /src\/c\.ts:1: "timer" is a Moddable module/);
  assert.match(problems, /src\/d\.ts:1: "\.\.\/hosts\/node\/host\.ts" is outside/);
  assert.match(problems, /src\/e\.ts:1: "@noble\/hashes\/sha2\.js" is not a vetted package/);
  assert.match(problems, /sim\/bad\.ts:1: "node:net" is a Node\.js module \(sim\/ may import only src\/, sim\/ and @noble\/hashes, @noble\/curves\)/);
  assert.doesNotMatch(problems, /sim\/ok\.ts/);
  assert.equal(problems.split("\n").length, 6);
});
