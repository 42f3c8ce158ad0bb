/**
 * The device's XS stack must hold the bundle's module body. XS gives a module body's frame a slot per
 * top-level binding, and an esbuild bundle hoists every module's bindings to the top level, so the
 * frame grows with the code. Overflowing it stops the VM without a word (found twice on the
 * Moddable lin build). Measured there: 106 bindings needed 150–180 slots, 404 needed 640–700, so a
 * binding costs about 1.7 slots. This test keeps manifest.json's `creation.stack` above that.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import * as acorn from "acorn";
import { buildDevice, ROOT } from "../../hosts/build/build.ts";

const SLOTS_PER_BINDING = 1.7;

function topLevelBindings(code: string): number {
  const ast = acorn.parse(code, { ecmaVersion: 2022, sourceType: "module" }) as unknown as { body: { type: string; declaration?: unknown; declarations?: unknown[]; specifiers?: unknown[] }[] };
  let n = 0;
  for (const statement of ast.body) {
    const s = (statement.type === "ExportNamedDeclaration" && statement.declaration ? statement.declaration : statement) as (typeof ast.body)[number];
    if (s.type === "VariableDeclaration") n += s.declarations!.length;
    else if (s.type === "FunctionDeclaration" || s.type === "ClassDeclaration") n++;
    else if (s.type === "ImportDeclaration") n += s.specifiers!.length;
  }
  return n;
}

test("manifest.json's XS stack holds the device bundle's module body", async () => {
  await buildDevice();
  const bindings = topLevelBindings(fs.readFileSync(path.join(ROOT, "build/device/main.js"), "utf8"));
  const stack = (JSON.parse(fs.readFileSync(path.join(ROOT, "manifest.json"), "utf8")) as { creation: { stack: number } }).creation.stack;
  const needed = Math.ceil(bindings * SLOTS_PER_BINDING);
  assert.ok(bindings > 100, `${bindings} bindings: the count is broken`);
  assert.ok(stack >= needed * 1.2, `the module body of ${bindings} top-level bindings needs about ${needed} stack slots; manifest.json gives ${stack}, less than 20% above it`);
});
