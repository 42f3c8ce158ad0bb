/**
 * The Moddable SDK for the device stage, and the device image built with it.
 *
 * The SDK is `$MODDABLE` when set (a full SDK built for Linux); otherwise the prebuilt lin subset
 * of SDK 8.2.3 that sits beside the project (`../shared/moddable/moddable-sdk-8.2.3-lin.tar.xz`, or
 * `$IOBOX_MODDABLE_TARBALL`) is unpacked into build/moddable/ once, and kept while the tarball is
 * unchanged. Nothing of the SDK is copied into the project's sources.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildDevice, ROOT } from "../../hosts/build/build.ts";
import { buildMbedtls } from "../../hosts/build/mbedtls.ts";

export const SDK_TARBALL = process.env.IOBOX_MODDABLE_TARBALL ?? path.resolve(ROOT, "../shared/moddable/moddable-sdk-8.2.3-lin.tar.xz");
const UNPACKED = path.join(ROOT, "build/moddable");

export interface Sdk {
  /** $MODDABLE */
  root: string;
  /** mcconfig, mcsim and the tools */
  bin: string;
  /** Where it came from, for the log. */
  source: string;
}

export function sdkAt(root: string, source: string): Sdk {
  const bin = path.join(root, "build/bin/lin/release");
  for (const tool of ["mcconfig", "mcsim", "xsc", "xsl"]) {
    if (!fs.existsSync(path.join(bin, tool))) throw new Error(`${source}: no ${tool} in ${bin}; it is not a Moddable SDK built for Linux`);
  }
  return { root, bin, source };
}

export function findSdk(): Sdk {
  const given = process.env.MODDABLE;
  if (given) return sdkAt(given, `$MODDABLE (${given})`);
  if (!fs.existsSync(SDK_TARBALL)) {
    throw new Error(`no Moddable SDK: set MODDABLE to an SDK built for Linux, or put the lin tarball at ${SDK_TARBALL} (or name it in IOBOX_MODDABLE_TARBALL)`);
  }
  const stamp = path.join(UNPACKED, "unpacked-from");
  const tag = `${SDK_TARBALL} ${fs.statSync(SDK_TARBALL).size} ${fs.statSync(SDK_TARBALL).mtimeMs}`;
  const unpacked = fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === tag;
  if (!unpacked) {
    fs.rmSync(UNPACKED, { recursive: true, force: true });
    fs.mkdirSync(UNPACKED, { recursive: true });
    execFileSync("tar", ["-xJf", SDK_TARBALL, "-C", UNPACKED], { stdio: "inherit" });
    fs.writeFileSync(stamp, tag);
  }
  const dirs = fs.readdirSync(UNPACKED).filter((d) => fs.statSync(path.join(UNPACKED, d)).isDirectory());
  if (dirs.length !== 1) throw new Error(`${SDK_TARBALL} did not unpack to one SDK folder (found ${dirs.join(", ") || "none"})`);
  return sdkAt(path.join(UNPACKED, dirs[0]!), `${path.relative(ROOT, SDK_TARBALL)} (unpacked in ${path.relative(ROOT, UNPACKED)})`);
}

export function sdkEnv(sdk: Sdk): NodeJS.ProcessEnv {
  return { ...process.env, MODDABLE: sdk.root, PATH: `${sdk.bin}:${process.env.PATH}` };
}

export interface Image {
  /** The app mcsim loads. */
  so: string;
  /** The build's own output folder (mc.xs.c, the archive). */
  tmp: string;
  seconds: number;
}

/**
 * Builds the device image for lin with mcconfig: the esbuild bundle first, then the test build of
 * manifest.json (test/device/manifest.json: the product image plus the test port), instrumented.
 * `config` goes to mc/config (`adminPassword=…`).
 */
export async function buildImage(sdk: Sdk, out: string, config: Record<string, string>): Promise<Image> {
  await buildDevice();
  await buildMbedtls(); // the TLS engine's library, linked into mc.so (build/device/manifest_tls.json)
  fs.mkdirSync(out, { recursive: true });
  fs.mkdirSync(path.join(os.homedir(), ".config/tech.moddable.mcsim"), { recursive: true }); // mcsim exits without it
  const started = performance.now();
  const args = ["-m", "-p", "lin", "-i", "-t", "build", "-o", out, path.join(ROOT, "test/device/manifest.json"), ...Object.entries(config).map(([k, v]) => `${k}=${v}`)];
  // -t build: the debug makefile's default target would launch (and first pkill) mcsim
  const log = await new Promise<string>((resolve, reject) => {
    const p = spawn(path.join(sdk.bin, "mcconfig"), args, { cwd: ROOT, env: sdkEnv(sdk), stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    p.stdout.on("data", (d: Buffer) => (text += d));
    p.stderr.on("data", (d: Buffer) => (text += d));
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`mcconfig failed (exit ${code}):\n${text.split("\n").slice(-40).join("\n")}`))));
  });
  const so = path.join(out, "bin/lin/mc/instrument/iobox/mc.so");
  if (!fs.existsSync(so)) throw new Error("mcconfig made no " + so + ":\n" + log.slice(-2000));
  return { so, tmp: path.join(out, "tmp/lin/mc/instrument/iobox"), seconds: (performance.now() - started) / 1000 };
}

/** What the XS linker put into the image, from the mc.xs.c it wrote. */
export interface ImageFigures {
  /** Slots made by preloading, in flash. */
  preloadedSlots: number;
  /** Preloaded objects that stay writable: one pointer each in RAM (4 B on an ESP32), outside the XS heap. */
  aliases: number;
  /** Property names in the image. */
  keys: number;
  /** The creation settings: slots, chunk bytes, stack slots. */
  heapSlots: number;
  chunkBytes: number;
  stackSlots: number;
  /** Bytes of XS byte code of the image's own modules (.xsb). */
  byteCode: Record<string, number>;
}

export function imageFigures(image: Image): ImageFigures {
  const c = fs.readFileSync(path.join(image.tmp, "mc.xs.c"), "utf8");
  const define = (name: string): number => {
    const m = new RegExp(`#define ${name} (\\d+)`).exec(c);
    if (!m) throw new Error(`mc.xs.c defines no ${name}`);
    return Number(m[1]);
  };
  // { chunk.initial, chunk.incremental, heap.initial, heap.incremental, stack, ... } in gxPreparation
  const creation = /\{ (\d+), (\d+), (\d+), (\d+), (\d+), \d+, \d+, \d+, \d+, \d+, \d+, \d+, \d+\},\s*"main"/.exec(c);
  if (!creation) throw new Error("mc.xs.c: no creation settings found");
  const byteCode: Record<string, number> = {};
  for (const name of ["main", "iobox", "iobox-platform"]) {
    const xsb = path.join(image.tmp, "modules", name + ".xsb");
    if (fs.existsSync(xsb)) byteCode[name] = fs.statSync(xsb).size;
  }
  return {
    preloadedSlots: define("mxHeapCount"),
    aliases: define("mxAliasCount"),
    keys: define("mxKeysCount"),
    chunkBytes: Number(creation[1]),
    heapSlots: Number(creation[3]),
    stackSlots: Number(creation[5]),
    byteCode,
  };
}
