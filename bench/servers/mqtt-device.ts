/**
 * The device under test for the MQTT latency bench: the whole device on the Node host, publishing to
 * the broker on port argv[2]. Each "edge" line on standard input flips input 1 (debounce 0). Prints
 * `ready` once its MQTT client is connected.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { findBoard } from "../../src/boards.ts";
import { startDevice } from "../../src/device.ts";
import { NodeHost } from "../../hosts/node/host.ts";
import { SimBoard } from "../../sim/board.ts";

const board = findBoard("jnior-410")!;
const simBoard = new SimBoard(board);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-bench-mqtt-"));
const host = new NodeHost({ dataDir, board: simBoard, unitId: "02000000beef", logLevel: "error" });
const device = await startDevice(host, {
  board,
  listeners: [],
  adminPassword: "bench-password",
  settings: [
    ["IO/Inputs/din1/Debounce", "0"],
    ["JMP/Enabled", "false"],
    ["MQTT/Enabled", "true"],
    ["MQTT/Host", "127.0.0.1"],
    ["MQTT/Port", process.argv[2] ?? "1883"],
    ["MQTT/Prefix", "bench/iobox"],
    ["MQTT/Discovery", "false"],
  ],
});
let level: 0 | 1 = 0;
readline.createInterface({ input: process.stdin }).on("line", () => {
  level = level ? 0 : 1;
  simBoard.setInput(board.inputs[0]!.pin, level);
});
const ready = setInterval(() => {
  if (device.mqtt.connection?.state === "connected") {
    clearInterval(ready);
    process.stdout.write("ready\n");
  }
}, 20);
process.on("SIGTERM", () => process.exit(0));
