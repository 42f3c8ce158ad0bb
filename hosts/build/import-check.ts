/**
 * The import rule of the house: the portable core (src/) imports only src/ and mqtt-packet (which
 * runs over hosts/shims where Node is absent), and the simulated hardware (sim/) only src/, sim/ and
 * vetted pure-JS packages. No node:* and no Moddable module may enter either, or the device (or XS)
 * breaks silently. Used as an esbuild plugin by every build and by `checkImports`, which the test
 * suite runs.
 */
import fs from "node:fs";
import path from "node:path";
import { builtinModules } from "node:module";
import * as esbuild from "esbuild";
import { NEUTRAL_MAIN_FIELDS, nodeShims } from "./shims-plugin.ts";

export interface ImportRule {
  /** Directory whose files the rule governs. */
  dir: string;
  /** Directories those files may import from. */
  mayImport: string[];
  /** npm packages they may import (checked for XS first: no Node built-ins, no globals XS lacks). */
  packages: string[];
}

export function houseRules(root: string): ImportRule[] {
  const src = path.join(root, "src");
  const sim = path.join(root, "sim");
  return [
    { dir: src, mayImport: [src], packages: ["mqtt-packet"] },
    { dir: sim, mayImport: [src, sim], packages: ["@noble/hashes", "@noble/curves"] },
  ];
}

const MODDABLE = /^(embedded:|mc\/|pins\/|mod\/|commodetto|piu)|^(crypt|file|flash|http|mqtt|net|preference|securesocket|socket|time|timer|websocket|wifi|instrumentation|debug|sntp|resource|iobox-platform)$/;

function inside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** Why `specifier`, imported from `importer`, breaks `rule`; undefined when it is allowed. */
export function violation(rule: ImportRule, importer: string, specifier: string, resolveDir: string): string | undefined {
  const what = `${path.basename(rule.dir)}/ may import only ${rule.mayImport.map((d) => path.basename(d) + "/").join(", ")}${rule.packages.length ? " and " + rule.packages.join(", ") : ""}`;
  if (specifier.startsWith(".") || path.isAbsolute(specifier)) {
    const target = path.resolve(resolveDir, specifier);
    if (rule.mayImport.some((d) => inside(target, d))) return undefined;
    return `"${specifier}" is outside (${what})`;
  }
  if (specifier.startsWith("node:") || builtinModules.includes(specifier)) return `"${specifier}" is a Node.js module (${what})`;
  if (MODDABLE.test(specifier)) return `"${specifier}" is a Moddable module (${what})`;
  if (rule.packages.includes(packageName(specifier))) return undefined;
  return `"${specifier}" is not a vetted package (${what})`;
}

export function importCheckPlugin(rules: ImportRule[]): esbuild.Plugin {
  return {
    name: "import-check",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!args.importer) return undefined;
        const rule = rules.find((r) => inside(args.importer, r.dir));
        if (!rule) return undefined;
        const problem = violation(rule, args.importer, args.path, args.resolveDir);
        return problem ? { errors: [{ text: problem }] } : undefined;
      });
    },
  };
}

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Checks every file the rules govern; returns one line per violation ("file:line: problem"). */
export async function checkImports(rules: ImportRule[]): Promise<string[]> {
  const entryPoints = rules.flatMap((r) => sources(r.dir));
  try {
    await esbuild.build({
      entryPoints,
      bundle: true,
      write: false,
      outdir: "/nonexistent",
      logLevel: "silent",
      platform: "neutral",
      mainFields: NEUTRAL_MAIN_FIELDS,
      plugins: [importCheckPlugin(rules), nodeShims],
    });
    return [];
  } catch (e) {
    const errors = (e as esbuild.BuildFailure).errors ?? [];
    if (!errors.length) throw e;
    return errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text));
  }
}
