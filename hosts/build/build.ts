/**
 * Builds with esbuild and prints a size report.
 *   sim     build/sim/iobox.mjs: the simulator (hosts/node), what `npm start` runs
 *   device  build/device/*.js: the device bundle (hosts/moddable) that manifest.json hands to mcconfig
 * Every build applies the import rule (src/ and sim/ stay portable).
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { writeUi } from "../web-ui/build.ts";
import { houseRules, importCheckPlugin } from "./import-check.ts";
import { writeSdkconfig } from "./sdkconfig.ts";
import { writeTlsManifest } from "./mbedtls.ts";
import { NEUTRAL_MAIN_FIELDS, nodeShims } from "./shims-plugin.ts";
import { p256PublicKeyFromPem } from "../../src/auth/jwt.ts";
import { parseVersion } from "../../src/firmware/image.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Moddable modules are resolved by mcconfig on the device, not bundled. */
const moddableExternals: esbuild.Plugin = {
  name: "moddable-externals",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.importer.startsWith(path.join(ROOT, "hosts/moddable"))) return { path: args.path, external: true };
      return undefined;
    });
  },
};

export interface Built {
  name: string;
  files: { file: string; bytes: number; gzip: number }[];
  /** Output bytes by source folder (src, sim, hosts/..., node_modules/<pkg>). */
  byFolder: Record<string, number>;
}

function folderOf(input: string): string {
  const rel = input.replace(/^.*node_modules\//, "node_modules/");
  const parts = rel.split("/");
  if (parts[0] === "node_modules") return parts.slice(0, parts[1]?.startsWith("@") ? 3 : 2).join("/");
  if (parts[0] === "hosts") return parts.slice(0, 2).join("/");
  return parts[0]!;
}

function report(name: string, result: esbuild.BuildResult<{ metafile: true }>): Built {
  const files: Built["files"] = [];
  const byFolder: Record<string, number> = {};
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith(".map")) continue;
    const bytes = fs.readFileSync(path.join(ROOT, file));
    files.push({ file, bytes: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length });
    for (const [input, info] of Object.entries(out.inputs)) {
      const folder = folderOf(input);
      byFolder[folder] = (byFolder[folder] ?? 0) + info.bytesInOutput;
    }
  }
  return { name, files, byFolder };
}

/** A Node program as the simulator is built: one minified ESM file per entry, `.mjs`. */
export function buildNodeProgram(entryPoints: Record<string, string>, outdir: string, options: esbuild.BuildOptions = {}): Promise<esbuild.BuildResult<{ metafile: true }>> {
  return esbuild.build({
    absWorkingDir: ROOT,
    entryPoints,
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: true,
    logLevel: "warning",
    plugins: [importCheckPlugin(houseRules(ROOT))],
    // CommonJS packages in an ESM bundle (mqtt-packet) require Node's modules: give them `require`
    banner: { js: 'import { createRequire as __iobox_createRequire } from "node:module"; const require = __iobox_createRequire(import.meta.url);' },
    // mqtt-packet uses only bl's BufferList; the package's main also pulls in readable-stream (76 KB)
    alias: { bl: "bl/BufferList.js" },
    ...options,
    metafile: true,
  });
}

/**
 * What a build says about itself: its version (default: the source's) and the release key whose
 * signatures its firmware updates must carry (a PEM P-256 public key file; without one the build
 * takes no firmware). The environment gives them to `npm start` and the builds: IOBOX_VERSION,
 * IOBOX_FIRMWARE_KEY.
 */
export interface BuildIdentity {
  version?: string;
  firmwareKey?: string;
}

function identityDefines(id: BuildIdentity): Record<string, string> {
  const defines: Record<string, string> = {};
  const version = id.version ?? process.env.IOBOX_VERSION;
  if (version) {
    parseVersion(version); // a bad one stops the build
    defines.IOBOX_VERSION = JSON.stringify(version.replace(/^v/, ""));
  }
  const keyFile = id.firmwareKey ?? process.env.IOBOX_FIRMWARE_KEY;
  if (keyFile) defines.IOBOX_FIRMWARE_KEY = JSON.stringify(Buffer.from(p256PublicKeyFromPem(fs.readFileSync(keyFile, "utf8"))).toString("base64"));
  return defines;
}

/** `import page from "iobox-web-ui"` and `"iobox-setup-ui"`: the pages' gzip bytes, built first (hosts/web-ui/build.ts). */
function webUiPlugin(pages: Record<string, Uint8Array>): esbuild.Plugin {
  return {
    name: "iobox-web-ui",
    setup(build) {
      build.onResolve({ filter: /^iobox-(web|setup)-ui$/ }, (args) => ({ path: args.path, namespace: "iobox-web-ui" }));
      build.onLoad({ filter: /.*/, namespace: "iobox-web-ui" }, (args) => ({ contents: pages[args.path]!, loader: "binary" }));
    },
  };
}

/** The simulator, into build/sim (what `npm start` runs) or `outdir` (an image of another version, say). */
export async function buildSim(options: BuildIdentity & { outdir?: string } = {}): Promise<Built> {
  const { ui, setup } = await writeUi();
  const plugins = [importCheckPlugin(houseRules(ROOT)), webUiPlugin({ "iobox-web-ui": ui.gzip, "iobox-setup-ui": setup.gzip })];
  const built = report("simulator", await buildNodeProgram({ iobox: "hosts/node/main.ts" }, options.outdir ?? "build/sim", { sourcemap: true, plugins, define: identityDefines(options) }));
  return withUi(built, ui.gzip.length, setup.gzip.length);
}

/** The pages are resources of their own on the device (manifest.json), so they are reported apart. */
function withUi(built: Built, gzip: number, setupGzip: number): Built {
  built.files.push({ file: "build/ui/index.html.gz", bytes: gzip, gzip }, { file: "build/ui/setup.html.gz", bytes: setupGzip, gzip: setupGzip });
  return built;
}

export async function buildDevice(options: BuildIdentity = {}): Promise<Built> {
  const { ui, setup } = await writeUi();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: "hosts/moddable/main.ts", iobox: "hosts/moddable/boot.ts", "test-port": "hosts/moddable/test-port.ts", "platform-esp32": "hosts/moddable/platform-esp32.ts", "platform-esp32-ethernet": "hosts/moddable/platform-esp32-ethernet.ts", "platform-sim": "hosts/moddable/platform-sim.ts" },
    outdir: "build/device",
    bundle: true,
    platform: "neutral",
    mainFields: NEUTRAL_MAIN_FIELDS,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: "warning",
    plugins: [importCheckPlugin(houseRules(ROOT)), nodeShims, moddableExternals],
    define: identityDefines(options),
  });
  writeSdkconfig(path.join(ROOT, "build/device"));
  writeTlsManifest(path.join(ROOT, "build/device"));
  return withUi(report("device", result), ui.gzip.length, setup.gzip.length);
}

export function printReport(built: Built): void {
  const kb = (n: number): string => (n / 1024).toFixed(1).padStart(7) + " KB";
  process.stdout.write(`${built.name} build:\n`);
  for (const f of built.files) process.stdout.write(`  ${f.file.padEnd(32)} ${kb(f.bytes)} minified ${kb(f.gzip)} gzip\n`);
  const folders = Object.entries(built.byFolder).sort((a, b) => b[1] - a[1]);
  process.stdout.write("  by source folder:");
  for (const [folder, bytes] of folders) process.stdout.write(` ${folder} ${(bytes / 1024).toFixed(1)} KB;`);
  process.stdout.write("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const quiet = args.includes("--quiet");
  const which = args.filter((a) => a !== "--quiet");
  if (!which.length || which.some((w) => w !== "sim" && w !== "device")) {
    process.stderr.write("usage: build.ts [--quiet] sim|device ...\n");
    process.exit(2);
  }
  try {
    for (const w of which) {
      const built = w === "sim" ? await buildSim() : await buildDevice();
      if (!quiet) printReport(built);
    }
  } catch {
    process.exit(1); // esbuild has printed the errors
  }
}
