/**
 * The server under test for the Monitor latency bench: the whole device on the Node host. Each
 * "edge" line on standard input flips input 1 (debounce 0). The administrator's password is the first
 * argument. Prints `ready PORT`.
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
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "iobox-bench-janos-"));
const host = new NodeHost({ dataDir, board: simBoard, unitId: "02000000beef", logLevel: "error" });
const device = await startDevice(host, {
  board,
  listeners: [{ name: "http", host: "127.0.0.1", port: 0 }],
  adminPassword: process.argv[2] ?? "bench-password",
  settings: [["IO/Inputs/din1/Debounce", "0"], ["JMP/Enabled", "false"]],
});
let level: 0 | 1 = 0;
readline.createInterface({ input: process.stdin }).on("line", () => {
  level = level ? 0 : 1;
  simBoard.setInput(board.inputs[0]!.pin, level);
});
process.stdout.write(`ready ${device.ports.http}\n`);
process.on("SIGTERM", () => process.exit(0));
