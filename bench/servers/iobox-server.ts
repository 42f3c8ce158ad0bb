/** The server under test: iobox's core HTTP/WebSocket server on the Node host. Prints `ready PORT`. */
import os from "node:os";
import { Router } from "../../src/http/router.ts";
import { HttpServer } from "../../src/http/server.ts";
import type { WebSocket } from "../../src/ws/websocket.ts";
import { SimBoard } from "../../sim/board.ts";
import { NodeHost } from "../../hosts/node/host.ts";

const host = new NodeHost({ dataDir: os.tmpdir() + "/iobox-bench", board: new SimBoard({ inputs: [], outputs: [] }), unitId: "bench", logLevel: "error" });
const router = new Router();
router.get("/hello", (ex) => ex.respond(200, "hello world\n"));
const echo = { onText: (ws: WebSocket, text: string) => void ws.send(text) };
router.websocket("/echo", (ex) => {
  ex.acceptWebSocket().handler = echo;
});
const server = new HttpServer(host, { router });
const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`ready ${port}\n`);
process.on("SIGINT", () => process.exit(0));
