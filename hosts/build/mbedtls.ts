/**
 * Mbed TLS 4.0 for the device image built for `lin` (the CI's device stage): the sources beside the
 * project (`../shared/mbedtls/mbedtls-4.0.0.tar.xz`, or `$IOBOX_MBEDTLS_TARBALL`) are unpacked into
 * build/mbedtls/ once, compiled with iobox's settings (hosts/moddable/tls/*-user-config.h) into
 * one static library, and linked into mc.so through the manifest (build/device/manifest_tls.json).
 *
 * A library, not the sources listed in the manifest: mcconfig names object files by file name alone
 * and keeps the first of a name, silently, and Mbed TLS's x509.c and version.c share names with
 * Moddable's (../shared/mbedtls/NOTES.md). On the ESP32 the library is ESP-IDF's own component, the
 * same 4.0 line (ESP-IDF v6.0), set by sdkconfig.
 */
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const MBEDTLS_TARBALL = process.env.IOBOX_MBEDTLS_TARBALL ?? path.resolve(ROOT, "../shared/mbedtls/mbedtls-4.0.0.tar.xz");
const OUT = path.join(ROOT, "build/mbedtls");
const SETTINGS = path.join(ROOT, "hosts/moddable/tls");
export const MBEDTLS_LIBRARY = path.join(OUT, "libmbedtls-iobox.a");

/** The folders compiled into the library, under the unpacked tree. */
const SOURCES = ["library", "tf-psa-crypto/core", "tf-psa-crypto/drivers/builtin/src"];
const INCLUDES = ["include", "library", "tf-psa-crypto/include", "tf-psa-crypto/core", "tf-psa-crypto/drivers/builtin/include", "tf-psa-crypto/drivers/builtin/src"];

/** Where the tarball unpacks (its one folder). */
export function mbedtlsTree(): string {
  return path.join(OUT, "src", "mbedtls-4.0.0");
}

/**
 * The compiler flags for code that uses the library: its headers and iobox's settings. The device
 * image's own C (tls-engine.c) is compiled with these too, so both see the same configuration.
 */
export function mbedtlsFlags(): string[] {
  const tree = mbedtlsTree();
  return [
    ...INCLUDES.map((dir) => "-I" + path.join(tree, dir)),
    `-DMBEDTLS_USER_CONFIG_FILE="${path.join(SETTINGS, "mbedtls-user-config.h")}"`,
    `-DTF_PSA_CRYPTO_USER_CONFIG_FILE="${path.join(SETTINGS, "crypto-user-config.h")}"`,
  ];
}

function unpack(): void {
  if (!fs.existsSync(MBEDTLS_TARBALL)) {
    throw new Error(`no Mbed TLS sources: put mbedtls-4.0.0.tar.xz at ${MBEDTLS_TARBALL} (or name it in IOBOX_MBEDTLS_TARBALL)`);
  }
  const stamp = path.join(OUT, "src", "unpacked-from");
  const tag = `${MBEDTLS_TARBALL} ${fs.statSync(MBEDTLS_TARBALL).size} ${fs.statSync(MBEDTLS_TARBALL).mtimeMs}`;
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === tag && fs.existsSync(mbedtlsTree())) return;
  fs.rmSync(path.join(OUT, "src"), { recursive: true, force: true });
  fs.mkdirSync(path.join(OUT, "src"), { recursive: true });
  execFileSync("tar", ["-xJf", MBEDTLS_TARBALL, "-C", path.join(OUT, "src")], { stdio: "inherit" });
  if (!fs.existsSync(mbedtlsTree())) throw new Error(`${MBEDTLS_TARBALL} did not unpack to ${path.relative(ROOT, mbedtlsTree())}`);
  fs.writeFileSync(stamp, tag);
}

/** Compiles one source; rejects with the compiler's output. */
function compile(source: string, object: string, flags: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const cc = spawn(process.env.CC ?? "cc", [...flags, "-c", source, "-o", object], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    cc.stdout.on("data", (d: Buffer) => (output += d));
    cc.stderr.on("data", (d: Buffer) => (output += d));
    cc.on("error", reject);
    cc.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`cc failed on ${path.relative(ROOT, source)}:\n${output.slice(-4000)}`))));
  });
}

/**
 * The static library for lin, built when its sources, settings or flags changed. Returns its path
 * and how long the build took (0 when it was up to date).
 */
export async function buildMbedtls(): Promise<{ library: string; seconds: number }> {
  unpack();
  const tree = mbedtlsTree();
  // -fPIC: it goes into mc.so; -O2 as the probe measured
  const flags = ["-O2", "-fPIC", "-std=c99", ...mbedtlsFlags()];
  const sources = SOURCES.flatMap((dir) =>
    fs
      .readdirSync(path.join(tree, dir))
      .filter((f) => f.endsWith(".c"))
      .sort()
      .map((f) => path.join(tree, dir, f)),
  );
  const settings = ["mbedtls-user-config.h", "crypto-user-config.h"].map((f) => fs.readFileSync(path.join(SETTINGS, f), "utf8"));
  const tag = crypto.createHash("sha256").update(JSON.stringify([fs.readFileSync(path.join(OUT, "src", "unpacked-from"), "utf8"), flags, settings, sources])).digest("hex");
  const stamp = path.join(OUT, "built-from");
  if (fs.existsSync(MBEDTLS_LIBRARY) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === tag) return { library: MBEDTLS_LIBRARY, seconds: 0 };

  const started = performance.now();
  const objects = path.join(OUT, "obj");
  fs.rmSync(objects, { recursive: true, force: true });
  fs.mkdirSync(objects, { recursive: true });
  // object names carry their folder: the library's and the crypto core's names may meet
  const jobs = sources.map((source) => ({ source, object: path.join(objects, path.relative(tree, source).replace(/[/\\]/g, "__").replace(/\.c$/, ".o")) }));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await compile(job.source, job.object, flags);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, os.cpus().length) }, worker));
  fs.rmSync(MBEDTLS_LIBRARY, { force: true });
  execFileSync("ar", ["rcs", MBEDTLS_LIBRARY, ...jobs.map((j) => j.object)]);
  fs.writeFileSync(stamp, tag);
  return { library: MBEDTLS_LIBRARY, seconds: (performance.now() - started) / 1000 };
}

/**
 * Writes `<dir>/manifest_tls.json`, which manifest.json includes: the native TLS engine
 * (hosts/moddable/tls/tls-engine) on every platform; on lin the library built here and its flags
 * (absolute paths: they go into the makefile mcconfig writes), on the ESP32 ESP-IDF's Mbed TLS.
 */
export function writeTlsManifest(dir: string): void {
  // make hands C_FLAGS to a shell: the quotes of a header name must survive it
  const cflags = mbedtlsFlags().map((f) => (f.includes('"') ? `'${f}'` : f));
  const manifest = {
    modules: { "iobox-tls": path.relative(dir, path.join(SETTINGS, "tls-engine")) },
    preload: ["iobox-tls"],
    platforms: {
      lin: { build: { LIBRARIES: MBEDTLS_LIBRARY, C_FLAGS: cflags.join(" ") } },
      esp32: { dependency: [{ idf: "mbedtls" }] },
    },
  };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "manifest_tls.json"), JSON.stringify(manifest, null, "\t") + "\n");
}
