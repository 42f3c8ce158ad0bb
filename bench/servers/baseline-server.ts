/** The baselines: node:http for GET and the `ws` package for WebSocket echo, on one port. Prints `ready PORT`. */
import http from "node:http";
import { WebSocketServer } from "ws";

const server = http.createServer((req, res) => {
  if (req.url === "/hello") {
    res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": "12" });
    res.end("hello world\n");
  } else {
    res.writeHead(404).end();
  }
});
const wss = new WebSocketServer({ server, path: "/echo" });
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`ready ${(server.address() as { port: number }).port}\n`));
