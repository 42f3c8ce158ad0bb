/**
 * The baseline for the Monitor latency bench: a minimal broadcaster on the `ws` package. Each "edge"
 * line on standard input sends the same Monitor JSON as iobox's to every client. Prints `ready PORT`.
 */
import readline from "node:readline";
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
let level = 0;
let count = 0;
readline.createInterface({ input: process.stdin }).on("line", () => {
  level = level ? 0 : 1;
  if (level) count++;
  const inputs = [{ State: level, Count: count }];
  for (let i = 1; i < 8; i++) inputs.push({ State: 0, Count: 0 });
  const json = JSON.stringify({ Message: "Monitor", Model: "410", Version: "v0.1.0", "Serial Number": 48879, Inputs: inputs, Outputs: Array.from({ length: 8 }, () => ({ State: 0 })), Timestamp: Date.now() });
  for (const client of wss.clients) client.send(json);
});
wss.on("listening", () => process.stdout.write(`ready ${(wss.address() as { port: number }).port}\n`));
process.on("SIGTERM", () => process.exit(0));
