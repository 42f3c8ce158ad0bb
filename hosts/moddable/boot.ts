/**
 * The device: the module `iobox` of the image (manifest.json), preloaded, so its code and every
 * constant table of the core it bundles live in flash. Its body only defines; `main` calls `boot`,
 * and all state is created from there (see ../../README.md, "The device's memory"). `config.json` on the device's flash
 * decides the board and the web server (xentara.md §2.1: no `httpServer`, no web server); without
 * the file, the manifest's `config` (mc/config) does. A config.json that cannot be read or checked
 * is logged and the manifest's settings are used, so a bad upload never cuts the device off.
 *
 * `httpServer.port` (without config.json, the manifest's httpsPort) is served over TLS by the device's
 * own TLS engine (Mbed TLS, hosts/moddable/tls.ts) with the unit's own certificate.
 */
import config from "mc/config";
import Resource from "Resource";
import platform from "iobox-platform";
import { BOARDS, findBoard, type BoardProfile } from "../../src/boards.ts";
import { LAST_ABORT_FILE } from "../../src/boot-record.ts";
import { encodeUtf8 } from "../../src/bytes.ts";
import { parseConfig, type ServerConfig } from "../../src/config.ts";
import { parseOAuth2, type OAuth2Config } from "../../src/auth/oauth2.ts";
import { parseSecurity, type SecurityConfig } from "../../src/auth/security.ts";
import { builtInReleaseKey } from "../../src/firmware/release-key.ts";
import { MAX_CONFIG_FILE_BYTES, readText } from "../../src/flash-files.ts";
import { DEVICE_PROFILE } from "../../src/device-profile.ts";
import type { MqttLimits } from "../../src/mqtt/client.ts";
import { startDevice, type Device, type ListenerConfig } from "../../src/device.ts";
import { ModdableFiles } from "./files.ts";
import { ModdableHost } from "./host.ts";

/**
 * Boots the device: called once by `main`. Everything the device holds in RAM is created from here;
 * this module's body (preloaded into flash) only defines.
 */
export default function boot(): void {
  (globalThis as { abort?: typeof onAbort }).abort = onAbort;
  try {
    configure();
  } catch (e) {
    // escaping main would abort the VM; a device that cannot start says why on its console
    trace(`error iobox could not start: ${(e as Error).message}\n`);
  }
}

function configure(): void {
  const notes: string[] = [];
  const files = new ModdableFiles();
  const fileConfig = readJsonFile(files, "config.json", notes, (text) => parseConfig(text));
  const security = readJsonFile(files, "security.json", notes, (text) => parseSecurity(text));
  const oauth2 = readJsonFile(files, "oauth2.json", notes, (text) => parseOAuth2(text, "oauth2.json", (p) => readFile(files, p)));
  const boardName: string = fileConfig?.board ?? config.board ?? "jnior-410";
  const board = findBoard(boardName);
  if (!board) {
    throw new Error(`unknown board "${boardName}" (known: ${BOARDS.map((b) => b.name).join(", ")})`);
  }
  const host = new ModdableHost(platform, board, platform.restartsInPlace ? restartInPlace : undefined);
  const listeners: ListenerConfig[] = [];
  // TLS with the certificate security.json names, or the unit's own (src/tls/identity.ts)
  const tls = tlsOf(files, security, notes);
  if (!fileConfig) listeners.push({ name: "http", port: config.httpPort ?? 80 }, { name: "https", port: config.httpsPort ?? 443, tls });
  else if (fileConfig.httpServer) {
    if (fileConfig.httpServer.httpPort !== undefined) listeners.push({ name: "http", port: fileConfig.httpServer.httpPort });
    listeners.push({ name: "https", port: fileConfig.httpServer.port, tls });
  } else host.log("info", "config.json has no httpServer: no web server");
  for (const n of notes) host.log("error", n);
  start(host, board, listeners, { file: fileConfig, security, oauth2 });
}

/**
 * A configuration file on flash (uploaded through the file area, which checked it whole), parsed;
 * undefined when there is none. One that cannot be read or checked now is noted and left out, so a
 * bad upload never cuts the device off: the manifest's settings (config.json), nobody on /api/ws
 * (security.json), no token issuers (oauth2.json).
 */
function readJsonFile<T>(files: ModdableFiles, name: string, notes: string[], parse: (text: string) => T): T | undefined {
  try {
    const text = readFile(files, name);
    return text === undefined ? undefined : parse(text);
  } catch (e) {
    notes.push(`${name} ignored: ${(e as Error).message}`);
    return undefined;
  }
}

/** A configuration file, or a certificate or key it names, as text (src/flash-files.ts). */
function readFile(files: ModdableFiles, path: string): string | undefined {
  return readText(files, path, MAX_CONFIG_FILE_BYTES);
}

/** security.json's certificate and key (files uploaded to /certs), or "identity" when it names none or they cannot be read. */
function tlsOf(files: ModdableFiles, security: SecurityConfig | undefined, notes: string[]): ListenerConfig["tls"] {
  const named = security?.tls;
  if (!named) return "identity";
  try {
    const cert = readFile(files, named.certificatePath);
    const key = readFile(files, named.privateKeyPath);
    if (cert && key) return { cert, key, fallback: "identity" };
    notes.push(`security.json: ${cert ? named.privateKeyPath : named.certificatePath} is not on the unit; the unit's own certificate serves`);
  } catch (e) {
    notes.push(`security.json: its certificate cannot be read (${(e as Error).message}); the unit's own certificate serves`);
  }
  return "identity";
}

/**
 * `mcconfig … adminPassword=…`: the administrator's password at the first boot, for tests and for
 * owners who provision at build time; a password changed later stays changed. Not `password`:
 * Moddable's network setup reads that one as the Wi-Fi passphrase. Without it, the first boot makes
 * a random password and shows it once on the console. It must be a valid password (printable
 * ASCII); a bad one stops the boot with the reason.
 */
/**
 * The device's MQTT limits; a build's mqttMinBackoffMs= shortens the first reconnect delay. Only the
 * device fuzzer sets it (test/fuzz/device-runner.ts): its broker ends a connection on most inputs,
 * and a second between inputs would take a day to reach 10^5 of them.
 */
function mqttLimits(): MqttLimits {
  const ms = Number((config as { mqttMinBackoffMs?: unknown }).mqttMinBackoffMs);
  return Number.isInteger(ms) && ms > 0 ? { ...DEVICE_PROFILE.mqtt, minBackoffMs: ms } : DEVICE_PROFILE.mqtt;
}

function buildPassword(): string | undefined {
  const p = (config as { adminPassword?: unknown }).adminPassword;
  return typeof p === "string" && p !== "" ? p : undefined;
}

const WEB_UI = "index.html.gz";
const SETUP_UI = "setup.html.gz";

/**
 * The web UI and the setup page: gzip pages that the build put into the image (manifest.json
 * `data`). They are served from flash as they are, never copied into RAM.
 */
function webUi(): { path: string; type: string; body: Uint8Array; gzip: boolean }[] {
  const pages: { path: string; type: string; body: Uint8Array; gzip: boolean }[] = [];
  for (const [resource, path] of [
    [WEB_UI, "/index.html"],
    [SETUP_UI, "/setup.html"],
  ]) {
    if (Resource.exists(resource!)) pages.push({ path: path!, type: "text/html; charset=utf-8", body: new Uint8Array(new Resource(resource!) as unknown as ArrayBuffer), gzip: true });
  }
  return pages;
}

/**
 * `mcconfig … wifiSsid=… wifiPassword=… setupPassword=…`: the Wi-Fi network to join until the
 * registry names one (the setup page, or a Registry Write), and the setup access point's password
 * instead of a random one. The registry always wins once it has a value.
 *
 * Not Moddable's usual `ssid=`/`password=`: on the ESP32 those make the SDK's own setup/network
 * module (which modules/io brings in) join that network before `main` runs, and wait until it has,
 * so a unit whose network is gone would never start and never open its setup access point.
 */
function buildNetwork(): { defaults: [string, string][]; setupPassword: string | undefined } {
  const c = config as { ssid?: unknown; wifiSsid?: unknown; wifiPassword?: unknown; setupPassword?: unknown };
  const defaults: [string, string][] = [];
  if (typeof c.wifiSsid === "string" && c.wifiSsid) {
    defaults.push(["IpConfig/WiFi/SSID", c.wifiSsid]);
    if (typeof c.wifiPassword === "string" && c.wifiPassword) defaults.push(["IpConfig/WiFi/Password", c.wifiPassword]);
  }
  return { defaults, setupPassword: typeof c.setupPassword === "string" && c.setupPassword ? c.setupPassword : undefined };
}

interface ConfigFiles {
  file: ServerConfig | undefined;
  security: SecurityConfig | undefined;
  oauth2: OAuth2Config | undefined;
}

function start(host: ModdableHost, board: BoardProfile, listeners: ListenerConfig[], { file, security, oauth2 }: ConfigFiles): void {
  const net = buildNetwork();
  if (platform.noMulticast) host.log("info", `mdns: off: ${platform.noMulticast}`);
  if ((config as { ssid?: unknown }).ssid) host.log("warn", "the build's ssid= is Moddable's setup/network's, which holds the boot until it joins: build with wifiSsid= and wifiPassword=");
  startDevice(host, {
    board,
    listeners,
    initialAdminPassword: buildPassword(),
    defaults: net.defaults,
    network: { captiveDnsPort: 53, setupPassword: net.setupPassword, mdns: !platform.noMulticast },
    assets: webUi(),
    ...DEVICE_PROFILE,
    mqtt: mqttLimits(),
    firmware: { board: platform.firmwareBoard, publicKey: builtInReleaseKey() },
    authentication: file?.httpServer?.authentication,
    security,
    oauth2,
  }).then(
    (device) => {
      running = device;
      if (device.generatedPassword) host.log("warn", `administrator "jnior" created with password: ${device.generatedPassword} (shown once)`);
      host.log("info", "iobox ready " + JSON.stringify(device.ports));
    },
    (e: Error) => host.log("error", "iobox could not start: " + e.message),
  );
}

/**
 * Moddable's abort hook (manifest.json: defines.xs.abortHook), called as the VM is about to end: an
 * unhandled exception or rejection, memory full, and the like (a stack overflow ends it without
 * the hook). The reason goes to the console and to flash, where the next boot finds it
 * ($LastAbort, src/boot-record.ts). Returning anything but `false` lets XS end, which on the ESP32
 * restarts the unit (lin: mcsim unloads the app); the boot that ended so counts as failed, even
 * after its first minute, so that aborts in a row bring safe mode (src/boot-record.ts).
 */
/** The unit once it is up: the abort hook tells it (its boot then counts as failed). */
let running: Device | undefined;

/** Platform.restartsInPlace: the core, stopped by its reboot, starts again from the files on flash. */
function restartInPlace(): void {
  running = undefined;
  Promise.resolve().then(boot); // after the stop's last jobs
}

function onAbort(reason: string, exception: unknown): boolean | undefined {
  let why = String(reason);
  try {
    if (exception instanceof Error) why += ": " + exception.message;
    else if (exception !== undefined) why += ": " + String(exception);
  } catch {
    // an exception whose message cannot be read
  }
  // A promise nobody handled failed: that job is over and the rest of the VM is as it was, as
  // after an exception the host's guard catches (guard.ts). The unit goes on; the log says so.
  // (lin's mcsim prints "XS abort" before it asks this hook: the device tests still fail on it.)
  if (reason === "unhandled rejection") {
    trace(`error a promise failed and nothing handled it: ${why}; the unit goes on\n`);
    return false;
  }
  trace(`error abort: ${why}\n`);
  try {
    new ModdableFiles().write(LAST_ABORT_FILE, encodeUtf8(`${new Date().toISOString()} ${why}`.slice(0, 200)));
  } catch {
    // memory or flash gone: the console has it
  }
  try {
    running?.aborted(); // however long it ran: aborts in a row bring safe mode
  } catch {
    // flash gone
  }
  return undefined;
}
