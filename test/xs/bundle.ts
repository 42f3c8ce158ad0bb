/**
 * Bundles the core suites into one script for XS: the harness's `test` is swapped for the XS runner
 * and each suite is loaded after `beginSuite(name)`, so results carry their suite's name.
 */
import path from "node:path";
import * as esbuild from "esbuild";
import { houseRules, importCheckPlugin } from "../../hosts/build/import-check.ts";

export async function bundleCoreSuites(root: string, files: string[]): Promise<string> {
  const harness = path.join(root, "test/harness");
  const core = path.join(root, "test/core");
  const rules = [...houseRules(root), { dir: core, mayImport: [path.join(root, "src"), path.join(root, "sim"), harness, core], packages: ["@noble/hashes"] }];
  const lines = [
    `import { beginSuite, runAll } from ${JSON.stringify(path.join(harness, "test-xs.ts"))};`,
    "(async () => {",
    ...files.map((f) => `  beginSuite(${JSON.stringify(path.basename(f).replace(/\.test\.ts$/, ""))}); await import(${JSON.stringify(f)});`),
    "  await runAll();",
    "})();",
  ];
  const swapHarness: esbuild.Plugin = {
    name: "xs-harness",
    setup(build) {
      build.onResolve({ filter: /harness\/test\.ts$/ }, () => ({ path: path.join(harness, "test-xs.ts") }));
    },
  };
  const result = await esbuild.build({
    stdin: { contents: lines.join("\n"), resolveDir: root, loader: "ts", sourcefile: "xs-entry.ts" },
    bundle: true,
    write: false,
    format: "iife",
    platform: "neutral",
    target: "es2022",
    logLevel: "silent",
    plugins: [swapHarness, importCheckPlugin(rules)],
  });
  return result.outputFiles[0]!.text;
}
