/**
 * The device entry that mcconfig builds (see manifest.json). Settings come from the manifest's
 * `config` (mc/config) until config.json on flash takes over.
 */
import config from "mc/config";
import platform from "iobox-platform";
import { BOARDS, findBoard, type BoardProfile } from "../../src/boards.ts";
import { startDevice, type ListenerConfig } from "../../src/device.ts";
import { DEVICE_LIMITS } from "../../src/http/limits.ts";
import { DEVICE_JMP } from "../../src/janos/jmp-server.ts";
import { DEVICE_WEBSOCKET } from "../../src/ws/websocket.ts";
import { ModdableHost } from "./host.ts";

const boardName: string = config.board ?? "jnior-410";
const board = findBoard(boardName);
if (!board) {
  trace(`error unknown board "${boardName}" in the manifest config (known: ${BOARDS.map((b) => b.name).join(", ")})\n`);
} else {
  const host = new ModdableHost(platform, board);
  const listeners: ListenerConfig[] = [{ name: "http", port: config.httpPort ?? 80 }];
  // Not from the module body: while this bundle's body runs, its frame holds most of the XS stack
  // (384 slots by default), and booting from there overflowed it on the lin build — a stack
  // overflow aborts the VM silently. A timer callback starts on an empty stack.
  host.timers.after(0, () => boot(host, board, listeners));
}

function boot(host: ModdableHost, board: BoardProfile, listeners: ListenerConfig[]): void {
  startDevice(host, { board, listeners, limits: DEVICE_LIMITS, websocket: DEVICE_WEBSOCKET, jmp: DEVICE_JMP }).then(
    (device) => {
      if (device.generatedPassword) host.log("warn", `administrator "jnior" created with password: ${device.generatedPassword} (shown once)`);
      host.log("info", "iobox ready " + JSON.stringify(device.ports));
    },
    (e: Error) => host.log("error", e.message),
  );
}
