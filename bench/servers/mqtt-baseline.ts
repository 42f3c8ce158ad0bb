/**
 * The baseline for the MQTT latency bench: the least a publisher can do, straight on mqtt-packet and
 * a socket: connect to the broker on port argv[2], and for each "edge" line publish the same retained
 * QoS 1 state message iobox does. Prints `ready` once connected.
 */
import net from "node:net";
import readline from "node:readline";
import { generate, parser as mqttParser } from "mqtt-packet";

const socket = net.connect({ port: Number(process.argv[2] ?? 1883), host: "127.0.0.1", noDelay: true });
const parser = mqttParser();
let id = 0;
let level = 0;
socket.on("data", (d) => parser.parse(d));
parser.on("packet", (p) => {
  if (p.cmd === "connack") process.stdout.write("ready\n");
});
socket.on("connect", () => socket.write(generate({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "bench-baseline", keepalive: 60 })));
readline.createInterface({ input: process.stdin }).on("line", () => {
  level = level ? 0 : 1;
  id = (id % 65535) + 1;
  socket.write(generate({ cmd: "publish", topic: "bench/baseline/input/1/state", payload: level ? "1" : "0", qos: 1, retain: true, dup: false, messageId: id }));
});
process.on("SIGTERM", () => process.exit(0));
