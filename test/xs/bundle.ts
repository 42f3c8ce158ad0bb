/** Bundles scripts for XS: one classic script (iife), ES2022, nothing Node-specific (packages get hosts/shims). */
import path from "node:path";
import * as esbuild from "esbuild";
import { houseRules, importCheckPlugin } from "../../hosts/build/import-check.ts";
import { NEUTRAL_MAIN_FIELDS, nodeShims } from "../../hosts/build/shims-plugin.ts";
import { preloadEmulation } from "./preload.ts";

/** Bundles `entry` (TypeScript source, imports resolved from `resolveDir`) into one script. */
export async function bundleForXs(entry: string, resolveDir: string, plugins: esbuild.Plugin[] = []): Promise<string> {
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir, loader: "ts", sourcefile: "xs-entry.ts" },
    bundle: true,
    write: false,
    format: "iife",
    // modules are strict code; an iife bundle is not, unless it says so (a write to a frozen
    // property would then fail silently, where the device throws)
    banner: { js: '"use strict";' },
    platform: "neutral",
    mainFields: NEUTRAL_MAIN_FIELDS,
    target: "es2022",
    // xsnap's XS (13.3) runs a static field initializer before the class's instance fields are
    // installed, so `static BASE = new Point()` in a class with fields throws "not initialized yet";
    // @noble/curves does exactly that at load (XS 17 in the SDK does not: checked with its xst).
    // Lowered, the statics are assigned after the class.
    supported: { "class-static-field": false },
    logLevel: "silent",
    plugins: [...plugins, nodeShims],
  });
  return result.outputFiles[0]!.text;
}

/**
 * The core suites as one script: the harness's `test` is swapped for the XS runner and each suite is
 * loaded after `beginSuite(name)`, so results carry their suite's name. The import rule applies to
 * test/core as well: core suites may use only src/, sim/, the harness and the @noble packages (the
 * JWT suite signs its test tokens with them). The device image's modules get the preload emulation
 * (preload.ts).
 */
export function bundleCoreSuites(root: string, files: string[]): Promise<string> {
  const harness = path.join(root, "test/harness");
  const core = path.join(root, "test/core");
  const rules = [...houseRules(root), { dir: core, mayImport: [path.join(root, "src"), path.join(root, "sim"), harness, core], packages: ["@noble/hashes", "@noble/curves"] }];
  const entry = [
    `import { beginSuite, runAll } from ${JSON.stringify(path.join(harness, "test-xs.ts"))};`,
    "(async () => {",
    ...files.map((f) => `  beginSuite(${JSON.stringify(path.basename(f).replace(/\.test\.ts$/, ""))}); await import(${JSON.stringify(f)});`),
    "  await runAll();",
    "})();",
  ].join("\n");
  const swapHarness: esbuild.Plugin = {
    name: "xs-harness",
    setup(build) {
      build.onResolve({ filter: /harness\/test\.ts$/ }, () => ({ path: path.join(harness, "test-xs.ts") }));
    },
  };
  return bundleForXs(entry, root, [swapHarness, importCheckPlugin(rules), preloadEmulation(root)]);
}
