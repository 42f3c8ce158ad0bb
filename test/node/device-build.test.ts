/** The device bundle and manifest.json agree, and the bundle asks the device only for Moddable modules. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { buildDevice, ROOT } from "../../hosts/build/build.ts";

test("every module manifest.json names exists after npm run build:device", async () => {
  await buildDevice();
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "manifest.json"), "utf8"));
  // ours are the "./" paths
  const modules = [
    ...Object.values(manifest.modules as Record<string, string | string[]>),
    ...Object.values(manifest.platforms as Record<string, { modules?: Record<string, string | string[]> }>).flatMap((p) => Object.values(p.modules ?? {})),
  ]
    .flat()
    .filter((m) => m.startsWith("./"));
  assert.ok(modules.length >= 3);
  for (const m of modules) assert.ok(fs.existsSync(path.join(ROOT, m + ".js")), m + ".js");
  assert.equal(manifest.platforms.esp32.modules["iobox-platform"], "./build/device/platform-esp32");
  assert.equal(manifest.platforms.lin.modules["iobox-platform"], "./build/device/platform-sim");
  // the web UI goes into the image as a resource, named as hosts/moddable/main.ts opens it
  const data = (manifest.data["*"] as string[]).filter((d) => d.startsWith("./"));
  assert.deepEqual(data, ["./build/ui/index.html.gz", "./build/ui/setup.html.gz"]);
  const page = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, data[0]!))).toString("utf8");
  assert.match(page, /^<!doctype html>/);
  const boot = fs.readFileSync(path.join(ROOT, "hosts/moddable/boot.ts"), "utf8");
  assert.match(boot, /const WEB_UI = "index\.html\.gz";/);
  assert.match(boot, /const SETUP_UI = "setup\.html\.gz";/);
  // the device's code lives in flash: everything but main is preloaded
  for (const m of ["iobox", "iobox-platform"]) assert.ok((manifest.preload as string[]).includes(m), m + " is preloaded");
  // the TLS engine: its manifest, written by the build, on every platform
  assert.ok((manifest.include as string[]).includes("./build/device/manifest_tls.json"));
  const tls = JSON.parse(fs.readFileSync(path.join(ROOT, "build/device/manifest_tls.json"), "utf8"));
  assert.ok(fs.existsSync(path.join(ROOT, "build/device", tls.modules["iobox-tls"] + ".js")) && fs.existsSync(path.join(ROOT, "build/device", tls.modules["iobox-tls"] + ".c")));
  assert.deepEqual(tls.preload, ["iobox-tls"]);
  assert.deepEqual(tls.platforms.esp32.dependency, [{ idf: "mbedtls" }], "on the ESP32, ESP-IDF's Mbed TLS");
  assert.ok(!(manifest.preload as string[]).includes("main"), "main is not preloaded: it boots the device");
});

test("the device bundle imports only modules the Moddable build provides, each platform's module only what its platform's manifest includes", async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "manifest.json"), "utf8"));
  // what every build has (manifest.json's includes, the SDK's base and modules/io), and each platform's own
  // (iobox-tls: the TLS engine, build/device/manifest_tls.json, which manifest.json includes everywhere)
  const everywhere = /^(embedded:io\/socket\/(tcp|listener|udp)|crypt|file|mc\/config|net|socket|Resource|time|timer|iobox|iobox-platform|iobox-tls)$/;
  const byPlatform: Record<string, { file: string; includes: Record<string, string> }> = {
    esp32: { file: "platform-esp32.js", includes: { wifi: "network/wifi", "embedded:update": "io/update", "mc/ffi": "ffi" } },
    "esp32/wt32_eth01": { file: "platform-esp32-ethernet.js", includes: { ethernet: "network/ethernet", "embedded:update": "io/update", "mc/ffi": "ffi" } },
    lin: { file: "platform-sim.js", includes: { wifi: "network/wifi" } },
  };
  const esp32Io = /^embedded:(io\/digital|storage\/flash)$/; // modules/io's ESP32 manifest
  const expected: Record<string, string[]> = {
    "main.js": ["iobox"],
    "iobox.js": ["Resource", "crypt", "embedded:io/socket/listener", "embedded:io/socket/tcp", "embedded:io/socket/udp", "file", "iobox-platform", "iobox-tls", "mc/config", "net", "socket", "time", "timer"],
    "platform-esp32.js": ["embedded:io/digital", "embedded:storage/flash", "embedded:update", "mc/ffi", "net", "wifi"],
    "platform-esp32-ethernet.js": ["embedded:io/digital", "embedded:storage/flash", "embedded:update", "ethernet", "mc/ffi", "net"],
    "platform-sim.js": ["file", "mc/config", "net", "wifi"],
  };
  const importsOf = (file: string): string[] => {
    const code = fs.readFileSync(path.join(ROOT, "build/device", file), "utf8");
    const nodeOnly = /\b(require\(|process\.|Buffer\.|setTimeout|TextEncoder|console\.(log|warn|error|info)\b)/.exec(code);
    assert.equal(nodeOnly && code.slice(nodeOnly.index - 60, nodeOnly.index + 40), null, file + " uses nothing Node-only");
    return [...new Set([...code.matchAll(/(?:^|[;}\s])import(?:[^"';]*?from)?\s*"([^"]+)"/g)].map((m) => m[1]!))].sort();
  };
  for (const [file, want] of Object.entries(expected)) assert.deepEqual(importsOf(file), want, file);
  for (const file of ["main.js", "iobox.js"]) for (const specifier of importsOf(file)) assert.match(specifier, everywhere, `${file} imports ${specifier}`);
  // a platform's includes, with those of the project's own manifests it includes (hosts/moddable/manifest_esp32.json)
  const included = (platform: { include?: string[] }): { include: string[]; ffi: boolean } => {
    const all = [...(platform.include ?? [])];
    let ffi = false;
    for (const inc of platform.include ?? []) {
      if (!inc.startsWith("./")) continue;
      const m = JSON.parse(fs.readFileSync(path.join(ROOT, inc), "utf8")) as { include?: string[]; ffi?: unknown };
      all.push(...(m.include ?? []));
      ffi ||= m.ffi !== undefined;
    }
    return { include: all, ffi };
  };
  for (const [name, { file, includes }] of Object.entries(byPlatform)) {
    const platform = manifest.platforms[name];
    const { include, ffi } = included(platform);
    assert.equal(platform.modules?.["iobox-platform"] ?? manifest.modules["iobox-platform"], "./build/device/" + file.slice(0, -3), name);
    for (const specifier of importsOf(file)) {
      if (everywhere.test(specifier) || (name.startsWith("esp32") && esp32Io.test(specifier))) continue;
      const from = includes[specifier];
      assert.ok(from, `${file} imports ${specifier}, which the ${name} build does not provide`);
      if (from === "ffi") assert.ok(ffi, `the ${name} build declares FFI functions for mc/ffi`);
      else assert.ok(include.includes(`$(MODDABLE)/modules/${from}/manifest.json`), `the ${name} build includes ${from} for ${specifier}`);
    }
  }
  // the SDK's setup/network and setup/ethernet (from modules/io on ESP32) would hold the boot until
  // they joined the network that `ssid` names, or until the cable had a link: iobox joins by itself
  assert.equal(manifest.platforms["esp32/wt32_eth01"].config.ssid, "", "an empty ssid makes both step aside");
  assert.equal(manifest.config.ssid, undefined);
  assert.equal(manifest.platforms.esp32.config.ssid, undefined);
});

test("manifest.json gives the device a fixed heap no larger than Moddable's stock ESP32 targets', and lin the same slots", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "manifest.json"), "utf8"));
  const creation = manifest.creation;
  // esp32/nodemcu, esp32_thing, wt32_eth01 in SDK 8.2.3: 4,928 slots of 16 B, 78,848 B of chunks, no growth
  assert.ok(creation.heap.initial <= 4928 && creation.heap.incremental === 0, JSON.stringify(creation.heap));
  assert.ok(creation.chunk.initial <= 78_848 && creation.chunk.incremental === 0, JSON.stringify(creation.chunk));
  assert.equal(creation.static, 0);
  // lin is 64-bit: its slots and pointers are twice an ESP32's, so it gets twice the chunk bytes and the same slots
  const lin = manifest.platforms.lin.creation;
  assert.equal(lin.heap, undefined, "lin keeps the ESP32's slot count");
  assert.ok(lin.chunk.initial <= 2 * creation.chunk.initial && lin.chunk.incremental === 0, JSON.stringify(lin.chunk));
});

test("ESP-IDF settings: the watchdogs on, 16 TCP connections for the budget; per target, in the include that comes after the target's own", async () => {
  await buildDevice();
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "manifest.json"), "utf8"));
  const include = manifest.include as string[];
  assert.equal(include.indexOf("./build/device/manifest_sdkconfig.json"), include.indexOf("$(MODDABLE)/examples/manifest_base.json") + 1, "right after the base, which brings the target's manifest");
  const generated = JSON.parse(fs.readFileSync(path.join(ROOT, "build/device/manifest_sdkconfig.json"), "utf8"));
  for (const [platform, dir] of [
    ["esp32", "esp32"],
    ["esp32/wt32_eth01", "wt32_eth01"],
  ] as const) {
    assert.equal(generated.platforms[platform].build.SDKCONFIGPATH, "./sdkconfig/" + dir, platform);
    const text = fs.readFileSync(path.join(ROOT, "build/device/sdkconfig", dir, "sdkconfig.defaults"), "utf8");
    const set = new Map(text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split("=") as [string, string]));
    for (const [option, value] of [
      ["CONFIG_ESP_TASK_WDT_EN", "y"],
      ["CONFIG_ESP_TASK_WDT_INIT", "y"],
      ["CONFIG_ESP_TASK_WDT_PANIC", "y"],
      ["CONFIG_ESP_INT_WDT", "y"],
      ["CONFIG_LWIP_MAX_ACTIVE_TCP", "16"],
      ["CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE", "y"],
      ["CONFIG_MBEDTLS_SSL_PROTO_TLS1_3", "y"],
      ["CONFIG_MBEDTLS_SSL_IN_CONTENT_LEN", "16384"],
      ["CONFIG_MBEDTLS_SSL_OUT_CONTENT_LEN", "4096"],
      ["CONFIG_MBEDTLS_SSL_RENEGOTIATION", "n"],
    ]) assert.equal(set.get(option!), value, `${dir}: ${option}`);
    assert.ok(Number(set.get("CONFIG_ESP_TASK_WDT_TIMEOUT_S")) >= 5, "a watchdog that slow turns do not trip");
    assert.equal(set.get("CONFIG_ETH_ENABLED"), dir === "wt32_eth01" ? "y" : undefined, "the WT32-ETH01 keeps its Ethernet settings");
  }
  // the budget fits what lwIP is given, with room for connections closing
  const { DEVICE_BUDGET } = await import("../../src/connection-budget.ts");
  assert.ok(DEVICE_BUDGET.slots <= 16 - 4, `${DEVICE_BUDGET.slots} connections in a budget for 16 TCP control blocks`);
  assert.equal(manifest.defines.xs.abortHook, 1, "the abort hook (hosts/moddable/boot.ts) is compiled in");
});
