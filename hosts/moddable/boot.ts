/**
 * The device entry that mcconfig builds (see manifest.json). `config.json` on the device's flash
 * decides the board and the web server (xentara.md §2.1: no `httpServer`, no web server); without
 * the file, the manifest's `config` (mc/config) does. A config.json that cannot be read or checked
 * is logged and the manifest's settings are used, so a bad upload never cuts the device off.
 *
 * The ESP32 has no TLS server (moddable.md §3): `httpServer.port`, the TLS port, is not served here,
 * and neither is /api/ws, which lives on TLS only. Plain HTTP/WebSocket and JMP are.
 */
import config from "mc/config";
import Resource from "Resource";
import platform from "iobox-platform";
import { BOARDS, findBoard, type BoardProfile } from "../../src/boards.ts";
import { decodeUtf8 } from "../../src/bytes.ts";
import { parseConfig, type ServerConfig } from "../../src/config.ts";
import { startDevice, type ListenerConfig } from "../../src/device.ts";
import { DEVICE_LIMITS } from "../../src/http/limits.ts";
import { DEVICE_JMP } from "../../src/janos/jmp-server.ts";
import { DEVICE_MQTT } from "../../src/mqtt/client.ts";
import { DEVICE_WEBSOCKET } from "../../src/ws/websocket.ts";
import { ModdableFiles } from "./files.ts";
import { ModdableHost } from "./host.ts";

const notes: string[] = [];
const fileConfig = readConfigJson();
const boardName: string = fileConfig?.board ?? config.board ?? "jnior-410";
const board = findBoard(boardName);
if (!board) {
  trace(`error unknown board "${boardName}" (known: ${BOARDS.map((b) => b.name).join(", ")})\n`);
} else {
  const host = new ModdableHost(platform, board);
  for (const n of notes) host.log("error", n);
  const listeners: ListenerConfig[] = [];
  if (!fileConfig) listeners.push({ name: "http", port: config.httpPort ?? 80 });
  else if (fileConfig.httpServer) {
    if (fileConfig.httpServer.httpPort !== undefined) listeners.push({ name: "http", port: fileConfig.httpServer.httpPort });
    host.log("warn", `config.json: httpServer.port ${fileConfig.httpServer.port} (TLS) is not served: this device has no TLS server`);
  } else host.log("info", "config.json has no httpServer: no web server");
  // Not from the module body: while this bundle's body runs, its frame holds most of the XS stack
  // (384 slots by default), and booting from there overflowed it on the lin build — a stack
  // overflow aborts the VM silently. A timer callback starts on an empty stack.
  host.timers.after(0, () => boot(host, board, listeners, fileConfig));
}

function readConfigJson(): ServerConfig | undefined {
  try {
    const bytes = new ModdableFiles().read("config.json");
    return bytes ? parseConfig(decodeUtf8(bytes, 0, bytes.length, true)) : undefined;
  } catch (e) {
    notes.push(`config.json ignored, the manifest's settings apply: ${(e as Error).message}`);
    return undefined;
  }
}

const WEB_UI = "index.html.gz";

/**
 * The web UI: one gzip page that the build put into the image (manifest.json `data`). It is
 * served from flash as it is, never copied into RAM.
 */
function webUi(): { path: string; type: string; body: Uint8Array; gzip: boolean }[] {
  if (!Resource.exists(WEB_UI)) return [];
  return [{ path: "/index.html", type: "text/html; charset=utf-8", body: new Uint8Array(new Resource(WEB_UI) as unknown as ArrayBuffer), gzip: true }];
}
function boot(host: ModdableHost, board: BoardProfile, listeners: ListenerConfig[], file: ServerConfig | undefined): void {
  startDevice(host, { board, listeners, assets: webUi(), limits: DEVICE_LIMITS, websocket: DEVICE_WEBSOCKET, jmp: DEVICE_JMP, mqtt: DEVICE_MQTT, authentication: file?.httpServer?.authentication }).then(
    (device) => {
      if (device.generatedPassword) host.log("warn", `administrator "jnior" created with password: ${device.generatedPassword} (shown once)`);
      host.log("info", "iobox ready " + JSON.stringify(device.ports));
    },
    (e: Error) => host.log("error", e.message),
  );
}
